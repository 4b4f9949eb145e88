package seeds

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// prefixes maps each catalogue id to its reference file (NNN_<hash>.txt).
var prefixes = map[string]string{
	"a-modern-civil-service":  "000",
	"communities-of-practice": "001",
	"gpg-csep-hub":            "002",
	"nlc-network-members":     "003",
	"it-service-desk":         "004",
}

// IDs lists the catalogue ids that have a reference notice.
func IDs() []string {
	ids := make([]string, 0, len(prefixes))
	for id := range prefixes {
		ids = append(ids, id)
	}
	return ids
}

// dir is found from this source file rather than the working directory, so
// every test package reaches it whatever its depth in the tree.
func dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "..", "..", "shared", "seeds")
}

// Read returns the reference notice for a catalogue id, skipping the test
// when the reference notices are not beside the repository.
func Read(t testing.TB, id string) []byte {
	t.Helper()
	d := dir()
	if _, err := os.Stat(d); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("no reference notices at %s (they live beside the repository, not in it)", d)
	}
	matches, err := filepath.Glob(filepath.Join(d, prefixes[id]+"_*.txt"))
	if err != nil || len(matches) != 1 || prefixes[id] == "" {
		t.Fatalf("want one reference file for %s in %s, found %v (%v)", id, d, matches, err)
	}
	raw, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
