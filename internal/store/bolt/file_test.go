package bolt_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt/bolttest"
)

var ctx = context.Background()

// serveOptions are the options `rightsdesk serve` opens its database with.
var serveOptions = bolt.Options{CheckPages: true}

// filled returns a data directory holding a closed database with enough
// records to span many pages in several buckets.
func filled(t *testing.T) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	b, err := bolt.Open(dir, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	value := []byte(strings.Repeat("v", 300))
	for batch := range 10 {
		err := b.Update(ctx, func(tx store.WriteTx) error {
			for i := range 200 {
				key := fmt.Appendf(nil, "%02d-%04d", batch, i)
				if err := tx.Put(store.BucketCases, key, value); err != nil {
					return err
				}
				if err := tx.Put(store.BucketByState, key, nil); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, filepath.Join(dir, bolt.FileName)
}

func TestReadOnlyOpenOfMissingDatabaseCreatesNothing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no", "such", "dir")
	_, err := bolt.Open(missing, bolt.Options{ReadOnly: true})
	want := "no database at " + filepath.Join(missing, bolt.FileName)
	if !errors.Is(err, bolt.ErrNoDatabase) || err.Error() != want {
		t.Fatalf("read-only open of a missing directory: %v, want ErrNoDatabase reading %q", err, want)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the directory was created (stat: %v)", err)
	}

	empty := t.TempDir()
	if _, err := bolt.Open(empty, bolt.Options{ReadOnly: true}); !errors.Is(err, bolt.ErrNoDatabase) {
		t.Fatalf("read-only open of an empty directory: %v, want ErrNoDatabase", err)
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Fatalf("read-only open left %d entries in the directory", len(entries))
	}
}

func TestReadOnlyOpenChangesNoByte(t *testing.T) {
	dir, path := filled(t)
	before := bolttest.SHA256(t, path)
	b, err := bolt.Open(dir, bolt.Options{ReadOnly: true, CheckPages: true})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	err = b.View(ctx, func(tx store.ReadTx) error {
		return tx.Scan(store.BucketCases, nil, func(_, _ []byte) (bool, error) { n++; return true, nil })
	})
	if err != nil || n != 2000 {
		t.Fatalf("read %d records (%v), want 2000", n, err)
	}
	if err := b.CheckPages(ctx); err != nil {
		t.Fatalf("CheckPages on a sound file: %v", err)
	}
	ran := false
	err = b.Update(ctx, func(store.WriteTx) error { ran = true; return nil })
	if !errors.Is(err, store.ErrReadOnly) || ran {
		t.Fatalf("Update on a read-only backend: %v (ran %v), want store.ErrReadOnly without running", err, ran)
	}
	if _, err := b.Backup(ctx, io.Discard); err != nil {
		t.Fatalf("Backup from a read-only backend: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if bolttest.SHA256(t, path) != before {
		t.Fatal("a read-only open changed the file")
	}
}

// Two read-only opens share the file; a writer is kept out while they hold it.
func TestReadOnlyOpensShareTheLock(t *testing.T) {
	dir, _ := filled(t)
	first, err := bolt.Open(dir, bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	second, err := bolt.Open(dir, bolt.Options{ReadOnly: true, LockTimeout: 50_000_000})
	if err != nil {
		t.Fatalf("second read-only open: %v", err)
	}
	defer second.Close()
	if _, err := bolt.Open(dir, bolt.Options{LockTimeout: 50_000_000}); !errors.Is(err, bolt.ErrLocked) {
		t.Fatalf("read-write open beside readers: %v, want ErrLocked", err)
	}
}

// openings are every way a database is opened: offline commands read-only
// or read-write, and serve.
var openings = []struct {
	name string
	opts bolt.Options
}{
	{"read-only", bolt.Options{ReadOnly: true}},
	{"read-write", bolt.Options{}},
	{"serve", serveOptions},
}

func TestEmptyFileIsRefusedNotInitialised(t *testing.T) {
	for _, o := range openings {
		t.Run(o.name, func(t *testing.T) {
			dir, path := filled(t)
			bolttest.Empty(t, path)
			_, err := bolt.Open(dir, o.opts)
			if !errors.Is(err, bolt.ErrEmptyFile) || !strings.Contains(err.Error(), path) ||
				!strings.Contains(err.Error(), "empty") || !strings.Contains(err.Error(), "not a Rightsdesk database") ||
				!strings.Contains(err.Error(), "backup") {
				t.Fatalf("open of an empty file: %v, want ErrEmptyFile naming the file and a backup", err)
			}
			if info, err := os.Stat(path); err != nil || info.Size() != 0 {
				t.Fatalf("the empty file was changed: %v, %v", info.Size(), err)
			}
		})
	}
}

func TestTruncatedFileIsRefused(t *testing.T) {
	for _, o := range openings {
		t.Run(o.name, func(t *testing.T) {
			dir, path := filled(t)
			bolttest.TruncateHalf(t, path)
			before := bolttest.SHA256(t, path)
			_, err := bolt.Open(dir, o.opts)
			if !errors.Is(err, bolt.ErrTruncated) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "truncated") {
				t.Fatalf("open of a truncated file: %v, want ErrTruncated naming the file", err)
			}
			if bolttest.SHA256(t, path) != before {
				t.Fatal("the refused file was changed")
			}
		})
	}
}

// A file cut inside its first page has no meta page left to say how long it
// should be; bbolt refuses it.
func TestFileCutInsideItsFirstPageIsRefused(t *testing.T) {
	dir, path := filled(t)
	if err := os.Truncate(path, 100); err != nil {
		t.Fatal(err)
	}
	for _, o := range openings {
		if _, err := bolt.Open(dir, o.opts); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s open of a 100-byte file: %v, want an error naming the file", o.name, err)
		}
	}
}

func TestNotADatabaseIsRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, bolt.FileName)
	if err := os.WriteFile(path, []byte(strings.Repeat("not a database\n", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, o := range openings {
		_, err := bolt.Open(dir, o.opts)
		if err == nil || !strings.Contains(err.Error(), "not a database this build can read") {
			t.Errorf("%s open of a text file: %v", o.name, err)
		}
	}
}

func TestDamagedPageIsFoundByCheckPages(t *testing.T) {
	dir, path := filled(t)
	page := bolttest.DamagePage(t, path)
	b, err := bolt.Open(dir, bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("a plain read-only open does not read the damaged page: %v", err)
	}
	defer b.Close()
	err = b.CheckPages(ctx)
	var d *bolt.DamageError
	if !errors.As(err, &d) || !errors.Is(err, bolt.ErrDamaged) {
		t.Fatalf("CheckPages on a damaged file: %v, want a *DamageError", err)
	}
	if !mentionsPage(d.Problems, page) {
		t.Fatalf("no problem names the damaged page %d: %v", page, d.Problems)
	}
}

func mentionsPage(problems []error, page int) bool {
	for _, p := range problems {
		if strings.Contains(p.Error(), fmt.Sprint(page)) {
			return true
		}
	}
	return false
}

func TestServeRefusesDamagedPagesAtOpen(t *testing.T) {
	dir, path := filled(t)
	page := bolttest.DamagePage(t, path)
	before := bolttest.SHA256(t, path)
	_, err := bolt.Open(dir, serveOptions)
	var d *bolt.DamageError
	if !errors.As(err, &d) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("serve open of a damaged file: %v, want a *DamageError naming the file", err)
	}
	if d.Background || !mentionsPage(d.Problems, page) {
		t.Fatalf("want the damaged page %d found before Open returned: %+v", page, d)
	}
	if bolttest.SHA256(t, path) != before {
		t.Fatal("the refused file was changed")
	}
}

// Above SyncCheckLimit, Open returns at once and the background scan puts
// the backend in the damaged state when it finds the page.
func TestBackgroundCheckRefusesWorkOnceItFindsDamage(t *testing.T) {
	dir, path := filled(t)
	page := bolttest.DamagePage(t, path)
	b, err := bolt.Open(dir, bolt.Options{CheckPages: true, SyncCheckLimit: 1})
	if err != nil {
		t.Fatalf("open with a background check: %v", err)
	}
	defer b.Close()
	err = b.WaitPageCheck(ctx)
	var d *bolt.DamageError
	if !errors.As(err, &d) || !d.Background || !mentionsPage(d.Problems, page) {
		t.Fatalf("background check: %v, want a *DamageError naming page %d", err, page)
	}
	if err := b.View(ctx, func(store.ReadTx) error { return nil }); !errors.Is(err, bolt.ErrDamaged) {
		t.Errorf("View after damage was found: %v", err)
	}
	if err := b.Update(ctx, func(store.WriteTx) error { return nil }); !errors.Is(err, bolt.ErrDamaged) {
		t.Errorf("Update after damage was found: %v", err)
	}
	if _, err := b.Backup(ctx, io.Discard); !errors.Is(err, bolt.ErrDamaged) {
		t.Errorf("Backup after damage was found: %v", err)
	}
}

func TestBackgroundCheckPassesASoundFile(t *testing.T) {
	dir, _ := filled(t)
	b, err := bolt.Open(dir, bolt.Options{CheckPages: true, SyncCheckLimit: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.WaitPageCheck(ctx); err != nil {
		t.Fatalf("background check of a sound file: %v", err)
	}
	if err := b.Update(ctx, func(tx store.WriteTx) error { return tx.Put(store.BucketMeta, []byte("k"), []byte("v")) }); err != nil {
		t.Fatal(err)
	}
}

// Close during a background check stops it rather than waiting it out.
func TestCloseStopsABackgroundCheck(t *testing.T) {
	dir, _ := filled(t)
	for range 20 {
		b, err := bolt.Open(dir, bolt.Options{CheckPages: true, SyncCheckLimit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// A damage report names pages and buckets, never a key or a value.
func TestDamageReportHoldsNoKeysOrValues(t *testing.T) {
	dir := t.TempDir()
	b, err := bolt.Open(dir, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = b.Update(ctx, func(tx store.WriteTx) error {
		for i := range 2000 {
			if err := tx.Put(store.BucketRequestReplays, fmt.Appendf(nil, "ada.lovelace@example.org-%05d", i), []byte("Ada Lovelace")); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = b.Close()
	path := filepath.Join(dir, bolt.FileName)
	bolttest.DamagePage(t, path)
	for _, opts := range []bolt.Options{serveOptions, {CheckPages: true, SyncCheckLimit: 1}} {
		b, err := bolt.Open(dir, opts)
		if err == nil {
			err = b.WaitPageCheck(ctx)
			_ = b.Close()
		}
		var d *bolt.DamageError
		if !errors.As(err, &d) {
			t.Fatalf("want damage, got %v", err)
		}
		for _, p := range append(d.Problems, err) {
			for _, personal := range []string{"lovelace", "Lovelace", "example.org", hexOf("lovelace")} {
				if strings.Contains(p.Error(), personal) {
					t.Fatalf("a problem holds %q: %v", personal, p)
				}
			}
		}
	}
}

func hexOf(s string) string { return fmt.Sprintf("%x", s) }

// Writers carry on while the background check reads its snapshot.
func TestBackgroundCheckRunsBesideWriters(t *testing.T) {
	dir, _ := filled(t)
	b, err := bolt.Open(dir, bolt.Options{CheckPages: true, SyncCheckLimit: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	errs := make(chan error, 8)
	for w := range 8 {
		go func() {
			var err error
			for i := 0; i < 50 && err == nil; i++ {
				err = b.Update(ctx, func(tx store.WriteTx) error {
					return tx.Put(store.BucketCases, fmt.Appendf(nil, "w%d-%03d", w, i), []byte(strings.Repeat("x", 500)))
				})
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if err := b.WaitPageCheck(ctx); err != nil {
		t.Fatalf("background check beside writers: %v", err)
	}
	if err := b.CheckPages(ctx); err != nil {
		t.Fatalf("CheckPages after the writes: %v", err)
	}
}
