package staff_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// refusedOnField checks a refusal is a page of the form again (422) whose
// error summary links to the field, and that nothing was logged as an error.
func (s *site) refusedOnField(what string, resp *http.Response, body, field string) {
	s.t.Helper()
	if resp.StatusCode != http.StatusUnprocessableEntity {
		s.t.Errorf("%s: status %d, want 422", what, resp.StatusCode)
	}
	if !strings.Contains(body, `govuk-error-summary`) || !strings.Contains(body, `<a href="#`+field+`">`) {
		s.t.Errorf("%s: no error summary linking to #%s", what, field)
	}
	if s.log.Errors() {
		s.t.Errorf("%s: logged as an error of ours:\n%s", what, s.log.String())
	}
}

func TestOverlongInputIsAFieldErrorAndStoresNothing(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	c := s.openCase()
	b := s.browser()
	b.signIn("cw@example.org")
	_, page := b.get("/staff/cases/" + c.ID)
	csrf := csrfIn(t, page)

	resp, body := b.post("/staff/cases/"+c.ID+"/note", url.Values{"csrf_token": {csrf}, "etag": {c.Etag()}, "note-text": {strings.Repeat("n", 20000)}})
	s.refusedOnField("a 20,000-character note", resp, body, "note-text")
	if !strings.Contains(body, "20000 characters long; the limit is 10000") {
		t.Error("the note's error does not say the limit")
	}
	resp, body = b.post("/staff/cases/"+c.ID+"/assign", url.Values{"csrf_token": {csrf}, "etag": {c.Etag()}, "assign-to": {strings.Repeat("a", 200)}})
	s.refusedOnField("a 200-character assignee", resp, body, "assign-to")

	after, err := s.work.Get(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Version != c.Version || len(after.Notes) != 0 || after.Assignee != "" {
		t.Errorf("the refused changes were stored: version %d → %d, %d notes, assignee %q", c.Version, after.Version, len(after.Notes), after.Assignee)
	}

	_, page = b.get("/staff/cases/new?notice=it-service-desk")
	resp, body = b.post("/staff/cases/new", url.Values{
		"csrf_token": {csrfIn(t, page)}, "notice": {"it-service-desk"}, "request-id": {strings.Repeat("r", 40000)},
		"channel": {"post"}, "received-day": {"2"}, "received-month": {"3"}, "received-year": {"2026"}, "rights": {"access"}, "name": {"Grace Hopper"}, "email": {"grace@example.org"},
		"region": {"england-and-wales"}, "relationship": {"self"},
	})
	s.refusedOnField("a 40,000-character request id", resp, body, "channel")
	page1, err := s.work.List(context.Background(), usecase.Query{Limit: 10})
	if err != nil || len(page1.Cases) != 1 {
		t.Errorf("after the refused request: %v cases, %v; want only the first", len(page1.Cases), err)
	}
}

func TestACaseWithEveryNoteItMayHoldStillOpens(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	c := s.openCase()
	note := strings.Repeat("n", cases.MaxNote)
	for range cases.MaxNotes {
		if _, err := s.work.Apply(context.Background(), "token:test", c.ID, "", cases.AddNote{Text: note}); err != nil {
			t.Fatal(err)
		}
	}
	b := s.browser()
	b.signIn("cw@example.org")
	resp, body := b.get("/staff/cases/" + c.ID)
	if resp.StatusCode != http.StatusOK || strings.Count(body, note) != cases.MaxNotes {
		t.Fatalf("case page with %d notes of %d characters: status %d, %d notes shown", cases.MaxNotes, cases.MaxNote, resp.StatusCode, strings.Count(body, note))
	}
	full, err := s.work.Get(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	resp, body = b.post("/staff/cases/"+c.ID+"/note", url.Values{"csrf_token": {csrfIn(t, body)}, "etag": {full.Etag()}, "note-text": {"one more"}})
	s.refusedOnField("a note beyond the last", resp, body, "note-text")
}

// A failure to read the signed-in account is ours: it shows the error
// page and leaves the person signed in, rather than signing them out.
func TestAStoreFailureDoesNotSignAnyoneOut(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	b := s.browser()
	b.signIn("cw@example.org")
	s.accounts.failGet.Store(true)
	resp, _ := b.get("/staff/")
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("queue while accounts cannot be read: status %d (to %q), want 500", resp.StatusCode, resp.Header.Get("Location"))
	}
	s.accounts.failGet.Store(false)
	if resp, _ := b.get("/staff/"); resp.StatusCode != http.StatusOK {
		t.Errorf("queue once accounts can be read again: status %d, want 200 still signed in", resp.StatusCode)
	}
}
