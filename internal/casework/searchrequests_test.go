package casework_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/blob"
	"github.com/rightsdesk/rightsdesk/internal/blob/fsblob"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

const publicSite = "https://rights.example.org"

// png is the start of a PNG file, enough for its type to show.
var png = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")

// searchRig is an outbox rig that sends search requests, with a document
// store for what owners send, and one access case received on 20 February
// 2026 and due on Friday 20 March.
type searchRig struct {
	*outboxRig
	docs blob.Store
	c    *cases.Case
}

func newSearchRig(t *testing.T) *searchRig {
	t.Helper()
	docs, err := fsblob.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	r := newOutboxRig(t, casework.PublicSite(publicSite+"/"), casework.WithDocuments(docs))
	c := create(t, r.work, request(notice.RightAccess, ""))
	if c.Clock.Due != "2026-03-20" {
		t.Fatalf("the case is due %s; the tests assume 2026-03-20", c.Clock.Due)
	}
	return &searchRig{outboxRig: r, docs: docs, c: c}
}

var owner = cases.SendSearchRequest{Owner: "Ada Byron", Email: "ada.byron@example.net", Source: "HR system"}

var linkPattern = regexp.MustCompile(regexp.QuoteMeta(publicSite+usecase.SearchLinkPath) + `(\S+)`)

// send sends a search request to owner and returns the token of the link
// its email (the n-th the relay receives) carries.
func (r *searchRig) send(t *testing.T, n int, cmd cases.SendSearchRequest) string {
	t.Helper()
	c, err := r.work.SendSearchRequest(ctx, "token:alice", r.c.ID, "", cmd)
	if err != nil {
		t.Fatal(err)
	}
	r.c = c
	return r.linkIn(t, n)
}

// linkIn waits for the n-th email and returns the token of its link.
func (r *searchRig) linkIn(t *testing.T, n int) string {
	t.Helper()
	email := r.nextEmail(t, n)
	m := linkPattern.FindStringSubmatch(textPart(t, email))
	if m == nil {
		t.Fatalf("email %d carries no link:\n%s", n, textPart(t, email))
	}
	return m[1]
}

func assertLinkRefused(t *testing.T, r *searchRig, token, why string) {
	t.Helper()
	_, err := r.work.SearchTask(ctx, token)
	var nf *fault.NotFound
	if !errors.As(err, &nf) || nf.Name != "search request link" {
		t.Errorf("%s: err = %v, want the one not-found answer for every link that does not work", why, err)
	}
}

// The request's email reaches the owner with the link, the case
// reference, the system and the due date; the case keeps the letter with
// a placeholder for the link and the request with the token's keyed hash
// only: neither the token nor its secret part is anywhere in the store's
// file once the letter has gone.
func TestSearchRequestEmailCarriesTheLinkAndTheStoreOnlyItsHash(t *testing.T) {
	r := newSearchRig(t)
	token := r.send(t, 1, owner)
	email := r.nextEmail(t, 1)
	if len(email.To) != 1 || email.To[0] != owner.Email {
		t.Errorf("the email went to %v, want the owner", email.To)
	}
	says(t, "search request", textPart(t, email), r.c.Reference, "HR system", "Dear Ada Byron", "13 March 2026", "27 March 2026")
	if strings.Contains(textPart(t, email), "Grace Hopper") {
		t.Error("the owner's email names the requester")
	}
	req := r.c.SearchRequests[0]
	if req.Due != "2026-03-13" || req.State != cases.SearchRequestSent || len(req.LinkHash) != cases.SearchLinkHashSize {
		t.Errorf("request = %+v, want due 5 working days before the case", req)
	}
	c := r.waitFor(t, r.c.ID, "the search request is sent", func(c *cases.Case) bool {
		return len(c.Messages) == 1 && c.Messages[0].Delivery.State == cases.DeliverySent
	})
	m := c.Messages[0]
	if m.Kind != cases.KindSearchRequest || m.To != owner.Email || m.Recipient != owner.Owner || m.Template != "search-request" {
		t.Errorf("message = %+v", m)
	}
	body, err := r.work.MessageBody(ctx, c.ID, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(body.Text, token) || !strings.Contains(body.Text, "[link: sent to the data owner only, not kept]") {
		t.Errorf("the kept letter must hold a placeholder for the link:\n%s", body.Text)
	}
	if n := outboxLen(t, r.st); n != 0 {
		t.Fatalf("the outbox holds %d entries after sending", n)
	}
	caseID, secret, _ := strings.Cut(token, ".")
	sawCase := false
	err = filepath.WalkDir(r.dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		sawCase = sawCase || bytes.Contains(raw, []byte(caseID))
		for _, s := range []string{secret, strings.ToUpper(secret)} {
			if bytes.Contains(raw, []byte(s)) {
				t.Errorf("%s holds the link's secret", filepath.Base(path))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !sawCase {
		t.Fatal("no file of the store holds the case id: the scan read the wrong files")
	}

	task, err := r.work.SearchTask(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	want := usecase.SearchTask{Reference: r.c.Reference, RequestID: "r1", Owner: "Ada Byron", System: "HR system", Due: "2026-03-13", LinkUntil: "2026-03-27", State: cases.SearchRequestSent}
	if *task != want {
		t.Errorf("task = %+v, want %+v", *task, want)
	}
	other := strings.Repeat("a", len(secret))
	for _, bad := range []string{"", caseID, caseID + "." + other, caseID + "." + secret[:len(secret)-1], "not-a-case." + secret, strings.ToLower(caseID) + "." + secret} {
		assertLinkRefused(t, r, bad, "a wrong link")
	}
}

func TestSendSearchRequestNeedsARelayAndAPublicAddress(t *testing.T) {
	for name, opts := range map[string][]casework.Option{
		"no relay":          {casework.PublicSite(publicSite)},
		"no public address": {casework.SendLetters(caseworktest.Letters(t))},
	} {
		t.Run(name, func(t *testing.T) {
			w, _ := caseworktest.New(t, t.TempDir(), today, opts...)
			c := create(t, w, request(notice.RightAccess, ""))
			_, err := w.SendSearchRequest(ctx, "token:alice", c.ID, "", owner)
			var pre *fault.FailedPrecondition
			if !errors.As(err, &pre) || !strings.Contains(pre.Description, "cannot send search requests") {
				t.Errorf("err = %v", err)
			}
			if c, _ := w.Get(ctx, c.ID); len(c.SearchRequests) != 0 {
				t.Errorf("a refused request was kept: %+v", c.SearchRequests)
			}
		})
	}
}

// An owner who answers "nothing held" fills in the search record; the
// link then stops working.
func TestOwnerAnswersNothingHeldAndTheSearchRecordFillsItself(t *testing.T) {
	r := newSearchRig(t)
	token := r.send(t, 1, owner)
	task, err := r.work.AnswerSearch(ctx, token, "searched by name and staff number", nil)
	if err != nil {
		t.Fatal(err)
	}
	if task.State != cases.SearchRequestAnsweredNothing || task.Files != 0 {
		t.Errorf("task = %+v", task)
	}
	c, err := r.work.Get(ctx, r.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Searches) != 1 {
		t.Fatalf("searches = %+v", c.Searches)
	}
	s := c.Searches[0]
	if s.Kind != cases.SearchDone || s.Source != "HR system" || s.By != "Ada Byron" || s.On != "2026-03-02" ||
		s.Found != "nothing held: searched by name and staff number" || s.RecordedBy != "owner:r1" {
		t.Errorf("search = %+v", s)
	}
	if req := c.SearchRequests[0]; req.State != cases.SearchRequestAnsweredNothing || req.SearchID != s.ID || req.AnsweredOn != "2026-03-02" {
		t.Errorf("request = %+v", req)
	}
	events, err := r.work.Events(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := events[len(events)-1]
	if last.Action != "case.search_request_answered" || last.Actor != "owner:r1" || last.After["search_requests"] != "r1:answered_nothing" || last.After["searched"] != "1" {
		t.Errorf("last event = %+v", last)
	}
	assertLinkRefused(t, r, token, "an answered link")
	if _, err := r.work.AnswerSearch(ctx, token, "again", nil); err == nil {
		t.Error("an answered link took a second answer")
	}
}

// An owner's files become collected records of the case, from the system
// searched, answering the search entry the answer made, added by the
// owner's request.
func TestOwnerUploadsBecomeCollectedRecords(t *testing.T) {
	r := newSearchRig(t)
	token := r.send(t, 1, owner)
	task, err := r.work.AnswerSearch(ctx, token, "", []usecase.Upload{upload("C:\\HR\\file note.pdf", pdf), upload("photo.png", png)})
	if err != nil {
		t.Fatal(err)
	}
	if task.State != cases.SearchRequestAnsweredFound || task.Files != 2 {
		t.Errorf("task = %+v", task)
	}
	c, err := r.work.Get(ctx, r.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Searches) != 1 || c.Searches[0].Found != "2 file(s)" {
		t.Fatalf("searches = %+v", c.Searches)
	}
	if len(c.Documents) != 2 {
		t.Fatalf("documents = %+v", c.Documents)
	}
	for i, name := range []string{"file note.pdf", "photo.png"} {
		d := c.Documents[i]
		if d.Kind != cases.DocumentCollectedRecord || d.Source != "HR system" || d.SearchID != c.Searches[0].ID || d.AddedBy != "owner:r1" || d.Name != name {
			t.Errorf("document %d = %+v", i, d)
		}
	}
}

// A file of a type the case does not take is refused before anything is
// recorded, and what was stored of the answer is removed.
func TestARefusedUploadLeavesNothingBehind(t *testing.T) {
	r := newSearchRig(t)
	token := r.send(t, 1, owner)
	_, err := r.work.AnswerSearch(ctx, token, "", []usecase.Upload{upload("notes.pdf", pdf), upload("virus.exe", []byte("MZ\x90\x00"))})
	var inv *fault.InvalidArgument
	if !errors.As(err, &inv) {
		t.Fatalf("err = %v, want the file refused", err)
	}
	c, err := r.work.Get(ctx, r.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Documents) != 0 || len(c.Searches) != 0 || c.SearchRequests[0].State != cases.SearchRequestSent {
		t.Errorf("a refused answer changed the case: %+v %+v %+v", c.Documents, c.Searches, c.SearchRequests)
	}
	if _, err := r.work.SearchTask(ctx, token); err != nil {
		t.Errorf("the link stopped working after a refused answer: %v", err)
	}
	var kept []string
	if err := r.docs.List(ctx, "", func(i blob.Info) error { kept = append(kept, i.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(kept) != 0 {
		t.Errorf("the document store kept %d file(s) of a refused answer", len(kept))
	}
}

// The chaser goes once, the day after the due date, with a new link that
// replaces the first; a cancelled request is neither chased nor answered.
func TestChaserIsSentOnceAfterTheDueDate(t *testing.T) {
	r := newSearchRig(t)
	first := r.send(t, 1, owner)
	cancelled := owner
	cancelled.Source = "Payroll"
	cancelledLink := r.send(t, 2, cancelled)
	if _, err := r.work.Apply(ctx, "token:alice", r.c.ID, "", cases.CancelSearchRequest{ID: "r2"}); err != nil {
		t.Fatal(err)
	}
	assertLinkRefused(t, r, cancelledLink, "a cancelled request's link")

	r.clock.Advance(11 * 24 * time.Hour) // Friday 13 March, the due date
	if n, err := r.work.ChaseSearchRequests(ctx, r.st); err != nil || n != 0 {
		t.Fatalf("on the due date: chased %d (%v), want none", n, err)
	}
	r.clock.Advance(24 * time.Hour)
	if n, err := r.work.ChaseSearchRequests(ctx, r.st); err != nil || n != 1 {
		t.Fatalf("the day after: chased %d (%v), want 1", n, err)
	}
	chaser := r.nextEmail(t, 3)
	says(t, "chaser", textPart(t, chaser), "Reminder", r.c.Reference, "HR system", "13 March 2026", "no longer works")
	second := r.linkIn(t, 3)
	if second == first {
		t.Fatal("the chaser carries the first link again")
	}
	assertLinkRefused(t, r, first, "the first link after the chaser")
	if _, err := r.work.SearchTask(ctx, second); err != nil {
		t.Errorf("the chaser's link does not work: %v", err)
	}
	r.clock.Advance(24 * time.Hour)
	if n, err := r.work.ChaseSearchRequests(ctx, r.st); err != nil || n != 0 {
		t.Fatalf("the next day: chased %d (%v), want none: a request is chased once", n, err)
	}
	c, err := r.work.Get(ctx, r.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.SearchRequests[0].State != cases.SearchRequestChased || c.SearchRequests[0].ChasedOn != "2026-03-14" || c.SearchRequests[1].State != cases.SearchRequestCancelled {
		t.Errorf("requests = %+v", c.SearchRequests)
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(r.relay.Messages()); n != 3 {
		t.Errorf("the relay has %d emails, want the two requests and one chaser", n)
	}
}

// A link works until SearchLinkDays after the due date, then gets the
// same answer as an unknown one.
func TestALinkExpires(t *testing.T) {
	r := newSearchRig(t)
	token := r.send(t, 1, owner)
	r.clock.Advance(25 * 24 * time.Hour) // Friday 27 March, the last day
	if _, err := r.work.SearchTask(ctx, token); err != nil {
		t.Fatalf("on its last day: %v", err)
	}
	r.clock.Advance(24 * time.Hour)
	assertLinkRefused(t, r, token, "an expired link")
	if _, err := r.work.AnswerSearch(ctx, token, "", nil); err == nil {
		t.Error("an expired link took an answer")
	}
}

// The daily chaser finds its cases through the index of open cases with a
// request to chase: an open case without one is never read, so the job
// costs the same beside a million open cases as beside two.
func TestChaserReadsOnlyTheCasesWithARequestToChase(t *testing.T) {
	r := newSearchRig(t)
	r.send(t, 1, owner)
	other := create(t, r.work, request(notice.RightErasure, ""))
	err := r.st.Update(ctx, func(tx store.WriteTx) error {
		return tx.Put(store.BucketCases, []byte(other.ID), []byte("not a case record"))
	})
	if err != nil {
		t.Fatal(err)
	}
	r.clock.Advance(12 * 24 * time.Hour) // the day after the due date
	if n, err := r.work.ChaseSearchRequests(ctx, r.st); err != nil || n != 1 {
		t.Fatalf("chased %d (%v), want the one request, without reading the other case", n, err)
	}
}
