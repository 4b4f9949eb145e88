package staff_test

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/web/staff"
)

// FuzzOIDCCallback answers a sign-in in progress with any callback
// parameters: a state (or the real one), a code, a provider's error, and
// any more of the query after them. Only the real state with the code the
// provider issued and no error signs the browser in (303 to where it was
// going); anything else is refused with 403, never a failure of ours.
func FuzzOIDCCallback(f *testing.F) {
	issuer := newFakeIssuer(f, map[string]any{staff.DefaultRoleClaim: "caseworker"})
	s := newSite(f, &staff.OIDCConfig{Issuer: issuer.srv.URL, ClientID: "rightsdesk", RoleClaim: staff.DefaultRoleClaim})
	f.Add("", true, "the-code", "", "")
	f.Add("", true, "the-code", "access_denied", "")
	f.Add("", true, "another-code", "", "")
	f.Add("guessed", false, "the-code", "", "")
	f.Add("", false, "", "", "state=guessed&code=the-code")
	f.Add("", true, "", "", "code=the-code&code=x")
	f.Add("", true, "the-code", "", "%zz&error=")
	f.Fuzz(func(t *testing.T, state string, realState bool, code, providerError, more string) {
		b := s.browser()
		issued := startOIDC(t, b, s)
		params := url.Values{}
		if realState {
			state = issued
		}
		for name, value := range map[string]string{"state": state, "code": code, "error": providerError} {
			if value != "" {
				params.Set(name, value)
			}
		}
		if strings.ContainsFunc(more, func(r rune) bool { return r <= ' ' || r >= 0x7f || r == '#' }) {
			return // a browser escapes these, and the server's HTTP parsing refuses them raw
		}
		raw := params.Encode()
		if more != "" {
			raw += "&" + more
		}
		req, err := http.NewRequest(http.MethodGet, s.srv.URL+"/staff/oidc/callback?"+raw, nil)
		if err != nil {
			return // no browser sends it
		}
		q := req.URL.Query() // as the server reads it
		resp, err := b.client.Do(req)
		if err != nil {
			return // refused by the client or the server's HTTP parsing
		}
		resp.Body.Close()
		signedIn := subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(issued)) == 1 && q.Get("code") == "the-code" && q.Get("error") == ""
		switch {
		case signedIn && (resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/"):
			t.Fatalf("the provider's own answer: status %d to %q, want 303 to /staff/", resp.StatusCode, resp.Header.Get("Location"))
		case !signedIn && resp.StatusCode != http.StatusForbidden:
			t.Fatalf("callback %q: status %d, want 403", raw, resp.StatusCode)
		}
	})
}

// startOIDC starts a sign-in in b and takes it through the provider, as
// far as the provider's redirect back, and returns the state it carries.
func startOIDC(t *testing.T, b *browser, s *site) string {
	t.Helper()
	resp, err := b.client.Get(s.srv.URL + "/staff/oidc/start?next=%2Fstaff%2F")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp, err = b.client.Get(resp.Header.Get("Location")); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound || back.Query().Get("state") == "" {
		t.Fatalf("the provider's redirect back: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return back.Query().Get("state")
}
