package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse feeds arbitrary bytes to every decoder. Parse must never panic,
// must fail only with an error, and must keep its promises about what it
// returns: provenance inside the document, excerpts that are short and
// valid UTF-8, and a digest for every draft.
func FuzzParse(f *testing.F) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if raw, err := os.ReadFile(filepath.Join("testdata", e.Name())); err == nil && !e.IsDir() {
			f.Add(raw, uint8(0))
		}
	}
	for _, s := range []string{
		"", "---\n", "---\ntitle: x\n---\n", "<", "<html><main><li><p>x", "• ", "1.\n", "In relation to , :",
		"Published 31 February 2020\n\nx", "The data controller is the .", "\xff\xfe\x00", "$C\n$C", "[a](", "a@b.co 0303 123 1113 SW1A 2AS",
	} {
		f.Add([]byte(s), uint8(0))
	}
	formats := []Format{FormatAuto, FormatText, FormatMarkdown, FormatHTML}
	f.Fuzz(func(t *testing.T, content []byte, format uint8) {
		d, err := Parse(content, Options{Format: formats[int(format)%len(formats)], Today: "2026-03-02"})
		if err != nil {
			if d != nil {
				t.Fatal("a draft and an error")
			}
			return
		}
		lines := strings.Count(normalise(content), "\n") + 1
		for _, fact := range d.Facts {
			if p := fact.Provenance; p.Line < 0 || p.Line > lines || p.EndLine > lines {
				t.Fatalf("fact %s points at line %d-%d of %d", fact.Field, p.Line, p.EndLine, lines)
			}
		}
		for _, u := range d.Unplaced {
			if !utf8.ValidString(u.Text) || utf8.RuneCountInString(u.Text) > excerptLen+64 || u.Line < 1 || u.Line > lines {
				t.Fatalf("unplaced entry %+v", u)
			}
		}
		if len(d.Version.Source.Digest) != 64 || d.Version.EffectiveFrom == "" {
			t.Fatalf("draft without digest or date: %+v", d.Version.Source)
		}
	})
}
