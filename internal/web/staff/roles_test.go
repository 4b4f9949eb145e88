package staff_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/auth"
)

func TestAdminManagesAccounts(t *testing.T) {
	s := newSite(t, nil)
	s.user("admin@example.org", auth.RoleAdmin)
	s.user("old@example.org", auth.RoleCaseworker)
	admin := s.browser()
	admin.signIn("admin@example.org")

	_, queue := admin.get("/staff/")
	if !strings.Contains(queue, `href="/staff/users"`) {
		t.Error("the queue offers an administrator no link to the staff accounts")
	}
	resp, page := admin.get("/staff/users")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "old@example.org") || !strings.Contains(page, "This is you") {
		t.Fatalf("accounts page: status %d, want every account listed", resp.StatusCode)
	}
	token := csrfIn(t, page)

	resp, body := admin.post("/staff/users", url.Values{"csrf_token": {token}, "user-name": {"Vera Viewer"}, "user-email": {"vera@example.org"}, "user-password": {password}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#user-role">Choose a role`) {
		t.Fatalf("create without a role: status %d, want 422 naming the role", resp.StatusCode)
	}
	resp, body = admin.post("/staff/users", url.Values{"csrf_token": {token}, "user-name": {"Vera Viewer"}, "user-email": {"vera@example.org"}, "user-role": {"viewer"}, "user-password": {password}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: status %d\n%s", resp.StatusCode, body)
	}
	if _, page = admin.get(resp.Header.Get("Location")); !strings.Contains(page, "Account created for Vera Viewer") {
		t.Error("no confirmation after creating an account")
	}
	resp, body = admin.post("/staff/users", url.Values{"csrf_token": {token}, "user-name": {"Vera Again"}, "user-email": {"vera@example.org"}, "user-role": {"admin"}, "user-password": {password}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "already has an account") {
		t.Errorf("a second account for one address: status %d, want 422", resp.StatusCode)
	}
	vera := s.browser()
	vera.signIn("vera@example.org")
	if _, body := vera.get("/staff/"); !strings.Contains(body, "Signed in as Vera Viewer") {
		t.Error("the new account cannot sign in")
	}

	old := s.find("old@example.org")
	resp, _ = admin.post("/staff/users/"+old.ID+"/disable", url.Values{"csrf_token": {token}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: status %d", resp.StatusCode)
	}
	if !s.find("old@example.org").Disabled {
		t.Error("the account is still enabled")
	}
	me := s.find("admin@example.org")
	resp, body = admin.post("/staff/users/"+me.ID+"/disable", url.Values{"csrf_token": {token}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "cannot disable your own account") || s.find("admin@example.org").Disabled {
		t.Errorf("disabling oneself: status %d, want 422 and the account left alone", resp.StatusCode)
	}

	// A new password brings the disabled account back.
	const fresh = "harbour lantern porridge"
	resp, body = admin.post("/staff/users/reset", url.Values{"csrf_token": {token}, "reset-account": {old.ID}, "reset-password": {"short"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#reset-password"`) {
		t.Errorf("a too-short new password: status %d, want 422 linked to the field", resp.StatusCode)
	}
	resp, _ = admin.post("/staff/users/reset", url.Values{"csrf_token": {token}, "reset-account": {old.ID}, "reset-password": {fresh}})
	if resp.StatusCode != http.StatusSeeOther || s.find("old@example.org").Disabled {
		t.Fatalf("reset: status %d, disabled %v; want the account active", resp.StatusCode, s.find("old@example.org").Disabled)
	}
	if _, err := s.users.SignIn(context.Background(), "old@example.org", fresh); err != nil {
		t.Errorf("signing in with the new password: %v", err)
	}
}

func TestCaseworkerCannotManageAccounts(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	s.user("other@example.org", auth.RoleCaseworker)
	cw := s.browser()
	cw.signIn("cw@example.org")
	_, queue := cw.get("/staff/")
	if strings.Contains(queue, `href="/staff/users"`) {
		t.Error("the queue offers a caseworker the staff accounts")
	}
	if resp, _ := cw.get("/staff/users"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("caseworker opening the accounts page: status %d, want 403", resp.StatusCode)
	}
	token := csrfIn(t, queue)
	resp, _ := cw.post("/staff/users", url.Values{"csrf_token": {token}, "user-name": {"Mallory"}, "user-email": {"mallory@example.org"}, "user-role": {"admin"}, "user-password": {password}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("caseworker creating an admin: status %d, want 403", resp.StatusCode)
	}
	other := s.find("other@example.org")
	resp, _ = cw.post("/staff/users/"+other.ID+"/disable", url.Values{"csrf_token": {token}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("caseworker disabling a colleague: status %d, want 403", resp.StatusCode)
	}
	resp, _ = cw.post("/staff/users/reset", url.Values{"csrf_token": {token}, "reset-account": {other.ID}, "reset-password": {"mallory knows this one"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("caseworker resetting a colleague's password: status %d, want 403", resp.StatusCode)
	}
	if _, err := s.users.SignIn(context.Background(), "other@example.org", password); err != nil {
		t.Errorf("the colleague's password changed after a refused reset: %v", err)
	}
	list, err := s.users.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || s.find("other@example.org").Disabled {
		t.Errorf("after refused requests: %d accounts, colleague disabled %v; want no change", len(list), s.find("other@example.org").Disabled)
	}
}

func TestViewerCannotActOnCases(t *testing.T) {
	s := newSite(t, nil)
	s.user("viewer@example.org", auth.RoleViewer)
	c := s.openCase()
	viewer := s.browser()
	viewer.signIn("viewer@example.org")
	_, page := viewer.get("/staff/cases/" + c.ID)
	token := csrfIn(t, page)
	for action, form := range map[string]url.Values{
		"assign": {"assign-to": {"me"}},
		"note":   {"note-text": {"hello"}},
		"search": {"search-source": {"HR"}, "search-found": {"nothing"}},
		"extend": {"extend-months": {"2"}, "extend-reason": {"complex"}},
		"close":  {"close-outcome": {"fulfilled"}},
	} {
		form.Set("csrf_token", token)
		form.Set("etag", c.Etag())
		if resp, _ := viewer.post("/staff/cases/"+c.ID+"/"+action, form); resp.StatusCode != http.StatusForbidden {
			t.Errorf("viewer's %s: status %d, want 403", action, resp.StatusCode)
		}
	}
	resp, _ := viewer.post("/staff/cases/new", url.Values{"csrf_token": {token}, "notice": {"it-service-desk"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("viewer logging a request: status %d, want 403", resp.StatusCode)
	}
	after, err := s.work.Get(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Etag() != c.Etag() {
		t.Errorf("the case changed under a viewer's refused actions: %+v", after)
	}
	if events, _ := s.work.Events(context.Background(), c.ID); len(events) != 1 {
		t.Errorf("%d audit events, want only the creation", len(events))
	}
}
