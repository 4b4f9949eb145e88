package server_test

import (
	"context"
	"io"
	"mime/quotedprintable"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/app/apptest"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/notify/notifytest"
	"github.com/rightsdesk/rightsdesk/internal/server"
)

var ownerLink = regexp.MustCompile(`https://rights\.example\.org(/search/[0-9A-Za-z.]+)`)

// ownerLinkTo waits for the relay's email to address and returns the
// path of the owner's link it carries.
func ownerLinkTo(t *testing.T, relay *notifytest.Server, address string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, m := range relay.Messages() {
			if len(m.To) != 1 || m.To[0] != address {
				continue
			}
			decoded, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(m.Data)))
			if err != nil {
				t.Fatal(err)
			}
			link := ownerLink.FindStringSubmatch(string(decoded))
			if link == nil {
				t.Fatalf("the email to %s carries no owner's link", address)
			}
			return link[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no email to %s after 10s", address)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// End to end through the real server and an in-process relay: two search
// requests sent over gRPC and REST; one owner answers "nothing held"
// through their link on the public site, the other's request is
// cancelled; the search record fills itself in. A viewer can do neither.
func TestSearchRequestsEndToEnd(t *testing.T) {
	relay := notifytest.Start(t)
	logged := &apptest.Log{}
	as := startWithTokensConfig(t, server.Config{
		MaxBodyBytes: 1 << 20, Clock: clock.Fixed(lifecycleNow), Logger: logged.Logger(),
		SMTPURL: "smtp://" + relay.Addr + "?from=privacy@example.org", PublicURL: "https://rights.example.org",
	})
	client := rdv1.NewCaseServiceClient(as.conn)
	bearer := func(role string) context.Context {
		return metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+as.tokens[role])
	}
	cw, viewer := bearer("caseworker"), bearer("viewer")
	c, err := client.CreateCase(cw, &rdv1.CreateCaseRequest{Case: &rdv1.Case{
		Notices: []*rdv1.CaseNotice{{Notice: lifecycleNoticeName}}, Rights: []*rdv1.RequestedRight{{Right: rdv1.Right_RIGHT_ACCESS}},
		Requester:  &rdv1.Requester{Person: &rdv1.Person{Name: "Ada Example", Email: "ada@example.org"}, Relationship: rdv1.Relationship_RELATIONSHIP_SELF},
		Channel:    rdv1.ReceivedChannel_RECEIVED_CHANNEL_EMAIL,
		ReceivedOn: "2026-04-27",
	}})
	mustStep(t, "create", err)

	send := &rdv1.SendSearchRequestRequest{Name: c.GetName(), Owner: "Mary Owner", Email: "mary@example.net", Source: "HR system"}
	_, err = client.SendSearchRequest(viewer, send)
	assertCode(t, err, codes.PermissionDenied, "caseworker")
	_, err = client.SendSearchRequest(cw, &rdv1.SendSearchRequestRequest{Name: c.GetName(), Owner: "Mary", Email: "mary@example.net", Source: "HR", Due: "2026-06-30"})
	assertFieldViolation(t, err, "due")
	// Due by default 5 working days before the case (27 May 2026), the
	// bank holiday of 25 May skipped.
	sent, err := client.SendSearchRequest(cw, send)
	mustStep(t, "send", err)
	r := sent.GetSearchRequests()[0]
	if r.GetName() != c.GetName()+"/searchRequests/r1" || r.GetState() != rdv1.SearchRequestState_SEARCH_REQUEST_STATE_SENT || r.GetDue() != "2026-05-19" || r.GetOwner() != "Mary Owner" {
		t.Errorf("the request is %v", r)
	}

	// The second goes through the REST gateway.
	code, body := as.rest(t, http.MethodPost, "/v1/"+c.GetName()+"/searchRequests", "caseworker",
		map[string]any{"owner": "Ravi Payroll", "email": "ravi@example.net", "source": "Payroll"})
	if requests, _ := body["search_requests"].([]any); code != http.StatusOK || len(requests) != 2 {
		t.Fatalf("REST send: %d %v", code, body)
	}

	link := ownerLinkTo(t, relay, "mary@example.net")
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page := getPage(t, browser, as.base+link)
	if !strings.Contains(page, c.GetReference()) || !strings.Contains(page, "HR system") || strings.Contains(page, "Ada Example") {
		t.Fatal("the owner's page does not show the task, or shows the requester")
	}
	csrf := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(page)
	token := strings.TrimPrefix(link, "/search/")
	answer, err := browser.PostForm(as.base+"/search/answer", url.Values{"csrf_token": {csrf[1]}, "token": {token}, "answer": {"nothing"}, "nothing_note": {"Searched by name"}})
	if err != nil {
		t.Fatal(err)
	}
	answer.Body.Close()
	if answer.StatusCode != http.StatusOK {
		t.Fatalf("the owner's answer: %d", answer.StatusCode)
	}

	_, err = client.CancelSearchRequest(viewer, &rdv1.CancelSearchRequestRequest{Name: c.GetName() + "/searchRequests/r2"})
	assertCode(t, err, codes.PermissionDenied, "caseworker")
	_, err = client.CancelSearchRequest(cw, &rdv1.CancelSearchRequestRequest{Name: c.GetName() + "/searchRequests/r9"})
	assertCode(t, err, codes.NotFound, "r9")
	cancelled, err := client.CancelSearchRequest(cw, &rdv1.CancelSearchRequestRequest{Name: c.GetName() + "/searchRequests/r2"})
	mustStep(t, "cancel", err)
	_, err = client.CancelSearchRequest(cw, &rdv1.CancelSearchRequestRequest{Name: c.GetName() + "/searchRequests/r1"})
	assertCode(t, err, codes.FailedPrecondition, "answered_nothing")

	rs := cancelled.GetSearchRequests()
	if len(rs) != 2 || rs[0].GetState() != rdv1.SearchRequestState_SEARCH_REQUEST_STATE_ANSWERED_NOTHING || rs[0].GetSearchId() != "s1" ||
		rs[1].GetState() != rdv1.SearchRequestState_SEARCH_REQUEST_STATE_CANCELLED {
		t.Errorf("the requests are %v", rs)
	}
	if s := cancelled.GetSearches(); len(s) != 1 || s[0].GetBy() != "Mary Owner" || s[0].GetFound() != "nothing held: Searched by name" || s[0].GetRecordedBy() != "owner:r1" {
		t.Errorf("the search record is %v", s)
	}
	if again := getPage(t, browser, as.base+link); !strings.Contains(again, "This link is not valid") {
		t.Error("an answered link still opens its page")
	}
	// The access log names the route, never the path with the token in
	// it; nor does anything else log the token or the owner's address.
	if log := logged.String(); !strings.Contains(log, "route=/search/{token}") || strings.Contains(log, token) || strings.Contains(log, "mary@example.net") {
		t.Errorf("the log shows the link's token or the owner, or no access line for the link:\n%s", log)
	}
}

func getPage(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
