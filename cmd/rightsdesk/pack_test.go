package main

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/pack"
)

// writePackFile writes a response pack of one document to a file, with
// the document's bytes passed through change on the way (to tamper).
func writePackFile(t *testing.T, change func(name string, body []byte) []byte) string {
	t.Helper()
	body := "a record we hold"
	var good bytes.Buffer
	_, err := pack.Write(&good, pack.Pack{
		Reference: "RD-7K3M-Q9XP", Made: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC),
		Letter: pack.Letter{Subject: "Your request", From: "Example Office", HTML: []byte("<p>letter</p>"), PDF: []byte("%PDF-1.3")},
		Documents: []pack.Document{{Name: "record.txt", Kind: "Collected record", Size: int64(len(body)),
			Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil }}},
	})
	if err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(good.Bytes()), int64(good.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w := zip.NewWriter(&out)
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		fw, err := w.Create(f.Name)
		if err == nil {
			_, err = fw.Write(change(f.Name, b))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "pack.zip")
	if err := os.WriteFile(path, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPackVerify(t *testing.T) {
	intact := writePackFile(t, func(_ string, b []byte) []byte { return b })
	code, stdout, stderr := runCLI(t, "pack", "verify", intact)
	if code != 0 || !strings.Contains(stdout, "Response pack RD-7K3M-Q9XP, made 2026-03-02 10:00:00 UTC") ||
		!strings.Contains(stdout, "✓ documents/001-record.txt (16 bytes)") || !strings.Contains(stdout, "All 5 entries match the manifest.") || strings.Contains(stdout, "✗") {
		t.Errorf("an intact pack: exit %d\n%s%s", code, stdout, stderr)
	}

	tampered := writePackFile(t, func(name string, b []byte) []byte {
		if name == "documents/001-record.txt" {
			return []byte("a record we made up")
		}
		return b
	})
	code, stdout, stderr = runCLI(t, "pack", "verify", tampered)
	if code != 1 || !strings.Contains(stdout, "✗ documents/001-record.txt: is 19 bytes; the manifest says 16") ||
		!strings.Contains(stdout, "✓ "+pack.IndexName) || !strings.Contains(stderr, "does not match its manifest: 1 of 5 entries") {
		t.Errorf("a tampered pack: exit %d\n%s%s", code, stdout, stderr)
	}

	notZip := filepath.Join(t.TempDir(), "not.zip")
	if err := os.WriteFile(notZip, []byte("%PDF-1.3"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "pack", "verify", notZip); code != 1 || !strings.Contains(stderr, "not a response pack that can be checked") {
		t.Errorf("not a zip: exit %d, %s", code, stderr)
	}
	if code, _, _ := runCLI(t, "pack", "verify"); code != 2 {
		t.Errorf("no file: exit %d; want 2", code)
	}
	if code, _, stderr := runCLI(t, "pack", "verify", filepath.Join(t.TempDir(), "missing.zip")); code != 1 || !strings.Contains(stderr, "no such file") {
		t.Errorf("a missing file: exit %d, %s", code, stderr)
	}
}
