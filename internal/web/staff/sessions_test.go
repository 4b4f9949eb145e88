package staff_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/web"
	"github.com/rightsdesk/rightsdesk/internal/web/staff"
)

// The public form saves its answers into whatever session its cookie names;
// sharing one cookie with the workspace would overwrite a sign-in.
func TestPublicFormLeavesStaffSignedIn(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	b := s.browser()
	_, page := b.get("/staff/sign-in")
	resp, _ := b.post("/staff/sign-in", url.Values{"csrf_token": {csrfIn(t, page)}, "email": {"cw@example.org"}, "password": {password}, "next": {"/staff/"}})
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == staff.CookieName {
			cookie = c
		}
	}
	if cookie == nil || cookie.Path != staff.Prefix || !cookie.HttpOnly {
		t.Fatalf("sign-in set %v, want an HttpOnly %s cookie on path %s", resp.Header.Values("Set-Cookie"), staff.CookieName, staff.Prefix)
	}

	_, page = b.get("/request/rights")
	resp, body := b.post("/request/rights", url.Values{"csrf_token": {csrfIn(t, page)}, "rights": {"access"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("public form's first answer: status %d\n%s", resp.StatusCode, body)
	}
	root, _ := url.Parse(s.srv.URL + "/")
	for _, c := range b.client.Jar.Cookies(root) {
		if c.Name == staff.CookieName {
			t.Errorf("the staff cookie is sent to the public pages")
		}
	}

	resp, body = b.get("/staff/")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Signed in as Staff caseworker") {
		t.Fatalf("the queue after using the public form: status %d, want still signed in", resp.StatusCode)
	}
	// The workspace's token is tied to its own cookie, not the public one.
	resp, _ = b.post("/staff/cases/new", url.Values{"csrf_token": {csrfIn(t, page)}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a staff form with the public form's token: status %d, want 403", resp.StatusCode)
	}
	if web.CookieName == staff.CookieName {
		t.Error("the public and staff cookies have one name")
	}
}
