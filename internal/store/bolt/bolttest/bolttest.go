package bolttest

import (
	"bytes"
	"crypto/sha256"
	"os"
	"testing"

	bbolt "go.etcd.io/bbolt"
)

// SHA256 returns the digest of the file at path.
func SHA256(t testing.TB, path string) [sha256.Size]byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(raw)
}

// Empty cuts the file at path to zero bytes.
func Empty(t testing.TB, path string) {
	t.Helper()
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
}

// TruncateHalf cuts the file at path to half its length, or shorter, so that
// it always loses pages the database uses: a check that misses the cut
// cannot pass unnoticed.
func TruncateHalf(t testing.TB, path string) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	// When every page in use fits in the first half (a small database in a
	// file bbolt has doubled), cut just short of the last page in use.
	half := min(info.Size()/2, UsedSize(t, path)-1)
	if half <= 0 {
		t.Fatalf("%s has no pages in use to cut: seed more data", path)
	}
	if err := os.Truncate(path, half); err != nil {
		t.Fatal(err)
	}
}

// UsedSize is the length the pages in use reach: bbolt's high-water mark.
func UsedSize(t testing.TB, path string) int64 {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var size int64
	_ = db.View(func(tx *bbolt.Tx) error { size = tx.Size(); return nil })
	return size
}

// DamagePage overwrites, with bytes that are not a page, the page in use
// (a branch or leaf of some bucket, never a meta or freelist page) nearest
// the middle of the database at path, and returns its id. It fails the
// test when there is no such page.
func DamagePage(t testing.TB, path string) int {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	var id, pageSize int
	err = db.View(func(tx *bbolt.Tx) error {
		pageSize = db.Info().PageSize
		high := int(tx.Size()) / pageSize
		for d := 0; d < high && id == 0; d++ {
			for _, candidate := range []int{high/2 - d, high/2 + d} {
				if candidate < 2 || candidate >= high {
					continue
				}
				info, err := tx.Page(candidate)
				if err != nil {
					return err
				}
				// A page that names itself: not the middle of an overflow
				// run, whose bytes can look like any page type.
				if info != nil && info.ID == candidate && (info.Type == "leaf" || info.Type == "branch") {
					id = candidate
					break
				}
			}
		}
		return nil
	})
	if closeErr := db.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		t.Fatal(err)
	}
	if id == 0 {
		t.Fatalf("%s has no branch or leaf page to damage", path)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xA5}, pageSize), int64(id)*int64(pageSize)); err != nil {
		t.Fatal(err)
	}
	return id
}
