package casework_test

import (
	"context"
	crand "crypto/rand"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/notice/catalogue"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/testkeys"
)

// writeWatcher is a backend that counts the failed update functions that
// had put or deleted something before they failed: each such failure
// makes the engine roll back and rerun every writer committing beside it.
type writeWatcher struct {
	store.Backend
	failedAfterWriting atomic.Int32
}

func (w *writeWatcher) Update(ctx context.Context, fn func(store.WriteTx) error) error {
	return w.Backend.Update(ctx, func(tx store.WriteTx) error {
		watched := &watchedTx{WriteTx: tx}
		err := fn(watched)
		if err != nil && watched.wrote {
			w.failedAfterWriting.Add(1)
		}
		return err
	})
}

type watchedTx struct {
	store.WriteTx
	wrote bool
}

func (t *watchedTx) Put(b store.Bucket, key, value []byte) error {
	t.wrote = true
	return t.WriteTx.Put(b, key, value)
}

func (t *watchedTx) Delete(b store.Bucket, key []byte) error {
	t.wrote = true
	return t.WriteTx.Delete(b, key)
}

// serviceOn is a service on st, with the built-in notices stored, whose
// clock is c.
func serviceOn(t *testing.T, st *store.Store, c clock.Clock) *casework.Service {
	t.Helper()
	notices, err := catalogue.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if err := store.AddMissingNotices(ctx, st, notices); err != nil {
		t.Fatal(err)
	}
	return casework.New(st, deadline.NewEngine(deadline.BuiltinCalendars()), c, crand.Reader)
}

// Refusals are the common failure of a busy server's writes (two people
// on one case), so they must be found by reading, before the first write:
// then the group commit answers them alone, at no cost to the others.
func TestRefusalsWriteNothingBeforeFailing(t *testing.T) {
	dir := t.TempDir()
	engine, err := bolt.Open(dir, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	watcher := &writeWatcher{Backend: engine}
	st, err := store.Open(ctx, watcher, store.WithKeyring(testkeys.For(t, dir)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	w := serviceOn(t, st, clock.Fixed(today))
	c := create(t, w, request(notice.RightAccess, ""))
	stale := c.Etag()
	if _, err := w.Apply(ctx, "token:a", c.ID, stale, cases.Assign{Assignee: "alice"}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		etag string
		cmd  cases.Command
		want any
	}{
		{"stale etag", stale, cases.Assign{Assignee: "bob"}, new(*fault.Conflict)},
		{"illegal transition", "", cases.Reopen{Reason: "asked again"}, new(*fault.FailedPrecondition)},
	} {
		_, err := w.Apply(ctx, "token:b", c.ID, tt.etag, tt.cmd)
		if err == nil || !errors.As(err, tt.want) {
			t.Errorf("%s: got %v, want %T", tt.name, err, tt.want)
		}
	}
	if n := watcher.failedAfterWriting.Load(); n != 0 {
		t.Fatalf("%d refused updates wrote before failing; a refusal must return before its first write", n)
	}
}
