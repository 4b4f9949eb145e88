package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `serve --templates DIR` with a template naming a field its letter does
// not have stops at start, saying which file and which field, and leaves
// no data directory behind.
func TestServeRefusesABrokenTemplateOverride(t *testing.T) {
	templates := t.TempDir()
	broken := "# We have received your request\n\nDear {{.To.Nmae}},\n\n{{template \"sign-off\" .}}\n"
	if err := os.WriteFile(filepath.Join(templates, "acknowledgement.tmpl"), []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), "data")
	code, stdout, stderr := runCLI(t, "serve", "--data", data, "--templates", templates, "--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--admin-addr", "off")
	if code == 0 || !strings.Contains(stderr, "acknowledgement.tmpl") || !strings.Contains(stderr, "Nmae") {
		t.Fatalf("exit %d, stdout %q, stderr %q; want a refusal naming acknowledgement.tmpl and .To.Nmae", code, stdout, stderr)
	}
	if _, err := os.Stat(data); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the refused start left %s behind (%v)", data, err)
	}
}
