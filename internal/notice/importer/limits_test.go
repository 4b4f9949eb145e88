package importer

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Big inputs must be read in time and memory proportional to their size.
// The bounds are loose (a slow CI machine, the race detector) but far below
// what a quadratic step would take on ten megabytes.
func TestLargeInputsStayLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 10 MB documents")
	}
	const size = 10 << 20
	inputs := map[string][]byte{
		"one line of words":          bytes.Repeat([]byte("consent legal basis you have the right to object "), size/50),
		"one line without spaces":    bytes.Repeat([]byte("a"), size),
		"one line of sentences":      bytes.Repeat([]byte("In relation to x, the legal basis is consent. "), size/47),
		"short lines":                bytes.Repeat([]byte("  • to request a copy of your data\n"), size/36),
		"blank-separated paragraphs": bytes.Repeat([]byte("Retention\n\nWe keep data for 2 years.\n\n"), size/38),
		"deep html":                  []byte(strings.Repeat("<ul><li>", size/16) + "text"),
		"html one text node":         append([]byte("<html><body><p>"), bytes.Repeat([]byte("x "), size/2)...),
		"markdown front matter only": append([]byte("---\n"), bytes.Repeat([]byte("key: value\n"), size/11)...),
	}
	for name, input := range inputs {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			d, err := Parse(input, Options{Today: "2026-03-02"})
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			allocated := after.TotalAlloc - before.TotalAlloc
			t.Logf("%d bytes: %s, %d MB allocated, %d unplaced", len(input), elapsed, allocated>>20, len(d.Unplaced))
			if elapsed > 20*time.Second {
				t.Errorf("took %s", elapsed)
			}
			if allocated > 60*uint64(len(input)) {
				t.Errorf("allocated %d MB for a %d MB document", allocated>>20, len(input)>>20)
			}
			if len(d.Unplaced) > maxUnplaced+2 {
				t.Errorf("%d unplaced entries, want at most %d", len(d.Unplaced), maxUnplaced+2)
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	for _, name := range []string{"numbered-sections.txt", "saved-page.html"} {
		raw := mustReadB(b, name)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				if _, err := Parse(raw, Options{Today: "2026-03-02"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func mustReadB(b *testing.B, name string) []byte {
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		b.Fatal(err)
	}
	return raw
}
