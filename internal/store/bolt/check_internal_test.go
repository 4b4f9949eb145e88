package bolt

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt/bolttest"
)

// The background scan reads in short transactions: cut into slices of a
// few hundred keys, it still reads every key once, and still finds a
// damaged page.
func TestPacedScanReadsEveryKeyOnceAcrossManyTransactions(t *testing.T) {
	dir := t.TempDir()
	b, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	const perBucket = 3000
	err = b.Update(ctx, func(tx store.WriteTx) error {
		for i := range perBucket {
			for _, bk := range []store.Bucket{store.BucketCases, store.BucketByState} {
				if err := tx.Put(bk, fmt.Appendf(nil, "k%05d", i), []byte("v")); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	err = b.View(ctx, func(tx store.ReadTx) error {
		for _, bk := range store.Buckets() {
			if err := tx.Scan(bk, nil, func(_, _ []byte) (bool, error) { total++; return true, nil }); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A zero slice ends each transaction at its first look at the clock.
	c := b.scanPages(ctx, scanPace{})
	if d := c.damage(b.path); d != nil {
		t.Fatalf("a sound file: %v", d)
	}
	if c.keys != total {
		t.Errorf("the scan read %d keys, the file holds %d", c.keys, total)
	}
	// A transaction reads at most 255 keys, so each bucket needs
	// perBucket/255 of them, and a rest before each but its first.
	if min := 2 * (perBucket/255 - 1); c.pauses < min {
		t.Errorf("the scan rested %d times, want at least %d: one transaction read too much", c.pauses, min)
	}

	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	page := bolttest.DamagePage(t, b.path)
	b, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if d := b.scanPages(ctx, scanPace{}).damage(b.path); d == nil || !strings.Contains(d.Error(), fmt.Sprint(page)) {
		t.Fatalf("scan of a file with page %d damaged: %v", page, d)
	}
}
