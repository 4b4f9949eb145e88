package staff_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/cases"
)

// reviewSite has two caseworkers, an administrator and a viewer, each
// signed in in a browser of their own.
type reviewSite struct {
	*site
	alice, bob, admin, viewer *browser
}

func newReviewSite(t *testing.T) *reviewSite {
	t.Helper()
	s := newSite(t, nil)
	rs := &reviewSite{site: s}
	for _, p := range []struct {
		b     **browser
		email string
		role  auth.Role
	}{
		{&rs.alice, "alice@example.org", auth.RoleCaseworker},
		{&rs.bob, "bob@example.org", auth.RoleCaseworker},
		{&rs.admin, "admin@example.org", auth.RoleAdmin},
		{&rs.viewer, "viewer@example.org", auth.RoleViewer},
	} {
		s.user(p.email, p.role)
		*p.b = s.browser()
		(*p.b).signIn(p.email)
	}
	return rs
}

// assertPage fails unless the page says each of want, HTML-unescaped and
// in any letter case (the pages capitalise the domain's refusals).
func assertPage(t *testing.T, where, page string, want ...string) {
	t.Helper()
	text := strings.ToLower(html.UnescapeString(page))
	for _, w := range want {
		if !strings.Contains(text, strings.ToLower(w)) {
			t.Errorf("%s does not say %q", where, w)
		}
	}
}

// The pack goes round the review from the pages alone, as plain form
// posts: submitted by one caseworker, refused to her as approver, returned
// by another with comments, submitted again, approved and released; the
// case page's Review section follows each step.
func TestReviewingThePackFromThePages(t *testing.T) {
	rs := newReviewSite(t)
	c := rs.openCase()
	casePage := "/staff/cases/" + c.ID

	_, page := rs.alice.get(casePage)
	assertPage(t, "the case page", page, `id="review"`, "Not submitted", `/submit-review"`)

	if got := rs.alice.done(rs.alice.send(c.ID, "submit-review", url.Values{})); !strings.Contains(got, "submitted for review") {
		t.Errorf("after submitting: %q", got)
	}
	_, page = rs.alice.get(casePage)
	assertPage(t, "the case page after submission", page, "Waiting for review", "You submitted this pack", "Submitted for review</strong> by Staff caseworker")
	if strings.Contains(page, "/approve-review\"") || strings.Contains(page, "/return-review\"") {
		t.Error("the submitter is offered her own review")
	}
	_, page = rs.bob.get(casePage)
	assertPage(t, "another caseworker's case page", page, `/approve-review"`, `/return-review"`)

	resp, page := rs.alice.send(c.ID, "approve-review", url.Values{})
	if resp.StatusCode == http.StatusSeeOther {
		t.Fatal("the submitter approved her own pack")
	}
	assertPage(t, "the submitter's approval", page, "you submitted this response pack, so you cannot approve it")

	resp, page = rs.bob.send(c.ID, "return-review", url.Values{"review-comments": {""}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a return without comments: status %d", resp.StatusCode)
	}
	assertPage(t, "the return without comments", page, "Say what must change before the pack can be approved", `href="#review-comments"`)

	if got := rs.bob.done(rs.bob.send(c.ID, "return-review", url.Values{"review-comments": {"Redact the third page."}})); !strings.Contains(got, "returned") {
		t.Errorf("after returning: %q", got)
	}
	_, page = rs.alice.get(casePage)
	assertPage(t, "the case page after the return", page, "Returned</strong>", "Redact the third page.")

	rs.alice.done(rs.alice.send(c.ID, "submit-review", url.Values{}))
	rs.bob.done(rs.bob.send(c.ID, "approve-review", url.Values{"review-comments": {"All checked."}}))
	if got := rs.alice.done(rs.alice.send(c.ID, "release-pack", url.Values{})); !strings.Contains(got, "released") {
		t.Errorf("after release: %q", got)
	}
	_, page = rs.alice.get(casePage)
	assertPage(t, "the case page after release", page, "Released</strong>", "All checked.", "Released to the requester</strong>")
	if got := rs.get(c.ID); !got.PackReleased() || len(got.Review.Steps) != 5 {
		t.Errorf("the case's review is %+v", got.Review)
	}
}

func TestAViewerCannotReview(t *testing.T) {
	rs := newReviewSite(t)
	c := rs.openCase()
	_, page := rs.viewer.get("/staff/cases/" + c.ID)
	if strings.Contains(page, "/submit-review") {
		t.Error("the viewer is offered the review")
	}
	for _, slug := range []string{"submit-review", "approve-review", "return-review", "release-pack"} {
		if resp, _ := rs.viewer.get("/staff/cases/" + c.ID + "/" + slug); resp.StatusCode != http.StatusForbidden {
			t.Errorf("the viewer's %s page: status %d", slug, resp.StatusCode)
		}
	}
}

// The close page says what stops a fulfilled close; a caseworker is
// refused with those words, and only an administrator is offered, and may
// use, the override.
func TestClosePageShowsWhatIsMissingAndTheAdminOverride(t *testing.T) {
	rs := newReviewSite(t)
	c := rs.openCase()

	_, page := rs.alice.get("/staff/cases/" + c.ID + "/close")
	assertPage(t, "the caseworker's close page", page, "Before closing as fulfilled", "the response pack is not released (not yet submitted for review)")
	if strings.Contains(page, "close-override") {
		t.Error("a caseworker is offered the override")
	}
	resp, page := rs.alice.sendAsBrowser(c.ID, "close", url.Values{"close-outcome": {"fulfilled"}})
	if resp.StatusCode == http.StatusSeeOther {
		t.Fatal("closed as fulfilled with no pack released")
	}
	assertPage(t, "the refused close", page, "cannot close the case as fulfilled: the response pack is not released")
	resp, page = rs.alice.sendAsBrowser(c.ID, "close", url.Values{"close-outcome": {"fulfilled"}, "close-override": {"I say so."}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a caseworker's override: status %d", resp.StatusCode)
	}
	assertPage(t, "a caseworker's override", page, "Only an administrator may close a case although something is missing")

	_, page = rs.admin.get("/staff/cases/" + c.ID + "/close")
	assertPage(t, "the administrator's close page", page, `name="close-override"`, "Close anyway (administrators only)")
	got := rs.admin.done(rs.admin.sendAsBrowser(c.ID, "close", url.Values{"close-outcome": {"fulfilled"}, "close-override": {"Pack handed over in person."}}))
	if !strings.Contains(got, "Case closed") {
		t.Errorf("after the override: %q", got)
	}
	closed := rs.get(c.ID)
	if closed.State != cases.StateClosed || closed.Outcome.Override == nil || closed.Outcome.Override.Reason != "Pack handed over in person." {
		t.Errorf("closed %s with outcome %+v", closed.State, closed.Outcome)
	}
}
