package bolt

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/store"
)

var ctx = context.Background()

func openTest(t *testing.T) *Backend {
	t.Helper()
	b, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.Check(); err != nil {
			t.Errorf("bbolt consistency check: %v", err)
		}
		_ = b.Close()
	})
	return b
}

// holdCommit starts a commit that stays in progress until the returned
// function is called, so that Updates made meanwhile queue up as one group.
func holdCommit(t *testing.T, b *Backend) (release func()) {
	t.Helper()
	started, unblock, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- b.Update(ctx, func(store.WriteTx) error {
			close(started)
			<-unblock
			return nil
		})
	}()
	<-started
	return func() {
		close(unblock)
		if err := <-done; err != nil {
			t.Errorf("held commit: %v", err)
		}
	}
}

// waitQueued waits until n calls wait for the next commit, which holdCommit
// keeps from starting.
func waitQueued(t *testing.T, b *Backend, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		b.mu.Lock()
		queued := len(b.queue)
		b.mu.Unlock()
		if queued >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d calls queued, want %d", queued, n)
		}
	}
}

func putKey(key string) func(store.WriteTx) error {
	return func(tx store.WriteTx) error { return tx.Put(store.BucketMeta, []byte(key), []byte(key)) }
}

func has(t *testing.T, b *Backend, key string) bool {
	t.Helper()
	var found bool
	if err := b.View(ctx, func(tx store.ReadTx) error {
		found = tx.Get(store.BucketMeta, []byte(key)) != nil
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return found
}

// group runs fns as one group behind a held commit and returns each one's
// result, in order.
func group(t *testing.T, b *Backend, fns ...func(store.WriteTx) error) []error {
	t.Helper()
	release := holdCommit(t, b)
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Go(func() { errs[i] = b.Update(ctx, fn) })
		// One at a time, so the group runs them in the order given.
		waitQueued(t, b, i+1)
	}
	release()
	wg.Wait()
	return errs
}

func TestConcurrentWritersAllLand(t *testing.T) {
	b := openTest(t)
	const writers, each = 64, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				errs <- b.Update(ctx, putKey(fmt.Sprintf("w%02d-%02d", w, i)))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	err := b.View(ctx, func(tx store.ReadTx) error {
		return tx.Scan(store.BucketMeta, []byte("w"), func(k, _ []byte) (bool, error) {
			if k[0] == 'w' {
				n++
			}
			return k[0] == 'w', nil
		})
	})
	if err != nil || n != writers*each {
		t.Fatalf("found %d keys (err %v), want %d", n, err, writers*each)
	}
}

func TestFailingFunctionFailsAloneInItsGroup(t *testing.T) {
	b := openTest(t)
	errRefused := errors.New("refused")
	var failedRuns atomic.Int32
	errs := group(t, b,
		putKey("first"),
		func(tx store.WriteTx) error {
			failedRuns.Add(1)
			if err := putKey("failed")(tx); err != nil {
				return err
			}
			return errRefused
		},
		putKey("last"),
	)
	if errs[0] != nil || errs[2] != nil || !errors.Is(errs[1], errRefused) {
		t.Fatalf("results %v, want nil, refused, nil", errs)
	}
	if !has(t, b, "first") || !has(t, b, "last") || has(t, b, "failed") {
		t.Fatal("want the others' writes and none of the failed function's")
	}
	// Once in the group, then once alone.
	if n := failedRuns.Load(); n != 2 {
		t.Fatalf("failing function ran %d times, want 2", n)
	}
}

func TestPanickingFunctionFailsOnlyItsCaller(t *testing.T) {
	b := openTest(t)
	errs := group(t, b,
		putKey("first"),
		func(tx store.WriteTx) error {
			if err := putKey("panicked")(tx); err != nil {
				return err
			}
			panic("boom")
		},
		putKey("last"),
	)
	if errs[0] != nil || errs[2] != nil || errs[1] == nil || !strings.Contains(errs[1].Error(), "boom") {
		t.Fatalf("results %v, want nil, a panic error, nil", errs)
	}
	if !has(t, b, "first") || !has(t, b, "last") || has(t, b, "panicked") {
		t.Fatal("want the others' writes and none of the panicking function's")
	}
}

func TestCancelledWhileQueuedNeverRuns(t *testing.T) {
	b := openTest(t)
	cancelled, cancel := context.WithCancel(ctx)
	var ran atomic.Bool
	release := holdCommit(t, b)
	cancelledErr, keptErr := make(chan error, 1), make(chan error, 1)
	go func() {
		cancelledErr <- b.Update(cancelled, func(tx store.WriteTx) error {
			ran.Store(true)
			return putKey("cancelled")(tx)
		})
	}()
	go func() { keptErr <- b.Update(ctx, putKey("kept")) }()
	waitQueued(t, b, 2)
	cancel()
	release()
	if err := <-cancelledErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Update returned %v, want context.Canceled", err)
	}
	if err := <-keptErr; err != nil {
		t.Fatalf("other Update returned %v", err)
	}
	if ran.Load() || has(t, b, "cancelled") || !has(t, b, "kept") {
		t.Fatal("want the cancelled function never run and the other committed")
	}
}

// countRuns wraps fn to count how often the store runs it.
func countRuns(runs *atomic.Int32, fn func(store.WriteTx) error) func(store.WriteTx) error {
	return func(tx store.WriteTx) error {
		runs.Add(1)
		return fn(tx)
	}
}

func TestRefusalWithoutWritesLeavesItsGroupAlone(t *testing.T) {
	b := openTest(t)
	errStale := errors.New("stale etag")
	var firstRuns, refusedRuns, lastRuns atomic.Int32
	errs := group(t, b,
		countRuns(&firstRuns, putKey("first")),
		countRuns(&refusedRuns, func(tx store.WriteTx) error {
			if tx.Get(store.BucketMeta, []byte("first")) == nil {
				return errors.New("the earlier writer's put is not visible")
			}
			return errStale
		}),
		countRuns(&lastRuns, putKey("last")),
	)
	if errs[0] != nil || errs[2] != nil || !errors.Is(errs[1], errStale) {
		t.Fatalf("results %v, want nil, stale etag, nil", errs)
	}
	if !has(t, b, "first") || !has(t, b, "last") {
		t.Fatal("the others' writes did not land")
	}
	// Nothing to undo, so nothing runs again: each function ran once.
	for name, runs := range map[string]*atomic.Int32{"first": &firstRuns, "refused": &refusedRuns, "last": &lastRuns} {
		if n := runs.Load(); n != 1 {
			t.Errorf("%s ran %d times, want 1", name, n)
		}
	}
}

func TestRefusalInAFailedCommitGetsTheCommitsError(t *testing.T) {
	b := openTest(t)
	errStale := errors.New("stale etag")
	// Every commit after the held one fails.
	var commits atomic.Int32
	fail := func() error {
		if commits.Add(1) == 1 {
			return nil
		}
		return syscall.ENOSPC
	}
	b.commitFault.Store(&fail)
	errs := group(t, b,
		putKey("first"),
		func(store.WriteTx) error { return errStale },
	)
	// The refusal was decided on a write that never landed, so it does
	// not hold; the caller learns what did happen.
	for i, err := range errs {
		if !errors.Is(err, syscall.ENOSPC) {
			t.Errorf("call %d returned %v, want the commit's ENOSPC", i, err)
		}
	}
}

// The writer's totals count each transaction and the writers it held,
// and the time spent running their functions and committing.
func TestWriterStatsCountCommitsWritersAndTime(t *testing.T) {
	b := openTest(t)
	before := b.WriterStats()
	for i, err := range group(t, b, putKey("a"), putKey("b"), putKey("c")) {
		if err != nil {
			t.Fatalf("writer %d: %v", i, err)
		}
	}
	got := b.WriterStats()
	// The held commit, then the group of three queued behind it.
	if commits, calls := got.Commits-before.Commits, got.Calls-before.Calls; commits != 2 || calls != 4 {
		t.Errorf("%d commits of %d writers, want 2 of 4", commits, calls)
	}
	if got.Running <= before.Running || got.Committing <= before.Committing {
		t.Errorf("running %v, committing %v: want both to grow from %v, %v", got.Running, got.Committing, before.Running, before.Committing)
	}
}

func TestACommitLingersOnlyWhileWritersArriveTogether(t *testing.T) {
	for _, c := range []struct {
		lastGroup, queued int
		want              bool
	}{
		{lastGroup: 1, queued: 1, want: false},               // a lone writer after a lone writer
		{lastGroup: 1, queued: lingerGroup - 1, want: false}, // the first commit of a burst
		{lastGroup: 2, queued: 1, want: true},
		{lastGroup: 64, queued: lingerGroup - 1, want: true},
		{lastGroup: 64, queued: lingerGroup, want: false}, // enough to share a commit
		{lastGroup: 64, queued: maxGroup, want: false},
	} {
		if got := lingers(c.lastGroup, c.queued); got != c.want {
			t.Errorf("after a group of %d with %d queued: lingers %v, want %v", c.lastGroup, c.queued, got, c.want)
		}
	}
}
