package bolt_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/store/storetest"
)

// openChecked opens a backend and, when the test ends, reopens the file and
// runs bbolt's consistency check over everything the test wrote.
func openChecked(t testing.TB, dir string) store.Backend {
	t.Helper()
	b, err := bolt.Open(dir, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = b.Close()
		check, err := bolt.Open(dir, bolt.Options{ReadOnly: true})
		if err != nil {
			t.Errorf("reopen for check: %v", err)
			return
		}
		defer check.Close()
		if err := check.Check(); err != nil {
			t.Errorf("bbolt consistency check: %v", err)
		}
	})
	return b
}

func TestConformance(t *testing.T) {
	storetest.RunAll(t, storetest.Harness{
		Open: openChecked,
		Restore: func(t testing.TB, backup []byte, dir string) {
			if err := os.WriteFile(filepath.Join(dir, bolt.FileName), backup, 0o600); err != nil {
				t.Fatal(err)
			}
		},
	})
}

func TestSecondOpenIsLockedWithClearError(t *testing.T) {
	dir := t.TempDir()
	b := openChecked(t, dir)
	defer b.Close()
	_, err := bolt.Open(dir, bolt.Options{LockTimeout: 50_000_000})
	if !errors.Is(err, bolt.ErrLocked) {
		t.Fatalf("second open returned %v, want ErrLocked", err)
	}
}
