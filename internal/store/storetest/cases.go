package storetest

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

func openStore(t *testing.T, h Harness) *store.Store {
	t.Helper()
	b, _ := open(t, h)
	s, err := store.Open(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func storedCase(id, reference, requestID, state, assignee, due string) *cases.Case {
	return &cases.Case{
		ID: id, Reference: reference, RequestID: requestID, Notices: []cases.CaseNotice{{NoticeRef: cases.NoticeRef{ID: "notice-a"}, Version: 1}},
		ReceivedOn: "2026-03-02", State: cases.State(state), Assignee: assignee,
		Clock: cases.Clock{Due: due, StatutoryDue: due},
	}
}

// keepReplay stores what a create under c's request id keeps, which is
// how the request id finds c (store.CaseIDByRequestID).
func keepReplay(tx store.WriteTx, c *cases.Case) error {
	if c.RequestID == "" {
		return nil
	}
	return store.PutRequestReplay(tx, c.RequestID, store.RequestReplay{CaseID: c.ID, Fingerprint: []byte("fingerprint of " + c.ID),
		StatusToken: "token of " + c.ID, Created: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)})
}

// indexIDs lists the case ids an index bucket holds, in key order.
func indexIDs(t *testing.T, s *store.Store, b store.Bucket) []string {
	t.Helper()
	var ids []string
	err := s.View(ctx, func(tx store.ReadTx) error {
		return tx.Scan(b, nil, func(k, _ []byte) (bool, error) {
			ids = append(ids, store.IndexedCaseID(k))
			return true, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// testCaseIndexes checks that PutCase keeps every secondary index equal to
// what the stored cases imply, through creation and through changes that
// move or remove entries.
func testCaseIndexes(t *testing.T, h Harness) {
	s := openStore(t, h)
	a := storedCase("01A", "RD-AAAA-AAAA", "req-a", "in_progress", "alice", "2026-04-02")
	b := storedCase("01B", "RD-BBBB-BBBB", "", "new", "", "2026-03-20")
	c := storedCase("01C", "RD-CCCC-CCCC", "req-c", "closed", "alice", "2026-03-10")
	a.Rights = []cases.RequestedRight{{Right: "erasure"}}
	c.Rights = a.Rights
	for _, cs := range []*cases.Case{a, b, c} {
		err := s.Update(ctx, func(tx store.WriteTx) error {
			if err := store.PutCase(tx, nil, cs); err != nil {
				return err
			}
			return keepReplay(tx, cs)
		})
		if err != nil {
			t.Fatalf("PutCase(%s): %v", cs.ID, err)
		}
	}
	want := map[store.Bucket][]string{
		store.BucketOpenByDue:  {"01B", "01A"}, // earliest due first; closed cases are not open
		store.BucketByAssignee: {"01A"},
		store.BucketByState:    {"01C", "01A", "01B"}, // grouped by state name, then due
		store.BucketByReceived: {"01A", "01B", "01C"},
		store.BucketByNotice:   {"01A", "01B", "01C"},
		// Open cases by notice, then by right, each in due order.
		store.BucketOpenByTerm: {"01B", "01A", "01A"},
		store.BucketClosed:     {"01C"},
	}
	checkIndexes(t, s, want)
	if got := termIDs(t, s, store.OpenRightPrefix("erasure")); !slices.Equal(got, []string{"01A"}) {
		t.Errorf("open cases asking for erasure: %v, want [01A]", got)
	}
	if got := termIDs(t, s, store.OpenNoticePrefix("notice-a")); !slices.Equal(got, []string{"01B", "01A"}) {
		t.Errorf("open cases naming notice-a: %v, want [01B 01A] in due order", got)
	}

	err := s.View(ctx, func(tx store.ReadTx) error {
		for _, cs := range []*cases.Case{a, b, c} {
			if err := store.CaseIndexesConsistent(tx, cs); err != nil {
				return err
			}
			got, err := store.GetCase(tx, cs.ID)
			if err != nil || got.Reference != cs.Reference {
				t.Errorf("GetCase(%s) = %v, %v", cs.ID, got, err)
			}
		}
		if id, err := store.CaseIDByReference(tx, "RD-BBBB-BBBB"); id != "01B" || err != nil {
			t.Errorf("CaseIDByReference = %q, %v", id, err)
		}
		if id, err := store.CaseIDByRequestID(tx, "req-c"); id != "01C" || err != nil {
			t.Errorf("CaseIDByRequestID = %q, %v", id, err)
		}
		for _, lookup := range []func(store.ReadTx, string) (string, error){store.CaseIDByReference, store.CaseIDByRequestID} {
			for _, key := range []string{"", "missing"} {
				if _, err := lookup(tx, key); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("lookup of %q: %v, want ErrNotFound", key, err)
				}
			}
		}
		if _, err := store.GetCase(tx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetCase(nope): %v, want ErrNotFound", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Closing a leaves the open and assignee indexes; b is picked up by bob
	// with a new due date, so its entries move rather than multiply.
	closed := *a
	closed.State = "closed"
	moved := *b
	moved.State, moved.Assignee, moved.Clock.Due = "in_progress", "bob", "2026-05-01"
	for _, pair := range [][2]*cases.Case{{a, &closed}, {b, &moved}} {
		if err := s.Update(ctx, func(tx store.WriteTx) error { return putOver(tx, pair[0], pair[1]) }); err != nil {
			t.Fatal(err)
		}
	}
	want[store.BucketOpenByDue] = []string{"01B"}
	want[store.BucketByAssignee] = []string{"01B"}
	want[store.BucketByState] = []string{"01C", "01A", "01B"}
	want[store.BucketOpenByTerm] = []string{"01B"}
	want[store.BucketClosed] = []string{"01A", "01C"}
	checkIndexes(t, s, want)

	// A write that fails after PutCase leaves neither the case nor its indexes.
	boom := errors.New("boom")
	d := storedCase("01D", "RD-DDDD-DDDD", "req-d", "new", "", "2026-03-01")
	err = s.Update(ctx, func(tx store.WriteTx) error {
		if err := store.PutCase(tx, nil, d); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v, want the callback's error", err)
	}
	checkIndexes(t, s, want)
	_ = s.View(ctx, func(tx store.ReadTx) error {
		if _, err := store.CaseIDByReference(tx, d.Reference); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("rolled-back case is reachable by reference: %v", err)
		}
		return nil
	})
}

// termIDs lists the case ids BucketOpenByTerm holds under prefix.
func termIDs(t *testing.T, s *store.Store, prefix string) []string {
	t.Helper()
	var ids []string
	err := s.View(ctx, func(tx store.ReadTx) error {
		return tx.Scan(store.BucketOpenByTerm, []byte(prefix), func(k, _ []byte) (bool, error) {
			if !bytes.HasPrefix(k, []byte(prefix)) {
				return false, nil
			}
			ids = append(ids, store.IndexedCaseID(k))
			return true, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// putOver stores c in place of old (nil for a new case), as a caller that
// read old in the same transaction would.
func putOver(tx store.WriteTx, old, c *cases.Case) error {
	var before store.CaseIndex
	if old != nil {
		var err error
		if before, err = store.IndexOf(tx, old); err != nil {
			return err
		}
	}
	return store.PutCase(tx, before, c)
}

func checkIndexes(t *testing.T, s *store.Store, want map[store.Bucket][]string) {
	t.Helper()
	for b, ids := range want {
		if got := indexIDs(t, s, b); !slices.Equal(got, ids) {
			t.Errorf("index %s holds %v, want %v", b, got, ids)
		}
	}
}

// testAuditChain checks that AppendEvent links each event to the head,
// indexes it by case, keeps payloads apart and records the head.
func testAuditChain(t *testing.T, h Harness) {
	s := openStore(t, h)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	payload, payloadHash, err := audit.SealPayload([]byte(`{"note":"called"}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	appends := []struct {
		caseID  string
		payload *audit.Payload
	}{{"01A", nil}, {"01B", nil}, {"01A", &payload}}
	for i, ap := range appends {
		e := &audit.Event{CaseID: ap.caseID, Time: at.Add(time.Duration(i) * time.Minute), Actor: "tester", Action: "case.changed"}
		if ap.payload != nil {
			e.PayloadHash = payloadHash
		}
		if err := s.Update(ctx, func(tx store.WriteTx) error { return store.AppendEvent(tx, e, ap.payload) }); err != nil {
			t.Fatalf("AppendEvent %d: %v", i, err)
		}
	}

	err = s.View(ctx, func(tx store.ReadTx) error {
		var v audit.Verifier
		if err := store.EachEvent(tx, v.Next); err != nil {
			return err
		}
		seq, head, err := store.AuditHead(tx)
		if err != nil {
			return err
		}
		if seq != 3 || !bytes.Equal(head, v.Head()) {
			t.Errorf("recorded head %d %x, chain ends at %d %x", seq, head, v.Count(), v.Head())
		}
		if err := v.CheckHead(seq, head); err != nil {
			t.Errorf("CheckHead: %v", err)
		}
		events, payloads, err := store.CaseEvents(tx, "01A")
		if err != nil {
			return err
		}
		if len(events) != 2 || events[0].Seq != 1 || events[1].Seq != 3 {
			t.Fatalf("case 01A events %+v, want seq 1 and 3", events)
		}
		if payloads[0] != nil || payloads[1] == nil || !payloads[1].Matches(events[1].PayloadHash) {
			t.Errorf("payloads %v do not match their events", payloads)
		}
		if other, _, _ := store.CaseEvents(tx, "01"); len(other) != 0 {
			t.Errorf("a case id prefix matched %d events of other cases", len(other))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// testOverlongKey checks that a case whose index key would pass
// store.MaxKeySize is refused with ErrKeyTooLong and leaves nothing behind,
// on every engine alike.
func testOverlongKey(t *testing.T, h Harness) {
	s := openStore(t, h)
	long := storedCase("01L", "RD-LLLL-LLLL", "", "in_progress", strings.Repeat("a", 40000), "2026-04-02")
	err := s.Update(ctx, func(tx store.WriteTx) error { return store.PutCase(tx, nil, long) })
	if !errors.Is(err, store.ErrKeyTooLong) {
		t.Fatalf("PutCase with a 40,000-byte assignee: %v, want ErrKeyTooLong", err)
	}
	err = s.View(ctx, func(tx store.ReadTx) error {
		if _, err := store.GetCase(tx, "01L"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the refused case was stored (%v)", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if ids := indexIDs(t, s, store.BucketByReference); len(ids) != 0 {
		t.Errorf("index entries of the refused case: %v", ids)
	}
}
