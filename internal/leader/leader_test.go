package leader_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/leader"
	"github.com/rightsdesk/rightsdesk/internal/leader/leadertest"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	b, err := bolt.Open(t.TempDir(), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(t.Context(), b)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// A lone replica leads at once and runs its jobs.
func TestLocalRunsTheJobs(t *testing.T) {
	st := openStore(t)
	ctx, cancel := context.WithCancel(t.Context())
	r := leader.NewRunner(st, leader.Local{}, "solo", []leader.Job{leadertest.StandIn(5 * time.Millisecond)}, slog.New(slog.DiscardHandler))
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	for _, id := range []string{"a", "b", "c"} {
		if err := leadertest.Enqueue(ctx, st, id); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		runs, queued, err := leadertest.Executions(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) == 3 && len(queued) == 0 {
			for _, run := range runs {
				if run.Replica != "solo" || run.Epoch != 1 {
					t.Errorf("execution %+v: want replica solo, epoch 1", run)
				}
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 5s: %d executions, %d still queued", len(runs), len(queued))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if leading, epoch := r.Leading(); !leading || epoch != 1 {
		t.Errorf("Leading() = %v, %d; want true, 1", leading, epoch)
	}
	cancel()
	<-done
}

// scriptedElector hands out terms the test ends by hand.
type scriptedElector struct{ terms chan *scriptedTerm }

type scriptedTerm struct{ lost chan struct{} }

func (e scriptedElector) Campaign(ctx context.Context) (leader.Term, error) {
	select {
	case t := <-e.terms:
		return t, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (t *scriptedTerm) Lost() <-chan struct{}        { return t.lost }
func (t *scriptedTerm) Resign(context.Context) error { return nil }

// A replica that still thinks it leads after another has claimed a later
// epoch writes nothing: its transaction fails with ErrDeposed, and it
// steps down.
func TestADeposedLeaderWritesNothing(t *testing.T) {
	st := openStore(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	started := make(chan *leader.Lead, 1)
	released := make(chan struct{})
	results := make(chan error, 1)
	job := leader.Job{Name: "slow", Run: func(ctx context.Context, lead *leader.Lead) error {
		started <- lead
		<-released // a long pause: a GC stall, a partition
		err := lead.Update(ctx, func(tx store.WriteTx) error {
			return tx.Put(store.BucketMeta, []byte("written-by-old-leader"), nil)
		})
		results <- err
		if err == nil {
			<-ctx.Done()
		}
		return err
	}}
	old := scriptedElector{terms: make(chan *scriptedTerm, 1)}
	old.terms <- &scriptedTerm{lost: make(chan struct{})}
	r := leader.NewRunner(st, old, "old", []leader.Job{job}, slog.New(slog.DiscardHandler))
	go r.Run(ctx)
	lead := <-started
	// Another replica, elected meanwhile, claims the next epoch.
	newer := leader.NewRunner(st, leader.Local{}, "new", nil, slog.New(slog.DiscardHandler))
	newCtx, stopNewer := context.WithCancel(ctx)
	go newer.Run(newCtx)
	for {
		var epoch uint64
		_ = st.View(ctx, func(tx store.ReadTx) (err error) { epoch, _, err = leader.CurrentEpoch(tx); return err })
		if epoch > lead.Epoch {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	stopNewer()
	close(released)
	if err := <-results; !errors.Is(err, leader.ErrDeposed) {
		t.Fatalf("the old leader's write returned %v, want ErrDeposed", err)
	}
	_ = st.View(ctx, func(tx store.ReadTx) error {
		if tx.Get(store.BucketMeta, []byte("written-by-old-leader")) != nil {
			t.Error("the deposed leader's write landed")
		}
		return nil
	})
	deadline := time.Now().Add(5 * time.Second)
	for {
		if leading, _ := r.Leading(); !leading {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the deposed leader did not step down")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A term lasts while the election holds, whatever the jobs do: a replica
// with no jobs, or whose job has finished, claims one epoch, not one per
// turn of a loop (a write each time).
func TestATermOutlastsItsJobs(t *testing.T) {
	for name, jobs := range map[string][]leader.Job{
		"no jobs":            nil,
		"a job that is done": {{Name: "done", Run: func(context.Context, *leader.Lead) error { return nil }}},
	} {
		t.Run(name, func(t *testing.T) {
			st := openStore(t)
			ctx, cancel := context.WithCancel(t.Context())
			r := leader.NewRunner(st, leader.Local{}, "solo", jobs, slog.New(slog.DiscardHandler))
			done := make(chan struct{})
			go func() { r.Run(ctx); close(done) }()
			for leading, _ := r.Leading(); !leading; leading, _ = r.Leading() {
				time.Sleep(time.Millisecond)
			}
			time.Sleep(50 * time.Millisecond) // room for the loop this test guards against
			var epoch uint64
			if err := st.View(ctx, func(tx store.ReadTx) (err error) {
				epoch, _, err = leader.CurrentEpoch(tx)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if epoch != 1 {
				t.Errorf("epoch %d after one term; want 1", epoch)
			}
			cancel()
			<-done
		})
	}
}
