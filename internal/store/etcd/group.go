package etcd

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"runtime/debug"
	"slices"
	"sort"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

// maxGroup bounds the functions of one group, as in the bolt engine.
const maxGroup = 1000

// requestOverhead is what a Txn request carries besides its operations:
// the raft entry's header and the writer marker's compare, put and get.
const requestOverhead = 1024

type call struct {
	ctx  context.Context
	fn   func(store.WriteTx) error
	done chan error
}

// Update implements store.Backend with a group commit; see the package
// documentation. fn may run more than once.
func (b *Backend) Update(ctx context.Context, fn func(store.WriteTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if b.opts.ReadOnly {
		return fmt.Errorf("%w: the etcd store was opened for reading only", store.ErrReadOnly)
	}
	if b.closed.Load() {
		return errClosed
	}
	c := &call{ctx: ctx, fn: fn, done: make(chan error, 1)}
	b.mu.Lock()
	b.queue = append(b.queue, c)
	start := !b.committing
	if start {
		b.committing = true
		b.inflight.Add(1)
	}
	b.mu.Unlock()
	if start {
		go b.commitLoop()
	}
	return <-c.done
}

// commitLoop commits groups until the queue is empty.
func (b *Backend) commitLoop() {
	defer b.inflight.Done()
	for {
		b.mu.Lock()
		n := min(len(b.queue), maxGroup)
		if n == 0 {
			b.committing = false
			b.mu.Unlock()
			return
		}
		calls := b.queue[:n:n]
		b.queue = b.queue[n:]
		b.mu.Unlock()
		if deferred := b.runGroup(calls); len(deferred) > 0 {
			b.mu.Lock()
			b.queue = append(deferred, b.queue...)
			b.mu.Unlock()
		}
		b.keepOrReleaseTurn()
	}
}

// keepOrReleaseTurn keeps the write lock for the next group while more
// writers wait here and no other process waits for it; taking it again
// would cost two more raft commits.
func (b *Backend) keepOrReleaseTurn() {
	if b.turn == nil {
		return
	}
	b.mu.Lock()
	busy := len(b.queue) > 0
	b.mu.Unlock()
	if busy {
		ctx, cancel := context.WithTimeout(b.ctx, b.opts.AttemptTimeout)
		resp, err := b.cli.Get(ctx, b.keys.writeLock()+"/", clientv3.WithPrefix(), clientv3.WithCountOnly())
		cancel()
		if err == nil && resp.Count == 1 {
			return // only this process's key: nobody else waits
		}
	}
	b.releaseTurn(b.turn)
	b.turn = nil
}

// group is one write transaction shared by several functions.
type group struct {
	b      *Backend
	s      *snapshot
	cache  map[string]cached
	writes map[string]*write
	read   readSet
	bytes  int
	// id is written to the writer marker by this group's Txn.
	id        string
	writerRev int64
	// lock, when set, is the cluster-wide write lock this process holds
	// for the group (see takeTurn).
	lock *concurrency.Mutex
}

func (b *Backend) newGroup(lock *concurrency.Mutex) (*group, error) {
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	g := &group{
		b: b, s: &snapshot{b: b, ctx: b.ctx}, cache: map[string]cached{},
		writes: map[string]*write{}, read: newReadSet(), id: hex.EncodeToString(id), lock: lock,
	}
	// The first read fixes the snapshot, linearizably.
	kv, err := g.s.get(b.writer)
	if err != nil {
		return nil, err
	}
	if kv != nil {
		g.writerRev = kv.ModRevision
	}
	return g, nil
}

// runGroup runs calls as groups until each has its answer, and returns
// the calls that did not fit this group's Txn, for the next.
//
// A function that fails is answered at once when it saw only the
// snapshot; when it saw writes of functions before it in the group, its
// failure holds only if those commit, so it waits for the group's outcome
// (and runs again with the group if the group must).
func (b *Backend) runGroup(calls []*call) []*call {
	for attempt := 0; ; attempt++ {
		if calls = dropCancelled(calls); len(calls) == 0 {
			return nil
		}
		if b.turn != nil && (b.lostTurn() || attempt > 2*takeTurnAfter+2) {
			// The lease ran out, or the lock's key went: take it anew.
			b.releaseTurn(b.turn)
			b.turn = nil
		}
		if attempt >= takeTurnAfter && b.turn == nil {
			b.turn = b.takeTurn()
		}
		g, err := b.newGroup(b.turn)
		if err != nil {
			answer(calls, err)
			return nil
		}
		var (
			included, deferred []*call
			failed             []*call // failed after seeing the group's writes
			failures           []error
			restart            bool
		)
		for i, c := range calls {
			f := &fnTx{g: g, writes: map[string]*write{}, read: newReadSet()}
			err := c.run(&tx{s: g.s, cache: g.cache, w: f})
			if g.s.err != nil {
				rest := slices.Concat(included, failed, deferred, calls[i:])
				if errors.Is(g.s.err, errSnapshotGone) {
					calls, restart = rest, true
					break
				}
				// The cluster failed a read: the whole group shares it.
				answer(rest, g.s.err)
				return nil
			}
			if err != nil {
				if f.sawPending {
					failed, failures = append(failed, c), append(failures, err)
				} else {
					c.done <- err
				}
				continue
			}
			if tooBig := g.fits(f); tooBig != nil {
				if len(included) == 0 {
					c.done <- tooBig
				} else {
					deferred = append(deferred, c)
				}
				continue
			}
			g.merge(f)
			included = append(included, c)
		}
		if restart {
			continue
		}
		if len(g.writes) == 0 {
			// Nothing to write: the reads were one consistent snapshot.
			answer(included, nil)
			return deferred
		}
		committed, err := b.commit(g)
		switch {
		case err != nil && len(included) > 1 && tooLarge(err):
			// The cluster's limits are lower than configured: one at a time.
			for _, c := range slices.Concat(included, failed) {
				c.done <- b.runAlone(c)
			}
			return deferred
		case err != nil:
			answer(included, err)
			answer(failed, err)
			return deferred
		case committed:
			answer(included, nil)
			for i, c := range failed {
				c.done <- failures[i]
			}
			return deferred
		}
		// Something read changed before the commit: run the group again,
		// after a short random pause so that replicas racing for the same
		// keys spread out.
		calls = slices.Concat(included, failed, deferred)
		time.Sleep(time.Duration(mrand.Int64N(int64(min(attempt+1, 20)) * int64(time.Millisecond))))
	}
}

// takeTurnAfter is how many times a group may lose to other replicas'
// writes before it takes the cluster-wide write lock.
const takeTurnAfter = 2

// takeTurn takes the cluster-wide write lock, for a group that keeps losing
// to writes from other replicas. Commits are optimistic, so a group that
// takes longer to run than other replicas take between commits — a large
// group on a busy replica, all of them reading the audit chain's head —
// could lose every time. Every Txn requires the lock to be free, or held by
// its own process; so while one process holds it, only it commits, and a
// process waiting for it queues behind the holder (etcd's mutex is a fair
// queue). It costs nothing while replicas do not collide: one comparison
// of an empty range. Nil when the lock cannot be had in time; the group
// then goes on without it.
func (b *Backend) takeTurn() *concurrency.Mutex {
	if b.session == nil {
		s, err := concurrency.NewSession(b.cli, concurrency.WithTTL(5), concurrency.WithContext(b.ctx))
		if err != nil {
			return nil
		}
		b.session = s
	}
	select {
	case <-b.session.Done(): // the lease expired: a new one
		b.session = nil
		return b.takeTurn()
	default:
	}
	m := concurrency.NewMutex(b.session, b.keys.writeLock())
	ctx, cancel := context.WithTimeout(b.ctx, b.opts.RetryFor)
	defer cancel()
	if err := m.Lock(ctx); err != nil {
		return nil
	}
	return m
}

// lostTurn reports whether the write lock's lease has ended.
func (b *Backend) lostTurn() bool {
	select {
	case <-b.session.Done():
		return true
	default:
		return false
	}
}

func (b *Backend) releaseTurn(m *concurrency.Mutex) {
	ctx, cancel := context.WithTimeout(b.ctx, b.opts.AttemptTimeout)
	defer cancel()
	_ = m.Unlock(ctx) // else the session's lease lets go of it
}

// runAlone runs one call as a group of its own, to its answer.
func (b *Backend) runAlone(c *call) error {
	defer b.keepOrReleaseTurn()
	done := make(chan error, 1)
	one := &call{ctx: c.ctx, fn: c.fn, done: done}
	b.runGroup([]*call{one}) // a lone call is never deferred
	return <-done
}

func answer(calls []*call, err error) {
	for _, c := range calls {
		c.done <- err
	}
}

func dropCancelled(calls []*call) []*call {
	kept := calls[:0]
	for _, c := range calls {
		if err := c.ctx.Err(); err != nil {
			c.done <- err
			continue
		}
		kept = append(kept, c)
	}
	return kept
}

// run calls the function, turning a panic into an error, as the bolt
// engine does: it runs on the committer's goroutine.
func (c *call) run(t *tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("update function panicked: %v\n%s", p, debug.Stack())
		}
	}()
	return c.fn(t)
}

// cost is the number of comparisons and operations and the bytes of the
// group's Txn if f joined it.
func (g *group) cost(f *fnTx) (compares, ops, bytes int) {
	compares, ops, bytes = 2+len(g.read.keys)+len(g.read.ranges)+len(g.read.scanned), 1+len(g.writes)+len(g.read.deletes), g.bytes+requestOverhead
	for k := range g.read.keys {
		bytes += len(k) + 16
	}
	for _, r := range g.read.ranges {
		bytes += len(r.from) + len(r.end) + 16
	}
	for bkt := range g.read.scanned {
		bytes += len(g.b.keys.deleted(bkt)) + 16
	}
	for bkt := range g.read.deletes {
		bytes += len(g.b.keys.deleted(bkt)) + 16
	}
	if f == nil {
		return
	}
	for k := range f.read.keys {
		if _, ok := g.read.keys[k]; !ok {
			compares++
			bytes += len(k) + 16
		}
	}
	compares += len(f.read.ranges)
	for _, r := range f.read.ranges {
		bytes += len(r.from) + len(r.end) + 16
	}
	for bkt := range f.read.scanned {
		if !g.read.scanned[bkt] {
			compares++
			bytes += len(g.b.keys.deleted(bkt)) + 16
		}
	}
	for bkt := range f.read.deletes {
		if !g.read.deletes[bkt] {
			ops++
			bytes += len(g.b.keys.deleted(bkt)) + 16
		}
	}
	for k, w := range f.writes {
		if old, ok := g.writes[k]; ok {
			bytes -= opSize(k, old)
		} else {
			ops++
		}
		bytes += opSize(k, w)
	}
	return
}

// fits returns nil when f can join the group's Txn, or the error that says
// which limit it would break.
func (g *group) fits(f *fnTx) error {
	compares, ops, bytes := g.cost(f)
	limits := g.b.opts
	switch {
	case compares > limits.MaxTxnOps || ops > limits.MaxTxnOps:
		return fmt.Errorf("%w: it needs %d comparisons and %d writes, over the cluster's --max-txn-ops=%d; nothing was written", ErrTooLarge, compares, ops, limits.MaxTxnOps)
	case bytes > limits.MaxRequestBytes:
		return fmt.Errorf("%w: it is about %d bytes, over the cluster's --max-request-bytes=%d; nothing was written", ErrTooLarge, bytes, limits.MaxRequestBytes)
	}
	return nil
}

func (g *group) merge(f *fnTx) {
	for k, rev := range f.read.keys {
		g.read.keys[k] = rev
	}
	g.read.ranges = append(g.read.ranges, f.read.ranges...)
	for bkt := range f.read.scanned {
		g.read.scanned[bkt] = true
	}
	for bkt := range f.read.deletes {
		g.read.deletes[bkt] = true
	}
	for k, w := range f.writes {
		if old, ok := g.writes[k]; ok {
			g.bytes -= opSize(k, old)
		}
		g.writes[k] = w
		g.bytes += opSize(k, w)
	}
}

func tooLarge(err error) bool {
	return errors.Is(err, ErrTooLarge)
}

// commit sends the group's Txn and reports whether it committed; false
// with no error means a comparison failed. An unknown outcome is resolved
// by sending the same Txn again: see the package documentation.
func (b *Backend) commit(g *group) (bool, error) {
	next := g.s.rev + 1
	cmps := make([]clientv3.Cmp, 0, 1+len(g.read.keys)+len(g.read.ranges)+len(g.read.scanned))
	cmps = append(cmps, clientv3.Compare(clientv3.ModRevision(b.writer), "=", g.writerRev))
	if g.lock != nil {
		cmps = append(cmps, g.lock.IsOwner())
	} else {
		// Nobody holds or waits for the write lock.
		cmps = append(cmps, clientv3.Compare(clientv3.CreateRevision(b.keys.writeLock()+"/"), "=", 0).WithPrefix())
	}
	keys := make([]string, 0, len(g.read.keys))
	for k := range g.read.keys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		cmps = append(cmps, clientv3.Compare(clientv3.ModRevision(k), "=", g.read.keys[k]))
	}
	for _, r := range g.read.ranges {
		cmps = append(cmps, clientv3.Compare(clientv3.ModRevision(r.from), "<", next).WithRange(r.end))
	}
	for bkt := range g.read.scanned {
		cmps = append(cmps, clientv3.Compare(clientv3.ModRevision(b.keys.deleted(bkt)), "<", next))
	}
	ops := make([]clientv3.Op, 0, 1+len(g.writes)+len(g.read.deletes))
	for k, w := range g.writes {
		if w.deleted {
			ops = append(ops, clientv3.OpDelete(k))
		} else {
			ops = append(ops, clientv3.OpPut(k, string(w.value)))
		}
	}
	for bkt := range g.read.deletes {
		ops = append(ops, clientv3.OpPut(b.keys.deleted(bkt), ""))
	}
	ops = append(ops, clientv3.OpPut(b.writer, g.id))

	// A large transaction (a migration, a store copy's batch) takes the
	// members longer to apply: its attempts wait longer, and at least two
	// fit in the retries.
	perAttempt := b.opts.AttemptTimeout * time.Duration(1+(len(ops)+len(cmps))/256)
	deadline := time.Now().Add(max(b.opts.RetryFor, 2*perAttempt))
	wait := 20 * time.Millisecond
	sent := false
	for {
		until := time.Now().Add(perAttempt)
		if deadline.Before(until) {
			until = deadline
		}
		ctx, cancel := context.WithDeadline(b.ctx, until)
		resp, err := b.cli.Txn(ctx).If(cmps...).Then(ops...).Else(clientv3.OpGet(b.writer)).Commit()
		cancel()
		if err == nil {
			if resp.Succeeded {
				b.noSpace.Store(nil)
				return true, nil
			}
			if kvs := resp.Responses[0].GetResponseRange().GetKvs(); sent && len(kvs) == 1 && string(kvs[0].Value) == g.id {
				b.noSpace.Store(nil)
				return true, nil // an earlier attempt committed
			}
			return false, nil
		}
		switch {
		case errors.Is(err, rpctypes.ErrRequestTooLarge):
			return false, fmt.Errorf("%w: the cluster refused it as over its --max-request-bytes (this process assumes %d); nothing was written", ErrTooLarge, b.opts.MaxRequestBytes)
		case status.Code(err) == codes.ResourceExhausted:
			// The member's gRPC server refused the message before etcd saw it.
			return false, fmt.Errorf("%w: the cluster refused it as over its --max-request-bytes (this process assumes %d); nothing was written: %v", ErrTooLarge, b.opts.MaxRequestBytes, err)
		case errors.Is(err, rpctypes.ErrTooManyOps):
			return false, fmt.Errorf("%w: the cluster refused it as over its --max-txn-ops (this process assumes %d); nothing was written", ErrTooLarge, b.opts.MaxTxnOps)
		case errors.Is(err, rpctypes.ErrNoSpace):
			refused := &fault.StorageUnavailable{Cause: fmt.Errorf("etcd: the cluster is out of space (its database reached --quota-backend-bytes): compact and defragment it, then disarm the alarm: %w", err)}
			b.noSpace.Store(refused)
			return false, refused
		case !transient(err):
			return false, err
		}
		sent = true
		if b.ctx.Err() != nil || !time.Now().Before(deadline) {
			return false, &fault.Unavailable{
				Description: "the etcd cluster did not confirm a write within " + b.opts.RetryFor.String() + "; it may or may not have been applied",
				Ambiguous:   true, Cause: err,
			}
		}
		select {
		case <-b.ctx.Done():
		case <-time.After(wait):
		}
		wait = min(2*wait, 500*time.Millisecond)
	}
}

// WritesFailing returns the cluster's refusal of the last commit for want
// of space (its NOSPACE alarm) while no commit has succeeded since, and nil
// otherwise; see store.WriteHealth.
func (b *Backend) WritesFailing() error {
	if refused := b.noSpace.Load(); refused != nil {
		return refused
	}
	return nil
}
