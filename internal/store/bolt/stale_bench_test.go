package bolt

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/store"
)

// BenchmarkStaleWritersBesideValidOnes measures what writers refused by a
// stale etag cost the valid writers committing beside them: in each
// iteration 32 valid writers make 20 writes each, alone and then with 32
// writers that read and refuse (having written nothing) as fast as they
// can meanwhile. It reports the valid writers' rate both ways and their
// ratio, measured in the same run (issue 18 asks for ≥ 0.9).
func BenchmarkStaleWritersBesideValidOnes(b *testing.B) {
	backend, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer backend.Close()
	const writers, each = 32, 20
	value := make([]byte, 1024)
	errStale := errors.New("stale etag")
	round := 0
	valid := func(w int) func(store.WriteTx) error {
		return func(tx store.WriteTx) error {
			key := fmt.Appendf(nil, "case-%02d", w)
			_ = tx.Get(store.BucketMeta, key)
			return tx.Put(store.BucketMeta, fmt.Appendf(key, "-%d", round), value)
		}
	}
	stale := func(tx store.WriteTx) error {
		_ = tx.Get(store.BucketMeta, []byte("case-00"))
		return errStale
	}
	run := func(withStale bool) time.Duration {
		var done atomic.Bool
		var staleWG, validWG sync.WaitGroup
		if withStale {
			for range writers {
				staleWG.Go(func() {
					for !done.Load() {
						if err := backend.Update(ctx, stale); !errors.Is(err, errStale) {
							b.Errorf("stale writer got %v", err)
							return
						}
					}
				})
			}
		}
		start := time.Now()
		for w := range writers {
			validWG.Go(func() {
				for range each {
					if err := backend.Update(ctx, valid(w)); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		validWG.Wait()
		elapsed := time.Since(start)
		done.Store(true)
		staleWG.Wait()
		return elapsed
	}
	var alone, beside time.Duration
	for b.Loop() {
		round++
		alone += run(false)
		beside += run(true)
	}
	writes := float64(b.N * writers * each)
	b.ReportMetric(writes/alone.Seconds(), "valid-writes/s-alone")
	b.ReportMetric(writes/beside.Seconds(), "valid-writes/s-beside-stale")
	b.ReportMetric(alone.Seconds()/beside.Seconds(), "ratio")
}
