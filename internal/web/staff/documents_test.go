package staff_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/blob/fsblob"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

var passport = []byte("%PDF-1.4\n% a scan of a passport\n%%EOF\n")

// repliedCase is a case whose requester asked for access, was asked for
// proof of identity and sent it from the status page.
func repliedCase(t *testing.T) (*site, *cases.Case) {
	t.Helper()
	docs, err := fsblob.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	s := newSiteWith(t, nil, casework.WithDocuments(docs))
	ctx := context.Background()
	res, err := s.work.Create(ctx, "web:public", cases.NewCase{Notices: []cases.NoticeRef{{ID: "it-service-desk"}}, Rights: []notice.Right{notice.RightAccess},
		Requester: cases.Requester{Person: cases.Person{Name: "Ada Lovelace", Email: "ada@example.org"}, Relationship: cases.RelationshipSelf}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.work.Apply(ctx, "token:test", res.Case.ID, "", cases.RequestFromRequester{What: cases.WaitingForIdentity}); err != nil {
		t.Fatal(err)
	}
	c, err := s.work.Reply(ctx, res.Case.Reference, res.StatusToken, "My passport, as asked.",
		[]usecase.Upload{{Name: "passport.pdf", Content: bytes.NewReader(passport)}})
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func TestStaffSeeTheNewReplyAndItsDocuments(t *testing.T) {
	s, c := repliedCase(t)
	s.user("cw@example.org", auth.RoleCaseworker)
	b := s.browser()
	b.signIn("cw@example.org")

	_, queue := b.get("/staff/?view=replies")
	if !strings.Contains(queue, c.Reference) || !strings.Contains(queue, "New reply") {
		t.Errorf("the new replies view does not list %s with its tag", c.Reference)
	}
	_, page := b.get("/staff/cases/" + c.ID)
	download := "/staff/cases/" + c.ID + "/documents/d1"
	for _, want := range []string{`id="new-reply"`, "New reply", "Proof of identity received on 10 March 2026, sent from the status page", "My passport, as asked.",
		`href="` + download + `"`, "passport.pdf", "(PDF, 38 bytes)", `id="mark-read"`} {
		if !strings.Contains(page, want) {
			t.Errorf("case page lacks %q", want)
		}
	}

	resp, body := b.get(download)
	h := resp.Header
	if resp.StatusCode != http.StatusOK || body != string(passport) {
		t.Fatalf("download: %d, %q", resp.StatusCode, body)
	}
	if h.Get("Content-Disposition") != `attachment; filename=passport.pdf` || h.Get("X-Content-Type-Options") != "nosniff" ||
		h.Get("Content-Type") != cases.MediaPDF || h.Get("Cache-Control") != "no-store" || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("download headers: %v", h)
	}
	if resp, _ := b.get("/staff/cases/" + c.ID + "/documents/d2"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown document: %d", resp.StatusCode)
	}

	resp, _ = b.post("/staff/cases/"+c.ID+"/reply-seen", url.Values{"csrf_token": {csrfIn(t, page)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("mark as read: %d", resp.StatusCode)
	}
	_, after := b.get(resp.Header.Get("Location"))
	if !strings.Contains(after, "The requester’s reply is marked as read") || strings.Contains(after, `id="new-reply"`) {
		t.Error("after marking the reply read, the case page still flags it, or says nothing")
	}
	if _, queue := b.get("/staff/?view=replies"); strings.Contains(queue, c.Reference) {
		t.Error("the new replies view still lists the case")
	}
}

func TestOnlyStaffWithTheRoleDownloadDocuments(t *testing.T) {
	s, c := repliedCase(t)
	download := "/staff/cases/" + c.ID + "/documents/d1"

	// Nobody signed in: sent to sign in, never given the bytes; the public
	// site has no route to documents at all.
	anon := s.browser()
	if resp, body := anon.get(download); resp.StatusCode != http.StatusSeeOther || strings.Contains(body, "PDF") {
		t.Errorf("anonymous download: %d", resp.StatusCode)
	}
	for _, path := range []string{"/cases/" + c.ID + "/documents/d1", "/status/documents/d1", "/documents/d1"} {
		if resp, body := anon.get(path); resp.StatusCode != http.StatusNotFound || strings.Contains(body, "%PDF") {
			t.Errorf("public GET %s: %d", path, resp.StatusCode)
		}
	}

	s.user("viewer@example.org", auth.RoleViewer)
	viewer := s.browser()
	viewer.signIn("viewer@example.org")
	_, page := viewer.get("/staff/cases/" + c.ID)
	if !strings.Contains(page, "passport.pdf") || strings.Contains(page, `href="`+download+`"`) || strings.Contains(page, `id="mark-read"`) {
		t.Error("a viewer's case page should list the document without a link, and offer no Mark as read")
	}
	if resp, body := viewer.get(download); resp.StatusCode != http.StatusForbidden || strings.Contains(body, "%PDF") {
		t.Errorf("viewer download: %d", resp.StatusCode)
	}
	if strings.Contains(s.log.String(), "passport") || strings.Contains(s.log.String(), "Ada") {
		t.Errorf("the log holds personal data:\n%s", s.log.String())
	}
}

// Proof of identity sent from the status page is received, not verified:
// the queue and the case page say it waits to be checked, and the check
// page, posted as a plain form, verifies it without moving the clock.
func TestIdentityReceivedWaitsForStaffToCheckIt(t *testing.T) {
	s, c := repliedCase(t)
	s.user("cw@example.org", auth.RoleCaseworker)
	b := s.browser()
	b.signIn("cw@example.org")

	if _, queue := b.get("/staff/?view=replies"); !strings.Contains(queue, "ID received — to check") {
		t.Errorf("the queue does not say %s's proof of identity is to check:\n%s", c.Reference, queue)
	}
	_, page := b.get("/staff/cases/" + c.ID)
	if !strings.Contains(page, "ID received — to check (arrived 10 March 2026)") {
		t.Errorf("the case page does not say the proof of identity is to check:\n%s", page)
	}
	if strings.Contains(page, "Verified") {
		t.Error("the case page calls identity verified before anyone checked it")
	}
	_, check := b.get("/staff/cases/" + c.ID + "/identity")
	if !strings.Contains(check, "What they sent shows who they are") || !strings.Contains(check, "from the day it arrived, 10 March 2026") ||
		!strings.Contains(check, "My passport, as asked.; passport.pdf") {
		t.Errorf("the check page does not speak of the proof received:\n%s", check)
	}
	if banner := b.done(b.send(c.ID, "identity", url.Values{"identity-how": {"confirm"}, "identity-detail": {"The passport matches."}})); banner == "" {
		t.Error("confirming identity showed no banner")
	}
	after := s.get(c.ID)
	if after.IdentityStatus != cases.IdentityVerified || after.Clock.Start != c.Clock.Start || after.Clock.Due != c.Clock.Due {
		t.Errorf("after the check: identity %s, clock %s to %s; want verified, the clock left at %s to %s",
			after.IdentityStatus, after.Clock.Start, after.Clock.Due, c.Clock.Start, c.Clock.Due)
	}
}
