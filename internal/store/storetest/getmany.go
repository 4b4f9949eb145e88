package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/store"
)

// GetMany answers as Gets one after another would: in the order asked,
// nil for an absent key, an empty value as present, a key asked twice
// twice.
func testGetMany(t *testing.T, h Harness) {
	b, _ := open(t, h)
	for i := range 300 {
		put(t, b, fmt.Sprintf("m/%03d", i), fmt.Sprintf("v%d", i))
	}
	put(t, b, "m/empty", "")
	keys := [][]byte{[]byte("m/007"), []byte("absent"), []byte("m/empty"), []byte("m/299"), []byte("m/007"), []byte("m/000")}
	for i := 10; i < 300; i += 2 { // more than one etcd Txn holds at its default limit
		keys = append(keys, fmt.Appendf(nil, "m/%03d", i))
	}
	err := b.View(ctx, func(tx store.ReadTx) error {
		if got := tx.GetMany(store.BucketMeta, nil); len(got) != 0 {
			t.Errorf("GetMany of no keys returned %d values", len(got))
		}
		got := tx.GetMany(store.BucketMeta, keys)
		if len(got) != len(keys) {
			t.Fatalf("GetMany of %d keys returned %d values", len(keys), len(got))
		}
		for i, k := range keys {
			want := tx.Get(store.BucketMeta, k)
			if (got[i] == nil) != (want == nil) || string(got[i]) != string(want) {
				t.Errorf("GetMany[%d] (%s) = %q (nil %v), want Get's %q (nil %v)", i, k, got[i], got[i] == nil, want, want == nil)
			}
		}
		if got[1] != nil || got[2] == nil || string(got[3]) != "v299" {
			t.Errorf("GetMany = absent %q, empty %q, m/299 %q; want nil, present and empty, v299", got[1], got[2], got[3])
		}
		if other := tx.GetMany(store.BucketNotices, keys[:1]); other[0] != nil {
			t.Errorf("GetMany read %q from another bucket", other[0])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// In a write transaction GetMany sees the transaction's own writes, and
// what it read is guarded as Get's reads are: two writers that each read
// counters with GetMany and increment them lose no increment.
func testGetManyInUpdate(t *testing.T, h Harness) {
	b, _ := open(t, h)
	put(t, b, "g/kept", "old")
	put(t, b, "g/gone", "old")
	err := b.Update(ctx, func(tx store.WriteTx) error {
		if err := tx.Put(store.BucketMeta, []byte("g/kept"), []byte("new")); err != nil {
			return err
		}
		if err := tx.Put(store.BucketMeta, []byte("g/added"), []byte("added")); err != nil {
			return err
		}
		if err := tx.Delete(store.BucketMeta, []byte("g/gone")); err != nil {
			return err
		}
		got := tx.GetMany(store.BucketMeta, [][]byte{[]byte("g/kept"), []byte("g/added"), []byte("g/gone")})
		if string(got[0]) != "new" || string(got[1]) != "added" || got[2] != nil {
			t.Errorf("GetMany in the writing transaction = %q, %q, %q; want new, added, nil", got[0], got[1], got[2])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	counters := [][]byte{[]byte("g/c1"), []byte("g/c2")}
	const writers, rounds = 8, 5
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for range rounds {
				err := b.Update(ctx, func(tx store.WriteTx) error {
					for i, v := range tx.GetMany(store.BucketMeta, counters) {
						n := 0
						if v != nil {
							if _, err := fmt.Sscan(string(v), &n); err != nil {
								return err
							}
						}
						if err := tx.Put(store.BucketMeta, counters[i], fmt.Append(nil, n+1)); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, c := range counters {
		if v, _ := get(t, b, string(c)); v != fmt.Sprint(writers*rounds) {
			t.Errorf("counter %s = %s after %d increments read with GetMany", c, v, writers*rounds)
		}
	}
}
