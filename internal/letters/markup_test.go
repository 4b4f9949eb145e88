package letters

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalise(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"blank lines and indentation collapse", "\n\n  # Subject  \n\n\n   Dear   Alex,\n\n", "# Subject\n\nDear Alex,\n"},
		{"lines of a paragraph join", "# S\n\nOne line\nand the next.\n", "# S\n\nOne line and the next.\n"},
		{"a line after an item continues it", "# S\n\n- first\n  continued\n- second\n", "# S\n\n- first continued\n- second\n"},
		{"blank lines between items keep one list", "# S\n\n- a\n\n- b\n", "# S\n\n- a\n- b\n"},
		{"a paragraph after a list needs a blank line", "# S\n\n- a\n\nAfter.\n", "# S\n\n- a\n\nAfter.\n"},
		{"headings of each level", "# A\n## B\n### C\n#### D\n", "# A\n\n## B\n\n### C\n\n#### D\n"},
		{"Windows line ends", "# S\r\n\r\nText\r\n", "# S\n\nText\n"},
		{"a hash without a space is text", "# S\n\n#hashtag\n", "# S\n\n#hashtag\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Normalise(tc.in)
			if got != tc.want {
				t.Errorf("Normalise(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if again := Normalise(got); again != got {
				t.Errorf("Normalise is not stable: %q then %q", got, again)
			}
		})
	}
}

func TestWrap(t *testing.T) {
	long := strings.Repeat("word ", 40) + "https://example.org/" + strings.Repeat("x", 80)
	got := wrap(long, 30, "- ", "  ")
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if !strings.HasPrefix(lines[0], "- word") {
		t.Errorf("first line %q", lines[0])
	}
	for i, l := range lines {
		if i > 0 && !strings.HasPrefix(l, "  ") {
			t.Errorf("line %d %q lacks the hanging indent", i, l)
		}
		if utf8.RuneCountInString(l) > 30 && strings.Contains(strings.TrimSpace(l), " ") {
			t.Errorf("line %d is %d runes and could have been broken: %q", i, utf8.RuneCountInString(l), l)
		}
	}
	if strings.Join(strings.Fields(strings.ReplaceAll(got, "- ", "")), " ") != strings.Join(strings.Fields(long), " ") {
		t.Error("wrapping lost or changed words")
	}
}

func TestAndList(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{{nil, ""}, {[]string{"a"}, "a"}, {[]string{"a", "b"}, "a and b"}, {[]string{"a", "b", "c"}, "a, b and c"}} {
		if got := andList(tc.in); got != tc.want {
			t.Errorf("andList(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Steps of the clock's working that speak to staff stay out of the
// requester's letter; the dated working stays in.
func TestStaffOnlyStepsStayOutOfLetters(t *testing.T) {
	for text, staff := range map[string]bool{
		"Received Mon 2 Mar 2026.":                                                                  false,
		"Sat 2 May 2026 is a Saturday; next working day Mon 4 May 2026.":                            false,
		"Internal target (a deployment setting, not the law): 20 days after the clock start":        true,
		"The requester must be told of the extension, with the reasons, by Thu 2 Apr 2026 (x).":     true,
		"Extended by 2 further months on Mon 16 Mar 2026 (reason: Your request covers 14 systems).": true,
	} {
		if got := staffOnlyStep(text); got != staff {
			t.Errorf("staffOnlyStep(%q) = %v, want %v", text, got, staff)
		}
	}
}
