package casework_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

var ctx = context.Background()

// today is the injected date every test runs on.
var today = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// newService opens a store with the built-in catalogue and runs bbolt's
// consistency check when the test ends.
func newService(t testing.TB, dir string) (*casework.Service, *store.Store) {
	t.Helper()
	w, st, backend := openService(t, dir)
	t.Cleanup(func() {
		if err := backend.Check(); err != nil {
			t.Errorf("bbolt consistency check: %v", err)
		}
	})
	return w, st
}

func openService(t testing.TB, dir string) (*casework.Service, *store.Store, *bolt.Backend) {
	t.Helper()
	w, st := caseworktest.New(t, dir, today)
	return w, st, st.Backend().(*bolt.Backend)
}

func request(right notice.Right, requestID string) cases.NewCase {
	return cases.NewCase{Notices: []cases.NoticeRef{{ID: "it-service-desk", Context: "employment"}},
		Rights: []notice.Right{right}, ReceivedOn: "2026-02-20", RequestID: requestID,
		Requester: cases.Requester{Person: cases.Person{Name: "Grace Hopper", Email: "grace@example.org"}, Relationship: cases.RelationshipSelf},
	}
}

func create(t testing.TB, w *casework.Service, r cases.NewCase) *cases.Case {
	t.Helper()
	res, err := w.Create(ctx, "token:test", r)
	if err != nil {
		t.Fatal(err)
	}
	return res.Case
}

func TestCreateIsIdempotentOnRequestID(t *testing.T) {
	w, _ := newService(t, t.TempDir())
	first, err := w.Create(ctx, "token:test", request(notice.RightErasure, "req-1"))
	if err != nil || !first.Created || first.StatusToken == "" {
		t.Fatalf("first create: %+v, %v", first, err)
	}
	// A retry whose first answer was lost gets it again, token and all.
	again, err := w.Create(ctx, "token:test", request(notice.RightErasure, "req-1"))
	if err != nil || again.Created || again.Case.ID != first.Case.ID || again.StatusToken != first.StatusToken {
		t.Fatalf("retry returned %+v, %v; want the first case and its status token, nothing created", again, err)
	}
	// The same id with another request is a client's mistake, not a retry.
	_, err = w.Create(ctx, "token:test", request(notice.RightAccess, "req-1"))
	var reused *fault.RequestReused
	if !errors.As(err, &reused) || reused.Retry || reused.Name != first.Case.Name() || !strings.Contains(err.Error(), first.Case.Reference) {
		t.Fatalf("another request under req-1 returned %v; want a RequestReused naming %s (%s)", err, first.Case.Name(), first.Case.Reference)
	}
	if page, _ := w.List(ctx, usecase.Query{Limit: 10}); len(page.Cases) != 1 {
		t.Fatalf("%d cases after a retried create, want 1", len(page.Cases))
	}
}

func TestRetriedCreateGivesTheStatusTokenForAnHourOnly(t *testing.T) {
	now := clock.NewManual(today)
	st := caseworktest.OpenStore(t, t.TempDir())
	w := serviceOn(t, st, now)
	first, err := w.Create(ctx, "token:test", request(notice.RightErasure, "req-1"))
	if err != nil {
		t.Fatal(err)
	}
	// Sealed with the case's key: the token is in no replay record, as it
	// is or as the base64 of JSON bytes.
	encoded := base64.StdEncoding.EncodeToString([]byte(first.StatusToken))
	kept := func() (records int) {
		t.Helper()
		if err := st.Backend().View(ctx, func(tx store.ReadTx) error {
			for _, b := range []store.Bucket{store.BucketRequestReplays, store.BucketReplayTokens} {
				err := tx.Scan(b, nil, func(_, v []byte) (bool, error) {
					if b == store.BucketReplayTokens {
						records++
					}
					if strings.Contains(string(v), first.StatusToken) || strings.Contains(string(v), encoded) {
						return false, fmt.Errorf("%s holds the status token in clear", b)
					}
					return true, nil
				})
				if err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return records
	}
	if n := kept(); n != 1 {
		t.Fatalf("%d status tokens kept, want 1", n)
	}
	now.Advance(casework.StatusTokenReplay - time.Minute)
	if again, err := w.Create(ctx, "token:test", request(notice.RightErasure, "req-1")); err != nil || again.StatusToken != first.StatusToken {
		t.Fatalf("retry within the hour: %+v, %v; want the status token again", again, err)
	}
	if n, err := w.SweepReplayTokens(ctx, st); err != nil || n != 0 {
		t.Fatalf("sweep within the hour deleted %d (%v), want none", n, err)
	}
	now.Advance(time.Minute)
	again, err := w.Create(ctx, "token:test", request(notice.RightErasure, "req-1"))
	if err != nil || again.Case.ID != first.Case.ID || again.StatusToken != "" {
		t.Fatalf("retry after the hour: %+v, %v; want the case without its token", again, err)
	}
	if n, err := w.SweepReplayTokens(ctx, st); err != nil || n != 1 || kept() != 0 {
		t.Fatalf("sweep after the hour deleted %d (%v), want the one token", n, err)
	}
	// The fingerprint stays: another request under the id is still refused.
	var reused *fault.RequestReused
	if _, err := w.Create(ctx, "token:test", request(notice.RightAccess, "req-1")); !errors.As(err, &reused) {
		t.Fatalf("another request under req-1 after the sweep: %v; want a RequestReused", err)
	}
}

func TestUnknownNoticeIsAFieldError(t *testing.T) {
	w, _ := newService(t, t.TempDir())
	r := request(notice.RightAccess, "")
	r.Notices[0].ID = "nope"
	_, err := w.Create(ctx, "token:test", r)
	var inv *fault.InvalidArgument
	if !errors.As(err, &inv) || inv.Violations[0].Field != "case.notices[0].id" {
		t.Fatalf("got %v, want an invalid case.notices[0].id", err)
	}
}

func TestStaleEtagIsAConflictAndChangesNothing(t *testing.T) {
	w, _ := newService(t, t.TempDir())
	c := create(t, w, request(notice.RightAccess, ""))
	if _, err := w.Apply(ctx, "token:a", c.ID, c.Etag(), cases.Assign{Assignee: "alice"}); err != nil {
		t.Fatal(err)
	}
	_, err := w.Apply(ctx, "token:b", c.ID, c.Etag(), cases.Assign{Assignee: "bob"})
	var conflict *fault.Conflict
	if !errors.As(err, &conflict) {
		t.Fatalf("stale etag: got %v, want a conflict", err)
	}
	got, _ := w.Get(ctx, c.ID)
	if got.Assignee != "alice" || got.Version != 2 {
		t.Fatalf("after a refused update: assignee %q version %d", got.Assignee, got.Version)
	}
	if _, err := w.Apply(ctx, "token:b", "01J00000000000000000000000", "", cases.AddNote{Text: "x"}); !isNotFound(err) {
		t.Fatalf("unknown case: %v", err)
	}
}

func isNotFound(err error) bool {
	var nf *fault.NotFound
	return errors.As(err, &nf)
}

// 64 writers add notes to one case with etags, retrying on conflict: every
// note lands exactly once and the audit chain verifies.
func TestConcurrentEtagWritersLoseNoUpdate(t *testing.T) {
	w, st := newService(t, t.TempDir())
	c := create(t, w, request(notice.RightAccess, ""))
	const writers = 64
	var wg sync.WaitGroup
	var conflicts atomic.Int64
	for i := range writers {
		wg.Go(func() {
			for {
				cur, err := w.Get(ctx, c.ID)
				if err != nil {
					t.Error(err)
					return
				}
				_, err = w.Apply(ctx, "token:w", c.ID, cur.Etag(), cases.AddNote{Text: fmt.Sprintf("note %d", i)})
				var conflict *fault.Conflict
				if errors.As(err, &conflict) {
					conflicts.Add(1)
					continue
				}
				if err != nil {
					t.Error(err)
				}
				return
			}
		})
	}
	wg.Wait()
	got, _ := w.Get(ctx, c.ID)
	seen := map[string]bool{}
	for _, n := range got.Notes {
		seen[n.Text] = true
	}
	if len(got.Notes) != writers || len(seen) != writers || got.Version != writers+1 {
		t.Fatalf("%d notes (%d distinct), version %d; want %d, %d, %d", len(got.Notes), len(seen), got.Version, writers, writers, writers+1)
	}
	if res, err := casework.VerifyChain(ctx, st); err != nil || res.Events != writers+1 {
		t.Fatalf("audit verify: %d events, %v", res.Events, err)
	}
	t.Logf("%d conflicts retried", conflicts.Load())
}

// A randomised concurrent workload over several cases leaves a chain that
// verifies and indexes that match every case.
func TestRandomConcurrentWorkloadKeepsAuditAndIndexesSound(t *testing.T) {
	w, st := newService(t, t.TempDir())
	var ids []string
	for i := range 8 {
		ids = append(ids, create(t, w, request(notice.Rights[i%len(notice.Rights)], "")).ID)
	}
	commands := []cases.Command{
		cases.Assign{Assignee: "alice"}, cases.Assign{Assignee: "bob"}, cases.AddNote{Text: "n"},
		cases.RequestFromRequester{What: cases.WaitingForIdentity}, cases.RecordResponse{},
		cases.RequestFromRequester{What: cases.WaitingForClarification}, cases.Extend{Reason: "complex"},
		cases.Close{Outcome: cases.OutcomeRefused, RefusalReason: "other"}, cases.Reopen{Reason: "more"},
	}
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for range 40 {
				cmd := commands[r.IntN(len(commands))]
				_, err := w.Apply(ctx, "token:g", ids[r.IntN(len(ids))], "", cmd)
				var fp *fault.FailedPrecondition
				var inv *fault.InvalidArgument
				if err != nil && !errors.As(err, &fp) && !errors.As(err, &inv) {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if _, err := casework.VerifyChain(ctx, st); err != nil {
		t.Fatalf("audit verify after the workload: %v", err)
	}
	assertIndexesSound(t, st, ids)
}

func assertIndexesSound(t *testing.T, st *store.Store, ids []string) {
	t.Helper()
	err := st.View(ctx, func(tx store.ReadTx) error {
		for _, id := range ids {
			c, err := store.GetCase(tx, id)
			if err != nil {
				return err
			}
			if err := store.CaseIndexesConsistent(tx, c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Altering one stored event makes verification fail at exactly that event.
func TestTamperingIsDetectedAtTheEvent(t *testing.T) {
	w, st := newService(t, t.TempDir())
	c := create(t, w, request(notice.RightAccess, ""))
	for _, who := range []string{"alice", "bob", "carol"} {
		if _, err := w.Apply(ctx, "token:x", c.ID, "", cases.Assign{Assignee: who}); err != nil {
			t.Fatal(err)
		}
	}
	err := st.Update(ctx, func(tx store.WriteTx) error {
		events, _, err := store.CaseEvents(tx, c.ID)
		if err != nil {
			return err
		}
		e := events[2]
		e.After["assignee"] = "mallory"
		raw, _ := json.Marshal(e) // the layout events had before compression, still read
		return tx.Put(store.BucketAudit, []byte{0, 0, 0, 0, 0, 0, 0, 3}, raw)
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = casework.VerifyChain(ctx, st)
	var br *audit.Break
	if !errors.As(err, &br) || br.Seq != 3 {
		t.Fatalf("verify after tampering with event 3: %v", err)
	}
}

func TestListOrdersByDueAndFilters(t *testing.T) {
	w, _ := newService(t, t.TempDir())
	received := []string{"2026-02-20", "2026-01-05", "2026-02-01", "2025-12-01"}
	var made []*cases.Case
	for _, day := range received {
		r := request(notice.RightAccess, "")
		r.ReceivedOn = day
		made = append(made, create(t, w, r))
	}
	if _, err := w.Apply(ctx, "token:x", made[0].ID, "", cases.Assign{Assignee: "alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Apply(ctx, "token:x", made[2].ID, "", cases.Close{Outcome: cases.OutcomeWithdrawn}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		filter, order string
		want          []int
	}{
		{"", "", []int{3, 1, 0}},                            // open cases, soonest due first
		{"overdue=true", "", []int{3, 1}},                   // due before 2 Mar 2026
		{"assignee=alice", "", []int{0}},                    // through the assignee index
		{`assignee=""`, "", []int{3, 1}},                    // unassigned
		{"state=CASE_STATE_CLOSED", "", []int{2}},           // closed cases through the state index
		{`state=new AND due<"2026-02-06"`, "", []int{3, 1}}, // 1 Jan → 1 Feb... both due before 6 Feb
		{"", "received desc", []int{0, 2, 1, 3}},
		{`notice="it-service-desk"`, "received", []int{3, 1, 2, 0}},
		{`reference="` + made[1].Reference + `"`, "", []int{1}},
		{"right=ERASURE", "", nil},
	}
	for _, tt := range tests {
		page, err := w.List(ctx, usecase.Query{Filter: tt.filter, OrderBy: tt.order, Limit: 10})
		if err != nil {
			t.Fatalf("%q %q: %v", tt.filter, tt.order, err)
		}
		var got, want []string
		for _, c := range page.Cases {
			got = append(got, c.ID)
		}
		for _, i := range tt.want {
			want = append(want, made[i].ID)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("filter %q order %q: got %v, want %v", tt.filter, tt.order, got, want)
		}
	}
	for _, bad := range []string{"colour=red", "state=floating", "due<yesterday", "overdue=maybe", "state"} {
		if _, err := w.List(ctx, usecase.Query{Filter: bad, Limit: 10}); err == nil {
			t.Errorf("filter %q was accepted", bad)
		}
	}
	if _, err := w.List(ctx, usecase.Query{OrderBy: "colour", Limit: 10}); err == nil {
		t.Error("order_by colour was accepted")
	}
}

func TestListPagesWithoutRepeatsOrGaps(t *testing.T) {
	w, _ := newService(t, t.TempDir())
	for i := range 25 {
		r := request(notice.RightAccess, "")
		r.ReceivedOn = fmt.Sprintf("2026-02-%02d", 1+i%20)
		create(t, w, r)
	}
	for _, order := range []string{"due", "received desc"} {
		seen := map[string]bool{}
		q := usecase.Query{OrderBy: order, Limit: 7}
		for pages := 0; ; pages++ {
			page, err := w.List(ctx, q)
			if err != nil || pages > 10 {
				t.Fatalf("%s: page %d: %v", order, pages, err)
			}
			for _, c := range page.Cases {
				if seen[c.ID] {
					t.Fatalf("%s: case %s repeated", order, c.ID)
				}
				seen[c.ID] = true
			}
			if page.Next == nil {
				break
			}
			q.After = page.Next
		}
		if len(seen) != 25 {
			t.Errorf("%s: paged through %d cases, want 25", order, len(seen))
		}
	}
}

func TestStatusNeedsReferenceAndTokenAndSaysNothingElse(t *testing.T) {
	w, _ := newService(t, t.TempDir())
	res, err := w.Create(ctx, "public", request(notice.RightAccess, ""))
	if err != nil {
		t.Fatal(err)
	}
	if c, err := w.Status(ctx, res.Case.Reference, res.StatusToken); err != nil || c.ID != res.Case.ID {
		t.Fatalf("right reference and token: %v", err)
	}
	_, wrongToken := w.Status(ctx, res.Case.Reference, "nope")
	_, wrongRef := w.Status(ctx, "RD-2222-2222", res.StatusToken)
	if wrongToken == nil || wrongRef == nil || wrongToken.Error() != wrongRef.Error() {
		t.Fatalf("wrong token: %v; wrong reference: %v — want the same not-found", wrongToken, wrongRef)
	}
}

// Listing keeps cases decoded between calls; a write must show at once.
func TestListSeesEveryWriteDespiteTheDecodedCache(t *testing.T) {
	w, _ := newService(t, t.TempDir())
	c := create(t, w, request(notice.RightAccess, ""))
	for _, who := range []string{"alice", "bob", "carol"} {
		if _, err := w.List(ctx, usecase.Query{Limit: 10}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Apply(ctx, "token:x", c.ID, "", cases.Assign{Assignee: who}); err != nil {
			t.Fatal(err)
		}
		page, err := w.List(ctx, usecase.Query{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Cases) != 1 || page.Cases[0].Assignee != who {
			t.Fatalf("after assigning %s, List shows %+v", who, page.Cases)
		}
	}
}
