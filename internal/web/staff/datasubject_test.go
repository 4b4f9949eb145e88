package staff_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// subjectSearch is the form that names the person by email address.
func subjectSearch(token, email string) url.Values {
	return url.Values{"csrf_token": {token}, "subject-email": {email}}
}

func TestDataSubjectPagesAreForAdministratorsOnly(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	c := s.openCase()
	cw := s.browser()
	cw.signIn("cw@example.org")
	_, page := cw.get("/staff/")
	token := csrfIn(t, page)
	if resp, _ := cw.get("/staff/data-subjects"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("caseworker GET: status %d, want 403", resp.StatusCode)
	}
	for _, path := range []string{"", "/export", "/export.json", "/rectify", "/erase"} {
		form := subjectSearch(token, "ada@example.org")
		form.Set("step", "confirm")
		form.Set("new-name", "Mallory")
		form.Set("reason", "because")
		form.Set("case", c.ID)
		if resp, _ := cw.post("/staff/data-subjects"+path, form); resp.StatusCode != http.StatusForbidden {
			t.Errorf("caseworker POST /staff/data-subjects%s: status %d, want 403", path, resp.StatusCode)
		}
	}
	admin, _ := s.admin("admin@example.org")
	if resp, _ := admin.post("/staff/data-subjects/rectify", url.Values{"subject-email": {"ada@example.org"}, "step": {"confirm"}, "new-name": {"Mallory"}, "reason": {"x"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a correction without the anti-forgery token: status %d, want 403", resp.StatusCode)
	}
	if got, _ := s.work.Get(context.Background(), c.ID); got.Requester.Person.Name != "Ada Lovelace" || got.Version != c.Version {
		t.Errorf("the case changed under refused requests: %+v", got.Requester.Person)
	}
}

func TestDataSubjectSearchAndExport(t *testing.T) {
	s := newSite(t, nil)
	c := s.openCase()
	admin, token := s.admin("admin@example.org")
	resp, body := admin.get("/staff/data-subjects")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `method="post" action="/staff/data-subjects"`) {
		t.Fatalf("the search page: %d", resp.StatusCode)
	}

	resp, body = admin.post("/staff/data-subjects", url.Values{"csrf_token": {token}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#subject-email"`) {
		t.Errorf("an empty search: %d, want the error on the form", resp.StatusCode)
	}
	resp, body = admin.post("/staff/data-subjects", url.Values{"csrf_token": {token}, "subject-email": {"ada@example.org"}, "subject-name": {"Ada"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "only one of") {
		t.Errorf("a search two ways: %d, want it refused as ambiguous", resp.StatusCode)
	}
	resp, body = admin.post("/staff/data-subjects", subjectSearch(token, "nobody@example.org"))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "0 cases found") || !strings.Contains(body, "No case is about this person") {
		t.Errorf("nobody: %d", resp.StatusCode)
	}
	resp, body = admin.post("/staff/data-subjects", subjectSearch(token, "ADA@example.org"))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, c.Reference) || !strings.Contains(body, `name="subject-email" value="ADA@example.org"`) {
		t.Fatalf("the search: %d, want the case and the search carried on", resp.StatusCode)
	}

	resp, body = admin.post("/staff/data-subjects/export.json", subjectSearch(token, "ada@example.org"))
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") || strings.Contains(resp.Header.Get("Content-Disposition"), "ada") {
		t.Fatalf("the JSON export: %d %v", resp.StatusCode, resp.Header)
	}
	var export usecase.SubjectExport
	if err := json.Unmarshal([]byte(body), &export); err != nil || len(export.Cases) != 1 || export.Cases[0].Reference != c.Reference {
		t.Fatalf("the JSON export: %v %s", err, body)
	}

	resp, body = admin.post("/staff/data-subjects/export", subjectSearch(token, "ada@example.org"))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Case "+c.Reference) || !strings.Contains(body, "ada@example.org") || !strings.Contains(body, "Audit trail") {
		t.Fatalf("the readable export: %d", resp.StatusCode)
	}
	events, _ := s.work.Events(context.Background(), c.ID)
	me := s.find("admin@example.org")
	exported := 0
	for _, e := range events {
		if e.Action == "case.subject_exported" {
			exported++
			if e.Actor != me.Actor() {
				t.Errorf("the export names %q, want the administrator", e.Actor)
			}
		}
	}
	if exported != 2 {
		t.Errorf("%d exports recorded, want 2", exported)
	}
	if strings.Contains(s.log.String(), "ada@example.org") {
		t.Error("the log carries the person's email address")
	}
}

func TestDataSubjectRectifyChecksThenCorrects(t *testing.T) {
	s := newSite(t, nil)
	c := s.openCase()
	admin, token := s.admin("admin@example.org")
	form := subjectSearch(token, "ada@example.org")
	resp, body := admin.post("/staff/data-subjects/rectify", form)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Correct this person’s details") {
		t.Fatalf("the correction form: %d", resp.StatusCode)
	}
	form.Set("step", "check")
	form.Set("new-email", "not an address")
	resp, body = admin.post("/staff/data-subjects/rectify", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#new-email"`) || !strings.Contains(body, `href="#reason"`) {
		t.Fatalf("a bad correction: %d, want the email and the reason marked", resp.StatusCode)
	}
	form.Set("new-email", "ada.king@example.org")
	form.Set("reason", "She married and asked us to update it.")
	resp, body = admin.post("/staff/data-subjects/rectify", form)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Check the correction") || !strings.Contains(body, `name="new-email" value="ada.king@example.org"`) {
		t.Fatalf("the check page: %d", resp.StatusCode)
	}
	if got, _ := s.work.Get(context.Background(), c.ID); got.Version != c.Version {
		t.Fatal("the check page changed the case")
	}
	form.Set("step", "confirm")
	resp, body = admin.post("/staff/data-subjects/rectify", form)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Details corrected") || !strings.Contains(body, c.Reference) {
		t.Fatalf("the confirmation: %d", resp.StatusCode)
	}
	if got, _ := s.work.Get(context.Background(), c.ID); got.Requester.Person.Email != "ada.king@example.org" {
		t.Errorf("the case's requester is %+v", got.Requester.Person)
	}
}

func TestDataSubjectEraseShowsWhyNotThenErases(t *testing.T) {
	s := newSite(t, nil)
	open := s.openCase()
	closed := s.openCase()
	closed, err := s.work.Apply(context.Background(), "token:test", closed.ID, "", cases.Close{Outcome: cases.OutcomeWithdrawn})
	if err != nil {
		t.Fatal(err)
	}
	admin, token := s.admin("admin@example.org")
	resp, body := admin.post("/staff/data-subjects/erase", subjectSearch(token, "ada@example.org"))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Erase 1 case") || !strings.Contains(body, "the case is open") ||
		!strings.Contains(body, `name="case" value="`+closed.ID+`"`) || strings.Contains(body, `name="case" value="`+open.ID+`"`) {
		t.Fatalf("the erasure check: %d\n%s", resp.StatusCode, body)
	}
	form := subjectSearch(token, "ada@example.org")
	form.Set("step", "confirm")
	form.Set("case", closed.ID)
	resp, body = admin.post("/staff/data-subjects/erase", form)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Erasure done") || !strings.Contains(body, "Erased") {
		t.Fatalf("the erasure: %d", resp.StatusCode)
	}
	if got, _ := s.work.Get(context.Background(), closed.ID); got.Purged == nil {
		t.Error("the closed case was not erased")
	}
	if got, _ := s.work.Get(context.Background(), open.ID); got.Purged != nil {
		t.Error("the open case was erased")
	}
}
