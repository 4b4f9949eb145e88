package bolt

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/store"
)

// Keys that arrive in order within a few regions (a due date or a notice
// first, then a time-ordered id) fill the pages of the buckets whose keys
// arrive so to 95%, where bbolt's default split leaves every page it
// splits half empty for good.
func TestAppendOrderedBucketsFillTheirPages(t *testing.T) {
	b := openTest(t)
	for _, name := range []store.Bucket{
		store.BucketAudit, store.BucketAuditPayload, store.BucketCases, store.BucketCaseKeys, store.BucketReplayTokens,
		store.BucketOpenByDue, store.BucketOpenByTerm, store.BucketByState, store.BucketByNotice, store.BucketByReceived,
	} {
		t.Run(string(name), func(t *testing.T) {
			if fill := fillInRegions(t, b, name); fill < 0.85 {
				t.Errorf("leaf pages %.0f%% full, want at least 85%%", 100*fill)
			}
		})
	}
	// The contrast that shows the measure can fail: the same keys in a
	// bucket of scattered keys, left at bbolt's default.
	t.Run(string(store.BucketByRequester), func(t *testing.T) {
		if fill := fillInRegions(t, b, store.BucketByRequester); fill > 0.6 {
			t.Errorf("leaf pages %.0f%% full at the default split, want about half", 100*fill)
		}
	})
}

// fillInRegions writes keys in order within five regions, a hundred per
// region per transaction, into an empty bucket, and returns how full its
// leaf pages are.
func fillInRegions(t *testing.T, b *Backend, name store.Bucket) float64 {
	t.Helper()
	const regions, perRegion, perTx = 5, 2000, 100
	for first := 0; first < perRegion; first += perTx {
		if err := b.Update(ctx, func(tx store.WriteTx) error {
			for n := first; n < first+perTx; n++ {
				for r := range regions {
					key := binary.BigEndian.AppendUint64([]byte(fmt.Sprintf("region-%d\x00", r)), uint64(n))
					if err := tx.Put(name, key, make([]byte, 24)); err != nil {
						return err
					}
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	tx, err := b.db.Begin(false)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	s := tx.Bucket([]byte(name)).Stats()
	return float64(s.LeafInuse) / float64(s.LeafAlloc)
}
