package etcd_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
)

var queueCases = flag.Int("queue-cases", 100_000, "cases BenchmarkQueuePage seeds")

// BenchmarkQueuePage is the staff queue's first page as the store sees
// it: the first 51 entries of the open-by-due index (50 to show, one to
// know there is a next page), then their case records, on bbolt and on
// the three-member cluster, the records read one Get at a time (as
// before GetMany) and with one GetMany. Each seeds -queue-cases index
// entries and records of about the size of a stored case, and reports
// the latency percentiles of a page; run it with -benchtime=1000x.
func BenchmarkQueuePage(b *testing.B) {
	ctx := context.Background()
	n := *queueCases
	record := make([]byte, 1500)
	for i := range record {
		record[i] = byte('a' + i%26) // incompressible enough not to flatter bbolt
	}
	rng := rand.New(rand.NewPCG(1, 1))
	entries := make(map[string]string, n) // index key -> case id
	for i := range n {
		id := fmt.Sprintf("01K%023d", i)
		due := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(90)).Format(time.DateOnly)
		entries[due+"/"+id] = id
	}
	seed := func(b *testing.B, be store.Backend) {
		b.Helper()
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range entries {
				if !yield(k) {
					return
				}
			}
		})
		for chunk := range slices.Chunk(keys, 1000) {
			if err := be.Update(ctx, func(tx store.WriteTx) error {
				for _, k := range chunk {
					if err := tx.Put(store.BucketOpenByDue, []byte(k), nil); err != nil {
						return err
					}
					if err := tx.Put(store.BucketCases, []byte(entries[k]), record); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
		}
	}
	page := func(tx store.ReadTx, batched bool) error {
		var ids [][]byte
		err := tx.Scan(store.BucketOpenByDue, nil, func(k, _ []byte) (bool, error) {
			ids = append(ids, []byte(store.IndexedCaseID(k)))
			return len(ids) < 51, nil
		})
		if err != nil {
			return err
		}
		var records [][]byte
		if batched {
			records = tx.GetMany(store.BucketCases, ids)
		} else {
			for _, id := range ids {
				records = append(records, tx.Get(store.BucketCases, id))
			}
		}
		for i, r := range records {
			if len(r) != len(record) {
				return fmt.Errorf("case %s: record of %d bytes, want %d", ids[i], len(r), len(record))
			}
		}
		return nil
	}
	engines := []struct {
		name string
		open func(b *testing.B) store.Backend
	}{
		{"bolt", func(b *testing.B) store.Backend {
			be, err := bolt.Open(b.TempDir(), bolt.Options{})
			if err != nil {
				b.Fatal(err)
			}
			return be
		}},
		{"etcd", func(b *testing.B) store.Backend {
			return openAt(b, fmt.Sprintf("/rdbench/queue-%d/", n))
		}},
	}
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			be := e.open(b)
			defer be.Close()
			var seeded bool
			if err := be.View(ctx, func(tx store.ReadTx) error {
				seeded = tx.Get(store.BucketMeta, []byte("bench-seeded")) != nil
				return nil
			}); err != nil {
				b.Fatal(err)
			}
			if !seeded { // a cluster keeps its data between runs of one process only
				seed(b, be)
				if err := be.Update(ctx, func(tx store.WriteTx) error {
					return tx.Put(store.BucketMeta, []byte("bench-seeded"), []byte("yes"))
				}); err != nil {
					b.Fatal(err)
				}
			}
			for _, batched := range []bool{false, true} {
				name := "gets"
				if batched {
					name = "getmany"
				}
				b.Run(name, func(b *testing.B) {
					// One page untimed: what a server does once after start.
					if err := be.View(ctx, func(tx store.ReadTx) error { return page(tx, batched) }); err != nil {
						b.Fatal(err)
					}
					var took []time.Duration
					for b.Loop() {
						start := time.Now()
						if err := be.View(ctx, func(tx store.ReadTx) error { return page(tx, batched) }); err != nil {
							b.Fatal(err)
						}
						took = append(took, time.Since(start))
					}
					slices.Sort(took)
					at := func(p float64) float64 {
						return float64(took[min(len(took)-1, int(p*float64(len(took))))].Microseconds()) / 1000
					}
					b.ReportMetric(at(0.50), "p50-ms")
					b.ReportMetric(at(0.99), "p99-ms")
				})
			}
		})
	}
}
