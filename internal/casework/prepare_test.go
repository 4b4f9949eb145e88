package casework_test

import (
	"bytes"
	crand "crypto/rand"
	"sync"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// racingRandom draws the reference the test chose for the first case, and
// holds that case once, inside the read that prepares it (where its audit
// payload takes a salt), until the test lets it go.
type racingRandom struct {
	reference []byte // consumed by the reference's one-byte reads
	prepared  chan struct{}
	proceed   chan struct{}
	once      sync.Once
	mu        sync.Mutex
}

func (r *racingRandom) Read(p []byte) (int, error) {
	r.mu.Lock()
	if len(p) == 1 && len(r.reference) > 0 {
		p[0], r.reference = r.reference[0], r.reference[1:]
		r.mu.Unlock()
		return 1, nil
	}
	r.mu.Unlock()
	if len(p) == audit.SaltSize {
		r.once.Do(func() { close(r.prepared); <-r.proceed })
	}
	return crand.Read(p)
}

// A new case is encoded before its write transaction with a reference found
// free in a read; if another writer takes that reference meanwhile, the
// write draws another and encodes the case and its event again with it,
// rather than storing what was prepared.
func TestAReferenceTakenAfterTheCaseWasPreparedIsDrawnAgain(t *testing.T) {
	_, st := caseworktest.New(t, t.TempDir(), today)
	// Room in the file first, so the write below never waits to grow the
	// mapping while the held read is open.
	room := bytes.Repeat([]byte{1}, 4<<20)
	for _, v := range [][]byte{room, nil} {
		err := st.Update(ctx, func(tx store.WriteTx) error {
			if v == nil {
				return tx.Delete(store.BucketMeta, []byte("test-room"))
			}
			return tx.Put(store.BucketMeta, []byte("test-room"), v)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	zeros := make([]byte, 8)
	taken, err := cases.NewReference(bytes.NewReader(zeros))
	if err != nil {
		t.Fatal(err)
	}
	random := &racingRandom{reference: zeros, prepared: make(chan struct{}), proceed: make(chan struct{})}
	w := casework.New(st, deadline.NewEngine(deadline.BuiltinCalendars()), clock.Fixed(today), random)

	type outcome struct {
		res *usecase.CreateResult
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := w.Create(ctx, "token:test", request(notice.RightAccess, ""))
		done <- outcome{res, err}
	}()
	<-random.prepared
	err = st.Update(ctx, func(tx store.WriteTx) error {
		return tx.Put(store.BucketByReference, []byte(taken), []byte("someone-else"))
	})
	close(random.proceed)
	if err != nil {
		t.Fatal(err)
	}
	got := <-done
	if got.err != nil {
		t.Fatal(got.err)
	}
	ref := got.res.Case.Reference
	if ref == taken {
		t.Fatalf("the case took the reference %s another writer holds", taken)
	}
	stored, err := w.Get(ctx, got.res.Case.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Reference != ref {
		t.Errorf("stored with reference %s, answered with %s", stored.Reference, ref)
	}
	events, err := w.Events(ctx, stored.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].After["reference"] != ref {
		t.Errorf("events %+v: want one, recording the reference %s", events, ref)
	}
	err = st.View(ctx, func(tx store.ReadTx) error {
		if id, err := store.CaseIDByReference(tx, ref); err != nil || id != stored.ID {
			t.Errorf("reference %s finds %q (%v), want the case", ref, id, err)
		}
		return store.CaseIndexesConsistent(tx, stored)
	})
	if err != nil {
		t.Error(err)
	}
}
