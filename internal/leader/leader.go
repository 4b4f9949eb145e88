package leader

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/store"
)

// Elector elects one leader among the replicas.
type Elector interface {
	// Campaign blocks until this replica leads or ctx ends.
	Campaign(ctx context.Context) (Term, error)
}

// Term is one spell of leadership.
type Term interface {
	// Lost is closed when the leadership ends without Resign (the lease
	// expired or could not be renewed).
	Lost() <-chan struct{}
	// Resign ends the leadership at once so another replica can take it.
	Resign(ctx context.Context) error
}

// Local is the Elector of a replica that is alone: it leads at once and
// never loses.
type Local struct{}

// Campaign implements Elector.
func (Local) Campaign(ctx context.Context) (Term, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return localTerm{}, nil
}

type localTerm struct{}

func (localTerm) Lost() <-chan struct{}        { return nil }
func (localTerm) Resign(context.Context) error { return nil }

// Job is background work run on the leader only.
type Job struct {
	Name string
	// Run works until ctx ends (the term ended or the server stops); its
	// writes go through lead.Update. An error other than ctx's is logged
	// and Run is started again after a pause while the term lasts;
	// ErrDeposed ends the term; nil means nothing more to do this term.
	Run func(ctx context.Context, lead *Lead) error
}

// ErrDeposed is returned by Lead.Update once another replica has claimed
// a later epoch; nothing of the transaction is written.
var ErrDeposed = errors.New("leader: another replica has taken over the background work")

// keyEpoch holds the current leader epoch (big-endian) and its replica.
var keyEpoch = []byte("leader_epoch")

// Lead is what a job knows of its term.
type Lead struct {
	Replica string
	Epoch   uint64
	st      *store.Store
}

// Update runs fn in a store transaction that first checks this term still
// holds the current epoch.
func (l *Lead) Update(ctx context.Context, fn func(store.WriteTx) error) error {
	return l.st.Update(ctx, func(tx store.WriteTx) error {
		epoch, _, err := CurrentEpoch(tx)
		if err != nil {
			return err
		}
		if epoch != l.Epoch {
			return fmt.Errorf("%w (epoch %d, this replica's was %d)", ErrDeposed, epoch, l.Epoch)
		}
		return fn(tx)
	})
}

// View runs fn in a read transaction.
func (l *Lead) View(ctx context.Context, fn func(store.ReadTx) error) error {
	return l.st.View(ctx, fn)
}

// CurrentEpoch reads the latest claimed epoch and the replica that claimed
// it (0 and "" before any).
func CurrentEpoch(tx store.ReadTx) (uint64, string, error) {
	raw := tx.Get(store.BucketMeta, keyEpoch)
	if raw == nil {
		return 0, "", nil
	}
	if len(raw) < 8 {
		return 0, "", fmt.Errorf("leader epoch record is corrupt (%d bytes)", len(raw))
	}
	return binary.BigEndian.Uint64(raw), string(raw[8:]), nil
}

func claim(ctx context.Context, st *store.Store, replica string) (epoch uint64, err error) {
	err = st.Update(ctx, func(tx store.WriteTx) error {
		current, _, err := CurrentEpoch(tx)
		if err != nil {
			return err
		}
		epoch = current + 1
		return tx.Put(store.BucketMeta, keyEpoch, append(binary.BigEndian.AppendUint64(nil, epoch), replica...))
	})
	return epoch, err
}

// Runner runs jobs on this replica whenever it leads.
type Runner struct {
	st      *store.Store
	elector Elector
	replica string
	jobs    []Job
	log     *slog.Logger
	// Pause is how long a failed campaign or job waits before trying again.
	Pause time.Duration

	leading atomic.Bool
	epoch   atomic.Uint64
}

// NewRunner returns a Runner; Run starts it.
func NewRunner(st *store.Store, e Elector, replica string, jobs []Job, log *slog.Logger) *Runner {
	return &Runner{st: st, elector: e, replica: replica, jobs: jobs, log: log, Pause: time.Second}
}

// Leading reports whether this replica leads now, and in which epoch.
func (r *Runner) Leading() (bool, uint64) { return r.leading.Load(), r.epoch.Load() }

// Run campaigns, runs the jobs while leading, and campaigns again when the
// term ends, until ctx ends; then it resigns so another replica takes over
// without waiting for a lease to expire.
func (r *Runner) Run(ctx context.Context) {
	for ctx.Err() == nil {
		term, err := r.elector.Campaign(ctx)
		if err != nil {
			if ctx.Err() == nil {
				r.log.Warn("leader election failed; trying again", "error", err)
				r.sleep(ctx)
			}
			continue
		}
		r.lead(ctx, term)
		resignCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		if err := term.Resign(resignCtx); err != nil {
			r.log.Warn("leader: resign failed; the lease will expire instead", "error", err)
		}
		cancel()
	}
}

func (r *Runner) sleep(ctx context.Context) {
	select {
	case <-ctx.Done():
	case <-time.After(r.Pause):
	}
}

// lead runs one term: claim the epoch, run every job, stop them all when
// the term is lost, a job is deposed, or ctx ends.
func (r *Runner) lead(ctx context.Context, term Term) {
	termCtx, end := context.WithCancel(ctx)
	defer end()
	go func() {
		select {
		case <-term.Lost():
			end()
		case <-termCtx.Done():
		}
	}()
	epoch, err := claim(termCtx, r.st, r.replica)
	if err != nil {
		if termCtx.Err() == nil {
			r.log.Warn("leader: could not claim the epoch; stepping down", "error", err)
			r.sleep(ctx)
		}
		return
	}
	r.epoch.Store(epoch)
	r.leading.Store(true)
	defer r.leading.Store(false)
	r.log.Info("leading the background work", "replica", r.replica, "epoch", epoch)
	lead := &Lead{Replica: r.replica, Epoch: epoch, st: r.st}
	var wg sync.WaitGroup
	for _, job := range r.jobs {
		wg.Go(func() {
			for termCtx.Err() == nil {
				err := job.Run(termCtx, lead)
				switch {
				case termCtx.Err() != nil:
				case errors.Is(err, ErrDeposed):
					r.log.Info("leader: deposed; stepping down", "job", job.Name, "epoch", epoch)
					end()
				case err != nil:
					r.log.Error("background job failed; restarting it", "job", job.Name, "error", err)
					r.sleep(termCtx)
				default:
					// Nothing more to do this term; restarting at once would spin.
					<-termCtx.Done()
				}
			}
		})
	}
	// The term lasts until it is lost or the server stops, even with no
	// jobs: ending it early would claim a new epoch, a write, in a loop.
	<-termCtx.Done()
	wg.Wait()
	r.log.Info("no longer leading the background work", "replica", r.replica, "epoch", epoch)
}
