package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/store"
)

// testFailingWriterFailsAlone runs writers that succeed beside writers that
// refuse having written nothing (a stale etag found by reading) and
// writers that fail after writing, all at once behind a held commit so
// that engines grouping concurrent writers put them in the same groups.
// Each must get its own answer, and only the successful writes may land.
func testFailingWriterFailsAlone(t *testing.T, h Harness) {
	b, _ := open(t, h)
	const each = 8
	type writer struct {
		key   string
		want  error // nil for a writer that succeeds
		write bool  // whether it writes before failing
	}
	var writers []writer
	for i := range each {
		writers = append(writers,
			writer{key: fmt.Sprintf("valid-%d", i)},
			writer{key: fmt.Sprintf("refused-%d", i), want: fmt.Errorf("refusal %d", i)},
			writer{key: fmt.Sprintf("partial-%d", i), want: fmt.Errorf("failure %d after writing", i), write: true},
		)
	}
	release, held := make(chan struct{}), make(chan error, 1)
	go func() {
		held <- b.Update(ctx, func(tx store.WriteTx) error {
			<-release
			return tx.Put(store.BucketMeta, []byte("holder"), []byte("holder"))
		})
	}()
	var started, wg sync.WaitGroup
	errs := make([]error, len(writers))
	started.Add(len(writers))
	for i, w := range writers {
		wg.Go(func() {
			started.Done()
			errs[i] = b.Update(ctx, func(tx store.WriteTx) error {
				if w.want != nil && !w.write {
					_ = tx.Get(store.BucketMeta, []byte("holder"))
					return w.want
				}
				if err := tx.Put(store.BucketMeta, []byte(w.key), []byte(w.key)); err != nil {
					return err
				}
				return w.want
			})
		})
	}
	started.Wait()
	close(release)
	wg.Wait()
	if err := <-held; err != nil {
		t.Fatalf("holding writer: %v", err)
	}
	for i, w := range writers {
		switch {
		case w.want == nil && errs[i] != nil:
			t.Errorf("%s failed: %v", w.key, errs[i])
		case w.want != nil && !errors.Is(errs[i], w.want):
			t.Errorf("%s returned %v, want its own error %q", w.key, errs[i], w.want)
		}
		_, found := get(t, b, w.key)
		if found != (w.want == nil) {
			t.Errorf("%s: stored %v, want stored only when it succeeded", w.key, found)
		}
	}
}
