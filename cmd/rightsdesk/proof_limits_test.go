package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/export"
)

// zipEntry is one entry of a crafted zip: its content, or, with raw set,
// content already deflated and a header that declares size bytes.
type zipEntry struct {
	name    string
	content []byte
	raw     bool
	size    uint64
}

// writeZip writes entries to a zip in a temporary directory.
func writeZip(t *testing.T, entries ...zipEntry) string {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for _, e := range entries {
		var (
			w   io.Writer
			err error
		)
		if e.raw {
			w, err = z.CreateRaw(&zip.FileHeader{Name: e.name, Method: zip.Deflate, CompressedSize64: uint64(len(e.content)), UncompressedSize64: e.size})
		} else {
			w, err = z.Create(e.name)
		}
		if err == nil {
			_, err = w.Write(e.content)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bundle.zip")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// deflatedSpaces is n spaces deflated: a few kilobytes that unpack to n.
func deflatedSpaces(t *testing.T, n int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err == nil {
		_, err = io.Copy(fw, io.LimitReader(repeatReader(' '), n))
	}
	if err == nil {
		err = fw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

func TestReadProofRefusesZipBombsClearly(t *testing.T) {
	proof, err := json.Marshal(fuzzProof())
	if err != nil {
		t.Fatal(err)
	}
	// A valid proof behind more whitespace than the limit: JSON would
	// accept it, so only the limit refuses it.
	padded := append(bytes.Repeat([]byte(" "), maxProofBytes), proof...)
	many := make([]zipEntry, maxBundleEntries+1)
	for i := range many {
		many[i] = zipEntry{name: fmt.Sprintf("file-%d.txt", i)}
	}
	many[0] = zipEntry{name: export.BundleProof, content: proof}
	for _, tt := range []struct {
		name string
		path string
		want string
	}{
		{"proof.json past the limit", writeZip(t, zipEntry{name: export.BundleProof, content: padded}), "larger than 67108864 bytes"},
		{"an entry declaring a terabyte", writeZip(t, zipEntry{name: export.BundleProof, content: proof}, zipEntry{name: export.BundleHTML, raw: true, content: deflatedSpaces(t, 1<<20), size: 1 << 40}), `entry "evidence.html" would unpack to 1099511627776 bytes`},
		{"proof.json unpacking past its declared size", writeZip(t, zipEntry{name: export.BundleProof, raw: true, content: deflatedSpaces(t, 8<<20), size: 1 << 10}), "unpacks to more than its header declares"},
		{"more entries than a bundle has", writeZip(t, many...), fmt.Sprintf("the zip has %d entries", maxBundleEntries+1)},
		{"a bare proof past the limit", writeFile(t, padded), "larger than 67108864 bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readProof(tt.path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("readProof: %v, want an error saying %q", err, tt.want)
			}
		})
	}
	// The limits leave a proof within them readable, zipped or bare.
	for _, path := range []string{writeZip(t, zipEntry{name: export.BundleProof, content: proof}), writeFile(t, proof)} {
		if _, err := readProof(path); err != nil {
			t.Fatalf("a proof within the limits: %v", err)
		}
	}
}

func TestAuditVerifyRefusesAZipBomb(t *testing.T) {
	dir := t.TempDir()
	writeBundle(t, dir)
	bomb := writeZip(t, zipEntry{name: export.BundleProof, raw: true, content: deflatedSpaces(t, 1<<20), size: 1 << 40})
	code, stdout, stderr := runCLI(t, "audit", "verify", "--data", dir, "--proof", bomb)
	if code != 1 || !strings.Contains(stderr, "refused unread") || strings.Contains(stdout, "Proof intact") {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit 1 and the entry refused unread", code, stdout, stderr)
	}
}

func writeFile(t *testing.T, content []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "proof.json")
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
