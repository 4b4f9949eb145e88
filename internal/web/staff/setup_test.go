package staff_test

import (
	"context"
	crand "crypto/rand"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/accounts"
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/web/staff"
)

func TestTheSetUpLinkCreatesTheFirstAdministratorOnce(t *testing.T) {
	s := newSite(t, nil)
	secret, _, err := s.users.SetupLink(context.Background())
	if err != nil || secret == "" {
		t.Fatalf("SetupLink on a new installation: %q, %v", secret, err)
	}
	b := s.browser()
	resp, page := b.get(staff.SetupPath + secret)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Create the first administrator") {
		t.Fatalf("set-up page: status %d", resp.StatusCode)
	}
	form := url.Values{"csrf_token": {csrfIn(t, page)}, "user-name": {"Ada Admin"}, "user-email": {"ada@example.org"}, "user-password": {"short"}}
	resp, body := b.post(staff.SetupPath+secret, form)
	s.refusedOnField("a weak first password", resp, body, "user-password")
	form.Set("user-password", password)
	resp, _ = b.post(staff.SetupPath+secret, form)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/staff/sign-in?created=") {
		t.Fatalf("create the first administrator: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, page = b.get(resp.Header.Get("Location")); !strings.Contains(page, "Your administrator account is ready") {
		t.Error("the sign-in page does not say the account was made")
	}
	b.signIn("ada@example.org")
	if resp, _ := b.get("/staff/users"); resp.StatusCode != http.StatusOK {
		t.Errorf("the first administrator on the accounts page: status %d", resp.StatusCode)
	}
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		again := s.browser()
		resp, body := again.get(staff.SetupPath + secret)
		if method == http.MethodPost && resp.StatusCode == http.StatusOK {
			resp, body = again.post(staff.SetupPath+secret, form)
		}
		if resp.StatusCode != http.StatusGone || !strings.Contains(body, "This set-up link no longer works") {
			t.Errorf("%s of the used link: status %d", method, resp.StatusCode)
		}
	}
	if u := s.find("ada@example.org"); u.Role != auth.RoleAdmin {
		t.Errorf("the account made through the link is %v, want admin", u.Role)
	}
}

func TestAnExpiredOrWrongSetUpLinkIsRefused(t *testing.T) {
	s := newSite(t, nil)
	earlier := accounts.New(s.store, clock.Fixed(now.Add(-accounts.SetupLifetime-time.Minute)), crand.Reader, accounts.Options{Params: cheap})
	secret, _, err := earlier.SetupLink(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for name, link := range map[string]string{"expired": secret, "wrong": "not-the-secret", "empty-looking": "%20"} {
		if resp, body := s.browser().get(staff.SetupPath + link); resp.StatusCode != http.StatusGone || !strings.Contains(body, "expired or has already been used") {
			t.Errorf("%s link: status %d", name, resp.StatusCode)
		}
	}
}

func TestTheSignInPageSaysHowAccountsAreMade(t *testing.T) {
	s := newSite(t, nil)
	if _, page := s.browser().get("/staff/sign-in"); !strings.Contains(page, "rightsdesk users create") || !strings.Contains(page, "set-up link") {
		t.Error("the sign-in page does not say how accounts are made")
	}
}
