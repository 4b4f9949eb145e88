package cases_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
)

func TestStatusCodesMatchHoweverTheyAreTyped(t *testing.T) {
	const code = "abcdefgh234567ijklmnopqrstuvwxyz"
	for _, tc := range []struct{ name, typed, want string }{
		{"as issued", code, code},
		{"upper case", strings.ToUpper(code), code},
		{"grouped with spaces", "ABCD EFGH 2345 67IJ KLMN OPQR STUV WXYZ", code},
		{"grouped with hyphens", "abcd-efgh-2345-67ij-klmn-opqr-stuv-wxyz", code},
		{"copied with a non-breaking hyphen and an en dash", "abcd\u2011efgh\u20132345 67ij klmn opqr stuv wxyz", code},
		{"spread over lines with tabs and spaces around", "  abcd efgh\n2345 67ij\tklmn opqr\r\nstuv wxyz ", code},
		{"a mistyped character still differs", "abcd efgh 2345 67ij klmn opqr stuv wxy0", "abcdefgh234567ijklmnopqrstuvwxy0"},
		{"other punctuation is kept, so it fails to match", "abcd.efgh", "abcd.efgh"},
		{"empty", " - ", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := cases.NormaliseStatusCode(tc.typed); got != tc.want {
				t.Errorf("NormaliseStatusCode(%q) = %q, want %q", tc.typed, got, tc.want)
			}
			if match := bytes.Equal(cases.HashStatusToken(tc.typed), cases.HashStatusToken(code)); match != (tc.want == code) {
				t.Errorf("HashStatusToken(%q) matches the issued code: %v, want %v", tc.typed, match, tc.want == code)
			}
		})
	}
}

func TestStatusCodesAreGroupedForReading(t *testing.T) {
	for _, tc := range []struct{ code, want string }{
		{"abcdefgh234567ijklmnopqrstuvwxyz", "ABCD EFGH 2345 67IJ KLMN OPQR STUV WXYZ"},
		{"abcdef", "ABCD EF"},
		{"ab-cd ef", "ABCD EF"},
		{"", ""},
	} {
		got := cases.GroupStatusCode(tc.code)
		if got != tc.want {
			t.Errorf("GroupStatusCode(%q) = %q, want %q", tc.code, got, tc.want)
		}
		if cases.NormaliseStatusCode(got) != cases.NormaliseStatusCode(tc.code) {
			t.Errorf("the grouped code %q does not normalise back to %q", got, tc.code)
		}
	}
}
