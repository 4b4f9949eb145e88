package staff_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/export"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// act sends one action's page with the etag the page was drawn with, as
// a caseworker does from the case page, and expects the redirect back to it.
func (b *browser) act(id, action string, form url.Values) {
	b.s.t.Helper()
	resp, page := b.get("/staff/cases/" + id + "/" + action)
	if resp.StatusCode != http.StatusOK {
		b.s.t.Fatalf("%s page: status %d", action, resp.StatusCode)
	}
	etag := regexp.MustCompile(`name="etag" value="([^"]+)"`).FindStringSubmatch(page)
	form.Set("csrf_token", csrfIn(b.s.t, page))
	form.Set("etag", etag[1])
	if resp, body := b.post("/staff/cases/"+id+"/"+action, form); resp.StatusCode != http.StatusSeeOther {
		b.s.t.Fatalf("%s: status %d\n%s", action, resp.StatusCode, body)
	}
}

var openCase = regexp.MustCompile(`href="/staff/cases/([0-9A-Z]+)" id="open-case"`)

// logByPhone logs a request received by phone days ago through the new
// case form and returns its id, from the acknowledgement page's link.
func (b *browser) logByPhone(received string, name, email string) string {
	b.s.t.Helper()
	_, page := b.get("/staff/cases/new")
	y, m, d := received[:4], strings.TrimLeft(received[5:7], "0"), strings.TrimLeft(received[8:], "0")
	resp, body := b.post("/staff/cases/new", url.Values{
		"csrf_token": {csrfIn(b.s.t, page)}, "notice": {"it-service-desk"}, "request-id": {"phone-" + email},
		"channel": {"phone"}, "received-day": {d}, "received-month": {m}, "received-year": {y},
		"rights": {"access"}, "name": {name}, "email": {email}, "relationship": {"self"},
	})
	link := openCase.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || link == nil {
		// Not the page: it holds the status code, which a log must not.
		b.s.t.Fatalf("log a phone request: status %d, link to the case %v", resp.StatusCode, link)
	}
	return link[1]
}

var clockStarted = regexp.MustCompile(`(?s)Clock started</dt>\s*<dd[^>]*>([^<]+)</dd>`)

func TestPhoneRequestClockAndFind(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	b := s.browser()
	b.signIn("cw@example.org")
	received := now.AddDate(0, 0, -10).Format("2006-01-02")
	id := b.logByPhone(received, "Grace Hopper", "grace@example.org")

	c, err := s.work.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Channel != cases.ChannelPhone || c.ReceivedOn != received || c.Clock.Start != received {
		t.Fatalf("channel %s, received %s, clock from %s; want phone and both %s", c.Channel, c.ReceivedOn, c.Clock.Start, received)
	}
	_, page := b.get("/staff/cases/" + id)
	m := clockStarted.FindStringSubmatch(page)
	if m == nil || strings.TrimSpace(m[1]) != web.LongDate(received) {
		t.Errorf("case page's clock start = %v, want %s", m, web.LongDate(received))
	}
	steps := regexp.MustCompile(`(?s)<ol[^>]*id="clock-steps">(.*?)</ol>`).FindStringSubmatch(page)
	if steps == nil || !strings.Contains(steps[1], web.LongDate(received)) {
		t.Errorf("the clock's explanation does not start from the day of receipt:\n%v", steps)
	}

	// Their other case, by email, with the address written differently.
	other, err := s.work.Create(context.Background(), "token:test", cases.NewCase{Notices: []cases.NoticeRef{{ID: "it-service-desk"}},
		Rights: []notice.Right{notice.RightErasure}, Channel: cases.ChannelEmail,
		Requester: cases.Requester{Person: cases.Person{Name: "G. Hopper", Email: "Grace@Example.ORG"}, Relationship: cases.RelationshipSelf},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.openCase() // someone else's
	_, found := b.post("/staff/find", url.Values{"csrf_token": {csrfIn(t, page)}, "email": {"grace@example.org"}})
	ids := caseLink.FindAllStringSubmatch(found, -1)
	got := map[string]bool{}
	for _, m := range ids {
		got[m[1]] = true
	}
	if len(got) != 2 || !got[id] || !got[other.Case.ID] {
		t.Errorf("find by email: %v, want the phone case %s and their other case %s only", got, id, other.Case.ID)
	}
}

func TestEvidenceBundleAndFeed(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	b := s.browser()
	b.signIn("cw@example.org")
	id := b.logByPhone(now.AddDate(0, 0, -10).Format("2006-01-02"), "Grace Hopper", "grace@example.org")
	b.act(id, "assign", url.Values{"assign-to": {"me"}})
	b.act(id, "search", url.Values{"search-source": {"HR system"}, "search-found": {"Two records"}})
	b.act(id, "not-searched", url.Values{"skip-source": {"CCTV archive"}, "skip-reason": {"Kept for 30 days only"}})
	caseworktest.ReleasePack(t, s.work, id)
	b.act(id, "close", url.Values{"close-outcome": {"fulfilled"}})
	closed, err := s.work.Get(context.Background(), id)
	if err != nil || closed.State != cases.StateClosed {
		t.Fatalf("case state %v, %v; want closed", closed.State, err)
	}

	resp, err := b.client.Get(s.srv.URL + "/staff/cases/" + id + "/evidence.zip")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("evidence.zip: status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	z, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) string {
		f, err := z.Open(name)
		if err != nil {
			t.Fatalf("the bundle has no %s: %v", name, err)
		}
		defer f.Close()
		data, _ := io.ReadAll(f)
		return string(data)
	}
	page := html.UnescapeString(read(export.BundleHTML))
	for _, want := range []string{"case.created", "case.assigned", "case.search_recorded", "case.not_searched_recorded", "case.closed", // the timeline
		"HR system", "Two records", "CCTV archive", "Kept for 30 days only"} { // the search record
		if !strings.Contains(page, want) {
			t.Errorf("evidence.html lacks %q", want)
		}
	}
	for _, step := range closed.Clock.Steps {
		if !strings.Contains(page, step.Text) {
			t.Errorf("evidence.html lacks the clock step %q", step.Text)
		}
	}

	var proof audit.Proof
	if err := json.Unmarshal([]byte(read(export.BundleProof)), &proof); err != nil {
		t.Fatal(err)
	}
	if err := audit.VerifyProof(proof); err != nil {
		t.Fatalf("the bundle's proof: %v", err)
	}
	events, err := s.work.Events(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	// Created, assigned, searched, not searched, the pack's three review
	// steps, closed.
	if len(proof.Events) != len(events) || len(events) != 8 {
		t.Fatalf("proof has %d events, the case %d; want all 8", len(proof.Events), len(events))
	}
	// The same check as `rightsdesk audit verify --proof`: every event in
	// the proof is the chain's own.
	err = s.store.View(context.Background(), func(tx store.ReadTx) error {
		for _, e := range proof.Events {
			stored, err := store.AuditEvent(tx, e.Seq)
			if err != nil {
				return err
			}
			if !bytes.Equal(stored.Hash, e.Hash) {
				t.Errorf("event %d's hash differs from the chain's", e.Seq)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// The feed lists the open cases assigned to its owner.
	open := s.openCase()
	b.act(open.ID, "assign", url.Values{"assign-to": {"me"}})
	_, feedPage := b.get("/staff/feed")
	resp, body := b.post("/staff/feed", url.Values{"csrf_token": {csrfIn(t, feedPage)}})
	m := regexp.MustCompile(`http://rights\.test(/staff/feed/[^<"]+\.ics)`).FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("issue a feed: status %d, no feed address", resp.StatusCode)
	}
	resp, err = http.Get(s.srv.URL + m[1]) // no cookies: a calendar app
	if err != nil {
		t.Fatal(err)
	}
	ics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	cal := string(ics)
	openNow, _ := s.work.Get(context.Background(), open.ID)
	due := strings.ReplaceAll(openNow.Clock.Due, "-", "")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") ||
		!strings.HasPrefix(cal, "BEGIN:VCALENDAR\r\n") || !strings.HasSuffix(cal, "END:VCALENDAR\r\n") ||
		!strings.Contains(cal, "VERSION:2.0\r\n") || !strings.Contains(cal, "PRODID:") ||
		strings.Count(cal, "BEGIN:VEVENT") != 1 || !strings.Contains(cal, "DTSTART;VALUE=DATE:"+due+"\r\n") || !strings.Contains(cal, "UID:"+open.ID) {
		t.Errorf("feed: status %d, type %q, want one event due %s:\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), due, cal)
	}
}
