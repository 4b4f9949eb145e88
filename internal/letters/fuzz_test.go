package letters

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzMarkup reads any letter text, as staff may edit it. Its canonical
// form is stable and reads back to the same blocks, so the hash of edited
// text does not depend on how it was spaced; no block holds a line break
// or a stray blank; and the plain-text email keeps to its width except
// where one word is longer than a line.
func FuzzMarkup(f *testing.F) {
	for _, s := range []string{
		"# Subject\n\nDear requester,\n\n- one\n- two\n  continued\n\n- three\n\nYours,\nThe team\n",
		"## A\r\n### B\r\n#### C\r\n##### D\r\n#no space\n-not an item\n- \n# \n",
		"para\n- item\nafter item\n\n\nnext para", "   \t\n\n", "\u00a0# odd space\n\u2028line", "\xff\xfe- x",
		strings.Repeat("word ", 40) + strings.Repeat("x", 100),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		blocks := parseBlocks(text)
		canon := canonical(blocks)
		if again := Normalise(canon); again != canon {
			t.Fatalf("canonical text %q normalises to %q", canon, again)
		}
		if back := parseBlocks(canon); !reflect.DeepEqual(back, blocks) && (len(back) != 0 || len(blocks) != 0) {
			t.Fatalf("%q: blocks %+v read back from %q as %+v", text, blocks, canon, back)
		}
		for _, bl := range blocks {
			for _, s := range append([]string{bl.Text}, bl.Items...) {
				if strings.ContainsAny(s, "\r\n") || s != strings.TrimSpace(s) {
					t.Fatalf("%q: block %+v holds a line break or stray blank", text, bl)
				}
			}
		}
		for line := range strings.Lines(plain(blocks)) {
			line = strings.TrimSuffix(line, "\n")
			if utf8.RuneCountInString(line) > plainWidth && strings.Contains(strings.TrimPrefix(strings.TrimPrefix(line, "- "), "  "), " ") {
				t.Fatalf("%q: plain line %q is longer than %d", text, line, plainWidth)
			}
		}
	})
}
