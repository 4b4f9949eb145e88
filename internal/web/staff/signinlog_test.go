package staff_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/auth"
)

// A refused sign-in is a security event: the log says which account was
// tried (by id), why it was refused and, through the request's context,
// from where — and never the address typed, which is personal data and,
// for an unknown one, perhaps a password typed in the wrong box.
func TestRefusedSignInsAreLoggedByAccountNeverByAddress(t *testing.T) {
	s := newSite(t, nil)
	u := s.user("cw@example.org", auth.RoleCaseworker)
	for _, email := range []string{"cw@example.org", "nobody-known@example.org"} {
		b := s.browser()
		_, page := b.get("/staff/sign-in")
		resp, _ := b.post("/staff/sign-in", url.Values{"csrf_token": {csrfIn(t, page)}, "email": {email}, "password": {"not the password at all"}, "next": {"/staff/"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a wrong password for %s: %d", email, resp.StatusCode)
		}
	}
	out := s.log.String()
	if !strings.Contains(out, `msg="staff sign-in refused" user=`+u.ID+` reason="unknown email or wrong password"`) {
		t.Errorf("the refusal for the account is not logged with its id and reason:\n%s", out)
	}
	if !strings.Contains(out, `msg="staff sign-in refused" user="" reason="unknown email or wrong password"`) {
		t.Errorf("the refusal for an unknown address is not logged as such:\n%s", out)
	}
	for _, secret := range []string{"cw@example.org", "nobody-known", "not the password"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
}
