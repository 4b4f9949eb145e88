package store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

var ctx = context.Background()

// The requester's details, which no problem may show.
var personal = []string{"Grace", "Hopper", "grace@example.org", "grace", "hopper"}

// fixture is a store with cases made through the domain code: open and
// assigned (a, with a request id), open and unassigned (b), and closed (c).
type fixture struct {
	st      *store.Store
	a, b, c *cases.Case
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	w, st := caseworktest.New(t, t.TempDir(), time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	create := func(requestID string) *cases.Case {
		t.Helper()
		res, err := w.Create(ctx, "token:test", cases.NewCase{Notices: []cases.NoticeRef{{ID: "it-service-desk", Context: "employment"}},
			Rights: []notice.Right{notice.RightAccess}, ReceivedOn: "2026-02-20", RequestID: requestID,
			Requester: cases.Requester{Person: cases.Person{Name: "Grace Hopper", Email: "grace@example.org"}, Relationship: cases.RelationshipSelf},
		})
		if err != nil {
			t.Fatal(err)
		}
		return res.Case
	}
	f := &fixture{st: st, a: create("grace-request-1"), b: create(""), c: create("")}
	var err error
	if f.a, err = w.Apply(ctx, "token:test", f.a.ID, f.a.Etag(), cases.Assign{Assignee: "alice"}); err != nil {
		t.Fatal(err)
	}
	if f.a, err = w.Apply(ctx, "token:test", f.a.ID, f.a.Etag(), cases.AddNote{Text: "Called Grace Hopper back."}); err != nil {
		t.Fatal(err)
	}
	if f.c, err = w.Apply(ctx, "token:test", f.c.ID, f.c.Etag(), cases.Close{On: "2026-03-02", Outcome: cases.OutcomeWithdrawn}); err != nil {
		t.Fatal(err)
	}
	return f
}

// corrupt changes the store behind its API, through the backend.
func (f *fixture) corrupt(t *testing.T, fn func(tx store.WriteTx) error) {
	t.Helper()
	if err := f.st.Backend().Update(ctx, fn); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) check(t *testing.T) *store.Consistency {
	t.Helper()
	var r *store.Consistency
	err := f.st.View(ctx, func(tx store.ReadTx) (err error) {
		r, err = store.CheckConsistency(tx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range r.Problems {
		for _, s := range personal {
			if strings.Contains(p.String(), s) {
				t.Errorf("problem %q shows personal data %q", p, s)
			}
		}
	}
	return r
}

// wantProblem fails the test unless r reports a problem in bucket b about
// caseID (when not "") and seq (when not 0) whose detail holds detail.
func wantProblem(t *testing.T, r *store.Consistency, b store.Bucket, caseID string, seq uint64, detail string) {
	t.Helper()
	for _, p := range r.Problems {
		if p.Bucket == b && (caseID == "" || p.CaseID == caseID) && (seq == 0 || p.Seq == seq) && strings.Contains(p.Detail, detail) {
			return
		}
	}
	t.Fatalf("no problem in %s about case %q event %d saying %q; got %v", b, caseID, seq, detail, r.Problems)
}

// entryOf returns a copy of the key of case id's entry in index b.
func (f *fixture) entryOf(t *testing.T, b store.Bucket, id string) []byte {
	t.Helper()
	var key []byte
	err := f.st.View(ctx, func(tx store.ReadTx) error {
		return tx.Scan(b, nil, func(k, v []byte) (bool, error) {
			if string(v) == id || (len(v) == 0 && store.IndexedCaseID(k) == id) || (b == store.BucketRequestReplays && store.ReplayCaseID(v) == id) {
				key = bytes.Clone(k)
				return false, nil
			}
			return true, nil
		})
	})
	if err != nil || key == nil {
		t.Fatalf("case %s has no entry in %s (%v)", id, b, err)
	}
	return key
}

// indexes are the case indexes, each with the case of a fixture to take
// an entry of.
var indexes = map[store.Bucket]func(*fixture) *cases.Case{
	store.BucketByState:     func(f *fixture) *cases.Case { return f.c },
	store.BucketByNotice:    func(f *fixture) *cases.Case { return f.b },
	store.BucketByReceived:  func(f *fixture) *cases.Case { return f.b },
	store.BucketByReference: func(f *fixture) *cases.Case { return f.c },
	store.BucketOpenByDue:   func(f *fixture) *cases.Case { return f.b },
	store.BucketByAssignee:  func(f *fixture) *cases.Case { return f.a },
	store.BucketByRequester: func(f *fixture) *cases.Case { return f.a },
	// A create's replay record is its request id's entry.
	store.BucketRequestReplays: func(f *fixture) *cases.Case { return f.a },
}

func TestConsistencyOfAHealthyStore(t *testing.T) {
	f := newFixture(t)
	r := f.check(t)
	if !r.OK() {
		t.Fatalf("a store written through the domain code has problems: %v", r.Problems)
	}
	// 3 cases; at least state, notice, received, reference and the requester
	// index for each; events for 3 creates, an assignment, a note and a close.
	if r.Cases != 3 || r.IndexEntries < 15 || r.Events < 6 {
		t.Fatalf("checked %d cases, %d index entries, %d events", r.Cases, r.IndexEntries, r.Events)
	}
}

func TestConsistencyFindsAMissingEntryInEachIndex(t *testing.T) {
	for b, pick := range indexes {
		t.Run(string(b), func(t *testing.T) {
			f := newFixture(t)
			c := pick(f)
			key := f.entryOf(t, b, c.ID)
			f.corrupt(t, func(tx store.WriteTx) error { return tx.Delete(b, key) })
			r := f.check(t)
			wantProblem(t, r, b, c.ID, 0, "missing")
			if len(r.Problems) != 1 {
				t.Errorf("one deleted entry gave %d problems: %v", len(r.Problems), r.Problems)
			}
		})
	}
}

func TestConsistencyFindsAStaleEntryInEachIndex(t *testing.T) {
	for b := range indexes {
		t.Run(string(b), func(t *testing.T) {
			f := newFixture(t)
			// An entry for a that a's record does not imply: in the
			// reference and request-id indexes a key no case has, pointing
			// at a; elsewhere a key ending in a's id that no case implies.
			key, value := append([]byte("2026-01-01/"), f.a.ID...), []byte(nil)
			switch b {
			case store.BucketByReference:
				key, value = []byte("RD-ZZZZ-ZZZZ"), []byte(f.a.ID)
			case store.BucketRequestReplays:
				key, value = []byte("req-no-case-used"), store.ReplayRecordNaming(f.a.ID)
			case store.BucketByRequester:
				key = append(append(bytes.Repeat([]byte{7}, 32), '/'), f.a.ID...)
			}
			f.corrupt(t, func(tx store.WriteTx) error { return tx.Put(b, key, value) })
			r := f.check(t)
			wantProblem(t, r, b, f.a.ID, 0, "stale")
			if len(r.Problems) != 1 {
				t.Errorf("one stale entry gave %d problems: %v", len(r.Problems), r.Problems)
			}
		})
	}
}

func TestConsistencyFindsEntriesForCasesThatDoNotExist(t *testing.T) {
	f := newFixture(t)
	const ghost = "01JZZZZZZZZZZZZZZZZZZZZZZZ"
	f.corrupt(t, func(tx store.WriteTx) error {
		if err := tx.Put(store.BucketOpenByDue, []byte("2026-04-01/"+ghost), nil); err != nil {
			return err
		}
		return tx.Put(store.BucketRequestReplays, []byte("someone-else"), store.ReplayRecordNaming(ghost))
	})
	r := f.check(t)
	wantProblem(t, r, store.BucketOpenByDue, "", 0, "points at case "+ghost+", which does not exist")
	wantProblem(t, r, store.BucketRequestReplays, "", 0, "points at case "+ghost+", which does not exist")
}

func TestConsistencyFindsReferenceAndRequestIDPointingAtAnotherCase(t *testing.T) {
	f := newFixture(t)
	f.corrupt(t, func(tx store.WriteTx) error {
		if err := tx.Put(store.BucketByReference, []byte(f.a.Reference), []byte(f.b.ID)); err != nil {
			return err
		}
		return tx.Put(store.BucketRequestReplays, []byte(f.a.RequestID), store.ReplayRecordNaming(f.c.ID))
	})
	r := f.check(t)
	wantProblem(t, r, store.BucketByReference, f.a.ID, 0, "points at case "+f.b.ID+" instead")
	wantProblem(t, r, store.BucketRequestReplays, f.a.ID, 0, "points at case "+f.c.ID+" instead")
}

// A damaged key can hold someone's details; the problem shows neither the
// key nor the id it ends in.
func TestConsistencyShowsNoMalformedKey(t *testing.T) {
	f := newFixture(t)
	f.corrupt(t, func(tx store.WriteTx) error {
		if err := tx.Put(store.BucketByState, []byte("grace@example.org"), nil); err != nil {
			return err
		}
		if err := tx.Put(store.BucketByAssignee, []byte("x/Grace Hopper"), nil); err != nil {
			return err
		}
		return tx.Put(store.BucketRequestReplays, []byte("grace-request-2"), store.ReplayRecordNaming("grace@example.org"))
	})
	r := f.check(t) // fails on any personal data shown
	wantProblem(t, r, store.BucketByState, "", 0, "names no case")
	wantProblem(t, r, store.BucketByAssignee, "", 0, "an id that is not shown")
	wantProblem(t, r, store.BucketRequestReplays, "", 0, "an id that is not shown")
}

func eventSeqs(t *testing.T, st *store.Store, id string) []uint64 {
	t.Helper()
	var seqs []uint64
	err := st.View(ctx, func(tx store.ReadTx) error {
		events, _, err := store.CaseEvents(tx, id)
		for _, e := range events {
			seqs = append(seqs, e.Seq)
		}
		return err
	})
	if err != nil || len(seqs) == 0 {
		t.Fatalf("case %s has no events (%v)", id, err)
	}
	return seqs
}

func caseEventKey(id string, seq uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte(id+"/"), seq)
}

func TestConsistencyFindsAMissingCaseEventEntry(t *testing.T) {
	f := newFixture(t)
	seq := eventSeqs(t, f.st, f.a.ID)[1]
	f.corrupt(t, func(tx store.WriteTx) error { return tx.Delete(store.BucketCaseEvents, caseEventKey(f.a.ID, seq)) })
	r := f.check(t)
	wantProblem(t, r, store.BucketCaseEvents, f.a.ID, seq, "missing")
	if len(r.Problems) != 1 {
		t.Errorf("one deleted entry gave %d problems: %v", len(r.Problems), r.Problems)
	}
}

func TestConsistencyFindsCaseEventEntriesTheChainDoesNotHave(t *testing.T) {
	f := newFixture(t)
	seqOfA := eventSeqs(t, f.st, f.a.ID)[0]
	f.corrupt(t, func(tx store.WriteTx) error {
		if err := tx.Put(store.BucketCaseEvents, caseEventKey(f.a.ID, 999), nil); err != nil {
			return err
		}
		return tx.Put(store.BucketCaseEvents, caseEventKey(f.b.ID, seqOfA), nil)
	})
	r := f.check(t)
	wantProblem(t, r, store.BucketCaseEvents, f.a.ID, 999, "an event that does not exist")
	wantProblem(t, r, store.BucketCaseEvents, f.b.ID, seqOfA, "other than the one it names")
	if len(r.Problems) != 2 {
		t.Errorf("two extra entries gave %d problems: %v", len(r.Problems), r.Problems)
	}
}

func TestConsistencyFindsAPayloadWithoutItsEvent(t *testing.T) {
	f := newFixture(t)
	f.corrupt(t, func(tx store.WriteTx) error {
		return tx.Put(store.BucketAuditPayload, binary.BigEndian.AppendUint64(nil, 999), []byte(`{"note":"Grace Hopper"}`))
	})
	wantProblem(t, f.check(t), store.BucketAuditPayload, "", 999, "belongs to no event")
}

// A sealed store opened without its keyring cannot decode its cases: the
// check says so once, rather than report every case as damaged, and still
// checks the audit chain's indexes.
func TestConsistencyOfASealedStoreWithoutItsKeyringSaysSo(t *testing.T) {
	f := newFixture(t)
	f.corrupt(t, func(tx store.WriteTx) error {
		return tx.Put(store.BucketCaseEvents, []byte(f.a.ID+"/\x00\x00\x00\x00\x00\x00\x03\xe7"), nil)
	})
	locked, err := store.OpenReadOnly(ctx, f.st.Backend())
	if err != nil {
		t.Fatal(err)
	}
	var r *store.Consistency
	if err := locked.View(ctx, func(tx store.ReadTx) (err error) {
		r, err = store.CheckConsistency(tx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	wantProblem(t, r, store.BucketCaseKeys, "", 0, "without its keyring")
	wantProblem(t, r, store.BucketCaseEvents, f.a.ID, 999, "an event that does not exist")
	if len(r.Problems) != 2 {
		t.Errorf("got %d problems, want the keyring and the stray event: %v", len(r.Problems), r.Problems)
	}
}

func TestConsistencyKeepsAtMostMaxProblems(t *testing.T) {
	f := newFixture(t)
	f.corrupt(t, func(tx store.WriteTx) error {
		for range store.MaxProblems + 10 {
			key := append([]byte("2026-01-01/"), rand.Text()...)
			if err := tx.Put(store.BucketByReceived, key, nil); err != nil {
				return err
			}
		}
		return nil
	})
	r := f.check(t)
	if len(r.Problems) != store.MaxProblems || r.Omitted != 10 || r.OK() {
		t.Fatalf("kept %d problems, omitted %d", len(r.Problems), r.Omitted)
	}
}
