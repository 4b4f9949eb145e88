package etcd_test

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/etcd"
)

// fill writes keys with the value "v" in transactions of 500.
func fill(t *testing.T, b store.Backend, bucket store.Bucket, keys []string) {
	t.Helper()
	for chunk := range slices.Chunk(keys, 500) {
		if err := b.Update(context.Background(), func(tx store.WriteTx) error {
			for _, k := range chunk {
				if err := tx.Put(bucket, []byte(k), []byte("v")); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// dueKey is an index key as the open-by-due index has them: a due date,
// then a case id.
func dueKey(i int) string { return fmt.Sprintf("2027-%02d-%02d/%08d", 1+i%12, 1+i%28, i) }

// The first page of an index, scanned either way, makes the member walk
// about a page of keys, not the whole index: once the engine has learnt
// where the keys lie, a page's range ends a page ahead. Only the first
// scan pays a walk to the end, to learn.
func TestAPageCostsAPageNotTheIndex(t *testing.T) {
	ctx := context.Background()
	b := openAt(t, "/rdtest/fences-cost/")
	defer b.Close()
	const n = 20000
	keys := make([]string, n)
	for i := range keys {
		keys[i] = dueKey(i)
	}
	fill(t, b, store.BucketOpenByDue, keys)
	slices.Sort(keys)

	page := func(reverse bool) (got []string, counted int64) {
		err := b.View(ctx, func(tx store.ReadTx) error {
			visit := func(k, _ []byte) (bool, error) {
				got = append(got, string(k))
				return len(got) < 51, nil
			}
			var err error
			if reverse {
				err = tx.ScanReverse(store.BucketOpenByDue, nil, visit)
			} else {
				err = tx.Scan(store.BucketOpenByDue, nil, visit)
			}
			counted, _ = etcd.WalkCost(tx)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return got, counted
	}
	for _, reverse := range []bool{false, true} {
		want := slices.Clone(keys[:51])
		if reverse {
			want = slices.Clone(keys[n-51:])
			slices.Reverse(want)
		}
		first, firstCost := page(reverse)
		again, cost := page(reverse)
		if !slices.Equal(first, want) || !slices.Equal(again, want) {
			t.Fatalf("the first 51 keys (reverse %v) differ from the index's", reverse)
		}
		if cost > 256 {
			t.Errorf("a page of 51 (reverse %v) made the members walk %d keys of %d, want about a page (the first scan walked %d)", reverse, cost, n, firstCost)
		}
	}

	// Keys added where the first page's fences were make its range hold
	// thousands: the next scan pays for that once and learns them.
	var dense []string
	for i := range 5000 {
		dense = append(dense, dueKey(0)+fmt.Sprintf("-%05d", i))
	}
	fill(t, b, store.BucketOpenByDue, dense)
	keys = append(keys, dense...)
	slices.Sort(keys)
	first, staleCost := page(false)
	again, cost := page(false)
	if !slices.Equal(first, keys[:51]) || !slices.Equal(again, keys[:51]) {
		t.Fatal("after keys were added, the first 51 keys differ from the index's")
	}
	if cost > 256 {
		t.Errorf("after 5,000 keys were added under the first page, a page made the members walk %d keys (%d the first time), want about a page", cost, staleCost)
	}
}

// Scans stay right however stale what the engine learnt is: keys added
// densely between fences, runs of keys deleted, by another replica that
// the scanning one does not hear of, forwards and backwards, stopping
// anywhere; GetMany agrees with the model too.
func TestScansStayRightAsTheBucketChanges(t *testing.T) {
	ctx := context.Background()
	const prefix = "/rdtest/fences-model/"
	reader, writer := openAt(t, prefix), openAt(t, prefix)
	defer reader.Close()
	defer writer.Close()
	rng := rand.New(rand.NewPCG(7, 11))
	model := map[string]bool{}
	key := func(i int) string { return fmt.Sprintf("k/%06d", i) }
	var initial []string
	for i := 0; i < 100000; i += 40 {
		initial = append(initial, key(i))
		model[key(i)] = true
	}
	fill(t, writer, store.BucketByReceived, initial)

	change := func(round int) {
		var add, del []string
		switch round % 3 {
		case 0: // a dense run between two fences
			at := rng.IntN(100000)
			for i := at; i < at+600 && i < 100000; i++ {
				add = append(add, key(i))
			}
		case 1: // a run deleted
			at := rng.IntN(100000)
			for k := range model {
				if k >= key(at) && k < key(at+8000) {
					del = append(del, k)
				}
			}
		default: // scattered
			for range 300 {
				add = append(add, key(rng.IntN(100000)))
			}
			for k := range model {
				if rng.IntN(10) == 0 {
					del = append(del, k)
				}
			}
		}
		fill(t, writer, store.BucketByReceived, add)
		for _, k := range add {
			model[k] = true
		}
		if err := writer.Update(ctx, func(tx store.WriteTx) error {
			for _, k := range del {
				if err := tx.Delete(store.BucketByReceived, []byte(k)); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for _, k := range del {
			delete(model, k)
		}
	}

	for round := range 12 {
		sorted := slices.Sorted(maps.Keys(model))
		err := reader.View(ctx, func(tx store.ReadTx) error {
			for range 6 {
				start := key(rng.IntN(110000))
				stopAfter := []int{1, 50, 700, len(sorted) + 1}[rng.IntN(4)]
				for _, reverse := range []bool{false, true} {
					var want []string
					if reverse {
						i, _ := slices.BinarySearch(sorted, start+"\x00")
						want = slices.Clone(sorted[:i])
						slices.Reverse(want)
					} else {
						i, _ := slices.BinarySearch(sorted, start)
						want = sorted[i:]
					}
					want = want[:min(stopAfter, len(want))]
					var got []string
					visit := func(k, _ []byte) (bool, error) {
						got = append(got, string(k))
						return len(got) < stopAfter, nil
					}
					var err error
					if reverse {
						err = tx.ScanReverse(store.BucketByReceived, []byte(start), visit)
					} else {
						err = tx.Scan(store.BucketByReceived, []byte(start), visit)
					}
					if err != nil {
						return err
					}
					if !slices.Equal(got, want) {
						t.Fatalf("round %d: scan from %s (reverse %v, stopping after %d): %d keys, want %d; first difference at %d",
							round, start, reverse, stopAfter, len(got), len(want), firstDifference(got, want))
					}
				}
			}
			asked := make([][]byte, 200)
			for i := range asked {
				asked[i] = []byte(key(rng.IntN(100000)))
			}
			for i, v := range tx.GetMany(store.BucketByReceived, asked) {
				if (v != nil) != model[string(asked[i])] {
					t.Fatalf("round %d: GetMany says %s is present: %v; the model: %v", round, asked[i], v != nil, model[string(asked[i])])
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		change(round)
	}
}

// GetMany is one request for as many keys as a Txn holds, answered from
// the transaction's cache for keys it read already.
func TestGetManyIsOneRequestATxn(t *testing.T) {
	ctx := context.Background()
	const prefix = "/rdtest/getmany-requests/"
	var keys []string
	for i := range 100 {
		keys = append(keys, fmt.Sprintf("c/%03d", i))
	}
	w := openAt(t, prefix)
	fill(t, w, store.BucketCases, keys)
	_ = w.Close()
	cfg := config(prefix)
	cfg.Options.MaxTxnOps = 16 // below the cluster's: a reader may ask for less
	b, err := etcd.Dial(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	asked := make([][]byte, 0, 100)
	for _, i := range rand.New(rand.NewPCG(3, 5)).Perm(100) {
		asked = append(asked, []byte(keys[i]))
	}
	err = b.View(ctx, func(tx store.ReadTx) error {
		_ = tx.Get(store.BucketCases, asked[0]) // fixes the snapshot: one request
		for i, v := range tx.GetMany(store.BucketCases, asked) {
			if string(v) != "v" {
				t.Errorf("GetMany[%d] (%s) = %q, want v", i, asked[i], v)
			}
		}
		if requests, got := etcd.ReadCost(tx); requests != 1+7 || got != 100 {
			t.Errorf("a Get then GetMany of 100 keys (one of them read) at 16 a Txn sent %d requests for %d keys, want 1+7 for 100", requests, got)
		}
		_ = tx.GetMany(store.BucketCases, asked[:50])
		if requests, _ := etcd.ReadCost(tx); requests != 8 {
			t.Errorf("GetMany of keys read already sent %d more requests, want none", requests-8)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(asked[0]), "c/") {
		t.Fatal("the keys are not the bucket's")
	}
}
