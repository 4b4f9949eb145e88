package staff_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
)

// searchSite is a staff site that sends search requests, with a
// caseworker signed in and an access case received on 10 March 2026, due
// on 10 April.
func searchSite(t *testing.T, opts ...casework.Option) (*site, *browser, *cases.Case) {
	t.Helper()
	s := newSiteWith(t, nil, opts...)
	s.user("cw@example.org", auth.RoleCaseworker)
	c := s.openCase()
	cw := s.browser()
	cw.signIn("cw@example.org")
	return s, cw, c
}

func sendsSearchRequests(t *testing.T) []casework.Option {
	t.Helper()
	return []casework.Option{casework.SendLetters(caseworktest.Letters(t)), casework.PublicSite("http://rights.test")}
}

// A caseworker sends a search request from the case page and sees it
// listed with its owner, system, due date and state; cancelling it from
// its row leaves it listed as cancelled, with no way to cancel it again.
func TestSendAndCancelASearchRequestFromTheCasePage(t *testing.T) {
	s, cw, c := searchSite(t, sendsSearchRequests(t)...)
	_, page := cw.get("/staff/cases/" + c.ID)
	if !strings.Contains(page, `id="send-search-request" href="/staff/cases/`+c.ID+`/search-request"`) {
		t.Fatal("the case page has no link to send a search request")
	}
	resp, form := cw.get("/staff/cases/" + c.ID + "/search-request")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the send page: %d", resp.StatusCode)
	}
	// 5 working days before Friday 10 April 2026 skip Easter Monday and
	// Good Friday in England and Wales.
	for _, want := range []string{"Leave it empty for 1 April 2026", "10 April 2026", `name="request-owner"`, `type="email"`, `name="request-due-day"`, "by its reference only"} {
		if !strings.Contains(form, want) {
			t.Errorf("the send page does not say %q", want)
		}
	}
	banner := cw.done(cw.send(c.ID, "search-request", url.Values{"request-owner": {"Mary Owner"}, "request-email": {"mary@example.net"}, "request-source": {"HR system"}}))
	if banner != "Search request sent: the owner gets an email with their link" {
		t.Errorf("banner %q", banner)
	}
	got := s.get(c.ID)
	if len(got.SearchRequests) != 1 || got.SearchRequests[0].Due != "2026-04-01" || got.SearchRequests[0].SentBy == "" || len(got.Messages) != 1 {
		t.Fatalf("requests %+v, messages %d", got.SearchRequests, len(got.Messages))
	}
	_, page = cw.get("/staff/cases/" + c.ID)
	row := between(t, page, `id="search-request-r1"`, "</div>")
	for _, want := range []string{"HR system", "Asked of Mary Owner, due 1 April 2026", ">Sent<", "Sent on 10 March 2026", "the link works until 15 April 2026", "/cancel-search-request"} {
		if !strings.Contains(row, want) {
			t.Errorf("the request's row lacks %q:\n%s", want, row)
		}
	}
	banner = cw.done(cw.send(c.ID, "cancel-search-request", url.Values{"request-id": {"r1"}}))
	if banner != "Search request cancelled: its link no longer works" {
		t.Errorf("banner %q", banner)
	}
	_, page = cw.get("/staff/cases/" + c.ID)
	row = between(t, page, `id="search-request-r1"`, "</div>")
	if !strings.Contains(row, ">Cancelled<") || !strings.Contains(row, "cancelled on 10 March 2026") || strings.Contains(row, "/cancel-search-request") {
		t.Errorf("the cancelled request's row:\n%s", row)
	}
	if resp, _ := cw.get("/staff/cases/" + c.ID + "/cancel-search-request"); resp.StatusCode != http.StatusConflict {
		t.Errorf("the cancel page with nothing to cancel: %d, want 409", resp.StatusCode)
	}
}

func TestSearchRequestRefusalsComeBackOnTheirFields(t *testing.T) {
	tests := []struct {
		name  string
		form  url.Values
		field string
		says  string
	}{
		{"no owner", url.Values{"request-email": {"mary@example.net"}, "request-source": {"HR"}}, "request-owner", "Enter the owner’s name"},
		{"not an email address", url.Values{"request-owner": {"Mary"}, "request-email": {"mary at example"}, "request-source": {"HR"}}, "request-email", "Enter the email address alone, like name@example.org"},
		{"due after the case", url.Values{"request-owner": {"Mary"}, "request-email": {"mary@example.net"}, "request-source": {"HR"},
			"request-due-day": {"20"}, "request-due-month": {"4"}, "request-due-year": {"2026"}}, "request-due", "The answer must be due before the case is, on 10 April 2026"},
		{"not a date", url.Values{"request-owner": {"Mary"}, "request-email": {"mary@example.net"}, "request-source": {"HR"},
			"request-due-day": {"31"}, "request-due-month": {"2"}, "request-due-year": {"2026"}}, "request-due-day", "Enter a real date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, cw, c := searchSite(t, sendsSearchRequests(t)...)
			resp, body := cw.send(c.ID, "search-request", tt.form)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tt.says) || !strings.Contains(body, `<a href="#`+tt.field) {
				t.Errorf("status %d; want 422 saying %q on %s\n%s", resp.StatusCode, tt.says, tt.field, between(t, body, "govuk-error-summary", "</ul>"))
			}
			if got := s.get(c.ID); len(got.SearchRequests) != 0 {
				t.Errorf("a refused request was kept: %+v", got.SearchRequests)
			}
		})
	}
}

func TestWithoutARelayTheSendPageSaysSo(t *testing.T) {
	s, cw, c := searchSite(t)
	resp, body := cw.send(c.ID, "search-request", url.Values{"request-owner": {"Mary"}, "request-email": {"mary@example.net"}, "request-source": {"HR"}})
	if resp.StatusCode != http.StatusConflict && resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "cannot send search requests") {
		t.Errorf("status %d, want the page saying why\n%s", resp.StatusCode, body)
	}
	if got := s.get(c.ID); len(got.SearchRequests) != 0 {
		t.Errorf("a request was kept: %+v", got.SearchRequests)
	}
}

func TestAViewerCannotSendOrCancelSearchRequests(t *testing.T) {
	s, cw, c := searchSite(t, sendsSearchRequests(t)...)
	cw.done(cw.send(c.ID, "search-request", url.Values{"request-owner": {"Mary"}, "request-email": {"mary@example.net"}, "request-source": {"HR"}}))
	s.user("viewer@example.org", auth.RoleViewer)
	viewer := s.browser()
	viewer.signIn("viewer@example.org")
	_, page := viewer.get("/staff/cases/" + c.ID)
	if !strings.Contains(page, `id="search-request-r1"`) || strings.Contains(page, "/search-request\"") || strings.Contains(page, "/cancel-search-request") {
		t.Error("a viewer sees the requests but must be offered neither sending nor cancelling")
	}
	for _, slug := range []string{"search-request", "cancel-search-request"} {
		if resp, _ := viewer.get("/staff/cases/" + c.ID + "/" + slug); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a viewer opening %s: %d, want 403", slug, resp.StatusCode)
		}
	}
	if _, err := s.work.Get(context.Background(), c.ID); err != nil {
		t.Fatal(err)
	}
}
