package staff_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/web/staff"
)

// expectEnded fails unless the browser's next page sends it to sign in
// again, told that a change to the account ended its session, and the
// page after that still does (the session is gone, not just refused once).
func expectEnded(t *testing.T, b *browser, what string) {
	t.Helper()
	resp, _ := b.get("/staff/?view=mine")
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/staff/sign-in?") || !strings.Contains(loc, "ended=1") {
		t.Fatalf("%s: got %d to %q, want the sign-in page saying the session ended", what, resp.StatusCode, loc)
	}
	if _, page := b.get(loc); !strings.Contains(page, "Your session ended because your account changed") {
		t.Errorf("%s: the sign-in page does not say why the session ended", what)
	}
	if resp, _ := b.get("/staff/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("%s: the page after: status %d, want still signed out", what, resp.StatusCode)
	}
}

// expectSignedIn fails unless the browser's session still opens the queue.
func expectSignedIn(t *testing.T, b *browser, what string) {
	t.Helper()
	if resp, _ := b.get("/staff/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: the queue answered %d to %q, want the session to go on", what, resp.StatusCode, resp.Header.Get("Location"))
	}
}

// noPersonalDataLogged fails when the workspace's log names an account by
// its email address or name.
func noPersonalDataLogged(t *testing.T, s *site, personal ...string) {
	t.Helper()
	for _, p := range personal {
		if strings.Contains(s.log.String(), p) {
			t.Errorf("the log holds %q:\n%s", p, s.log.String())
		}
	}
}

// A session stolen before an administrator set a new password, or kept
// in a browser left signed in, stops working the moment the password is
// reset, and stays dead after it.
func TestResetPasswordEndsTheAccountsSessions(t *testing.T) {
	s := newSite(t, nil)
	admin, token := s.admin("admin@example.org")
	s.user("cw@example.org", auth.RoleCaseworker)
	cw := s.find("cw@example.org")
	before := s.browser()
	before.signIn("cw@example.org")
	expectSignedIn(t, before, "before the reset")

	const fresh = "harbour lantern porridge"
	resp, _ := admin.post("/staff/users/reset", url.Values{"csrf_token": {token}, "reset-account": {cw.ID}, "reset-password": {fresh}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: status %d", resp.StatusCode)
	}
	expectEnded(t, before, "a session from before the reset")
	expectSignedIn(t, admin, "the administrator who reset it")
	noPersonalDataIn(t, resp, cw.Name, cw.Email)
	noPersonalDataLogged(t, s, cw.Email, cw.Name, "admin@example.org")
}

// Disabling then setting a new password enables the account again; a
// session from before the disabling must not come back to life with it.
func TestDisableThenResetDoesNotReviveASession(t *testing.T) {
	s := newSite(t, nil)
	admin, token := s.admin("admin@example.org")
	s.user("cw@example.org", auth.RoleCaseworker)
	cw := s.find("cw@example.org")
	stolen := s.browser()
	stolen.signIn("cw@example.org")
	cookie := stolen.sessionCookie()

	if resp, _ := admin.post("/staff/users/"+cw.ID+"/disable", url.Values{"csrf_token": {token}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: status %d", resp.StatusCode)
	}
	if resp, _ := admin.post("/staff/users/reset", url.Values{"csrf_token": {token}, "reset-account": {cw.ID}, "reset-password": {"harbour lantern porridge"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: status %d", resp.StatusCode)
	}
	if s.find("cw@example.org").Disabled {
		t.Fatal("the reset did not enable the account again")
	}
	// The thief replays the cookie they took, in a browser of their own.
	thief := s.browser()
	u, _ := url.Parse(s.srv.URL + "/staff/")
	thief.client.Jar.SetCookies(u, []*http.Cookie{{Name: staff.CookieName, Value: cookie, Path: staff.Prefix}})
	if resp, _ := thief.get("/staff/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a session from before disable → reset: status %d, want it refused", resp.StatusCode)
	}
}

// Changing one's own password ends every other session of the account
// and keeps the one it was changed in, with a new session id.
func TestChangingOwnPasswordEndsTheOtherSessions(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	here, elsewhere := s.browser(), s.browser()
	here.signIn("cw@example.org")
	elsewhere.signIn("cw@example.org")
	_, page := here.get("/staff/password")
	before := here.sessionCookie()
	resp, _ := here.post("/staff/password", url.Values{"csrf_token": {csrfIn(t, page)}, "current-password": {password}, "new-password": {"harbour lantern porridge"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change: status %d", resp.StatusCode)
	}
	if here.sessionCookie() == before {
		t.Error("the session id was not renewed after the password change")
	}
	expectSignedIn(t, here, "the browser the password was changed in")
	expectEnded(t, elsewhere, "another browser of the same account")
}

// "End all sessions" on the account page signs the account out in every
// browser and ends its calendar feed; the administrator's own session
// goes on.
func TestEndAllSessionsEndsAnotherBrowsersSessionAndTheFeed(t *testing.T) {
	s := newSite(t, nil)
	admin, token := s.admin("admin@example.org")
	s.user("cw@example.org", auth.RoleCaseworker)
	cw := s.find("cw@example.org")
	b := s.browser()
	b.signIn("cw@example.org")
	feed := issueFeed(t, b)

	_, page := admin.get("/staff/users/" + cw.ID)
	if !strings.Contains(page, `action="/staff/users/`+cw.ID+`/end-sessions"`) {
		t.Fatal("the account page has no End all sessions button")
	}
	resp, _ := admin.post("/staff/users/"+cw.ID+"/end-sessions", url.Values{"csrf_token": {token}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/users/"+cw.ID+"?done=sessions-ended" {
		t.Fatalf("end all sessions: got %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, page := admin.get(resp.Header.Get("Location")); !strings.Contains(page, "is signed out everywhere") {
		t.Error("no banner saying the sessions ended")
	}
	expectEnded(t, b, "the account's browser")
	expectSignedIn(t, admin, "the administrator")
	if resp, _ := b.get(feed); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the feed after all sessions ended: status %d, want 404", resp.StatusCode)
	}
	noPersonalDataLogged(t, s, cw.Email, cw.Name)

	// Someone without the admin role has no such button and no such power.
	b.signIn("cw@example.org")
	_, page = b.get("/staff/")
	if resp, _ := b.post("/staff/users/"+cw.ID+"/end-sessions", url.Values{"csrf_token": {csrfIn(t, page)}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a caseworker ending sessions: status %d, want 403", resp.StatusCode)
	}
}

// issueFeed makes the browser's account a calendar feed and returns its
// path, checking it works.
func issueFeed(t *testing.T, b *browser) string {
	t.Helper()
	_, page := b.get("/staff/feed")
	_, body := b.post("/staff/feed", url.Values{"csrf_token": {csrfIn(t, page)}})
	m := regexp.MustCompile(`http://rights\.test(/staff/feed/[^<"]+\.ics)`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no feed address")
	}
	if resp, _ := b.get(m[1]); resp.StatusCode != http.StatusOK {
		t.Fatalf("the new feed: status %d", resp.StatusCode)
	}
	return m[1]
}

// A feed dies with its account: disabling it, or setting a new password,
// stops the feed address working.
func TestFeedDiesWithTheAccount(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(admin *browser, token, id string) *http.Response
	}{
		{"disabled", func(admin *browser, token, id string) *http.Response {
			resp, _ := admin.post("/staff/users/"+id+"/disable", url.Values{"csrf_token": {token}})
			return resp
		}},
		{"password reset", func(admin *browser, token, id string) *http.Response {
			resp, _ := admin.post("/staff/users/reset", url.Values{"csrf_token": {token}, "reset-account": {id}, "reset-password": {"harbour lantern porridge"}})
			return resp
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t, nil)
			admin, token := s.admin("admin@example.org")
			s.user("cw@example.org", auth.RoleCaseworker)
			b := s.browser()
			b.signIn("cw@example.org")
			feed := issueFeed(t, b)
			if resp := tt.change(admin, token, s.find("cw@example.org").ID); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("change: status %d", resp.StatusCode)
			}
			if resp, body := b.get(feed); resp.StatusCode != http.StatusNotFound || strings.Contains(body, "BEGIN:VCALENDAR") {
				t.Errorf("the feed after the account was %s: status %d, want 404", tt.name, resp.StatusCode)
			}
		})
	}
}

// A feed token kept from before feeds died with their account still stops
// once its account is disabled.
func TestFeedOfADisabledAccountIsGoneEvenWithItsTokenKept(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	b := s.browser()
	b.signIn("cw@example.org")
	feed := issueFeed(t, b)
	cw := s.find("cw@example.org")
	// Disabled from the command line, whose actor is not an account; then
	// the token is put back as an older release would have left it.
	if _, err := s.users.Disable(context.Background(), cw.ID, "cli:ops"); err != nil {
		t.Fatal(err)
	}
	token, _ := strings.CutSuffix(strings.TrimPrefix(feed, "/staff/feed/"), ".ics")
	if owner, err := s.work.FeedOwner(context.Background(), token); err == nil {
		t.Fatalf("disabling left the feed token to %s", owner)
	}
	kept, err := s.work.IssueFeedToken(context.Background(), cw.Actor())
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := b.get("/staff/feed/" + url.PathEscape(kept) + ".ics"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a disabled account's kept feed: status %d, want 404", resp.StatusCode)
	}
}
