package staff_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/web/staff"
)

// fakeIssuer is an OpenID Connect provider in the test process: discovery,
// keys, an authorisation endpoint that signs the person in at once, and a
// token endpoint that checks the PKCE verifier and signs an ID token.
type fakeIssuer struct {
	srv    *httptest.Server
	key    *rsa.PrivateKey
	claims map[string]any // added to every ID token

	mu        sync.Mutex
	nonce     string
	challenge string
}

func newFakeIssuer(t testing.TB, claims map[string]any) *fakeIssuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeIssuer{key: key, claims: claims}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": f.srv.URL, "authorization_endpoint": f.srv.URL + "/authorize", "token_endpoint": f.srv.URL + "/token",
			"jwks_uri": f.srv.URL + "/keys", "id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("code_challenge_method") != "S256" || q.Get("nonce") == "" || q.Get("state") == "" {
			http.Error(w, "want PKCE S256, a nonce and a state", http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.nonce, f.challenge = q.Get("nonce"), q.Get("code_challenge")
		f.mu.Unlock()
		http.Redirect(w, r, q.Get("redirect_uri")+"?"+url.Values{"code": {"the-code"}, "state": {q.Get("state")}}.Encode(), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
		if r.PostFormValue("code") != "the-code" || base64.RawURLEncoding.EncodeToString(sum[:]) != f.challenge {
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": f.sign(t, f.nonce)})
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeIssuer) sign(t testing.TB, nonce string) string {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: f.key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
	if err != nil {
		t.Fatal(err)
	}
	// The ID token is checked against the real time, not the test clock.
	issued := time.Now()
	claims := map[string]any{"iss": f.srv.URL, "sub": "subject-42", "aud": "rightsdesk", "iat": issued.Unix(), "exp": issued.Add(5 * time.Minute).Unix(), "nonce": nonce}
	for k, v := range f.claims {
		claims[k] = v
	}
	raw, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// follow runs the browser's side of the sign-in: our start page, the
// provider's authorisation endpoint, and our callback.
func (b *browser) followOIDC(t *testing.T) *http.Response {
	t.Helper()
	resp, _ := b.get("/staff/oidc/start?next=%2Fstaff%2Fdashboard")
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("start: status %d", resp.StatusCode)
	}
	resp, err := b.client.Get(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	callback, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = b.get(callback.RequestURI())
	return resp
}

func TestOIDCSignIn(t *testing.T) {
	issuer := newFakeIssuer(t, map[string]any{"name": "Olive Idsee", "groups": []string{"staff", "viewer", "caseworker"}})
	s := newSite(t, &staff.OIDCConfig{Issuer: issuer.srv.URL, ClientID: "rightsdesk", ClientSecret: "s3cret", RoleClaim: "groups"})
	b := s.browser()
	_, page := b.get("/staff/sign-in")
	if !strings.Contains(page, "Sign in with single sign-on") {
		t.Fatal("the sign-in page does not offer single sign-on")
	}
	resp := b.followOIDC(t)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/dashboard" {
		t.Fatalf("callback: status %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	c := s.openCase()
	resp, body := b.get("/staff/cases/" + c.ID + "/assign")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Me (Olive Idsee)") {
		t.Fatalf("assign page after single sign-on: status %d, want the caseworker's actions", resp.StatusCode)
	}
	// Their work is shown under their name, though they have no local account.
	resp, _ = b.post("/staff/cases/"+c.ID+"/assign", url.Values{"csrf_token": {csrfIn(t, body)}, "etag": {c.Etag()}, "assign-to": {"me"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("assign to me after single sign-on: status %d", resp.StatusCode)
	}
	if _, body = b.get("/staff/cases/" + c.ID); !strings.Contains(body, "Assignee: Olive Idsee") || strings.Contains(body, "oidc:") {
		t.Error("the timeline names a single sign-on user by their subject, not their name")
	}

	// A replayed callback has no sign-in in progress behind it.
	replay := s.browser()
	resp, _ = replay.get("/staff/oidc/callback?code=the-code&state=guessed")
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("callback without a matching state: status %d, want 403", resp.StatusCode)
	}
}

func TestOIDCWithoutRoleIsRefused(t *testing.T) {
	issuer := newFakeIssuer(t, map[string]any{"rightsdesk_role": "auditor"})
	s := newSite(t, &staff.OIDCConfig{Issuer: issuer.srv.URL, ClientID: "rightsdesk", RoleClaim: staff.DefaultRoleClaim})
	b := s.browser()
	if resp := b.followOIDC(t); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("no staff role: status %d, want 403", resp.StatusCode)
	}
	if resp, _ := b.get("/staff/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("queue after a refused sign-in: status %d, want a redirect to sign in", resp.StatusCode)
	}
}

// With single sign-on required the sign-in page sends staff to the
// provider, the password form signs in an administrator (break-glass) and
// refuses anyone else as it refuses a wrong password, and single sign-on
// itself still works.
func TestRequireSingleSignOn(t *testing.T) {
	issuer := newFakeIssuer(t, map[string]any{"name": "Olive Idsee", "rightsdesk_role": "caseworker"})
	s := newSite(t, &staff.OIDCConfig{Issuer: issuer.srv.URL, ClientID: "rightsdesk", RoleClaim: staff.DefaultRoleClaim, Required: true})
	s.user("cw@example.org", auth.RoleCaseworker)
	s.user("root@example.org", auth.RoleAdmin)

	b := s.browser()
	_, page := b.get("/staff/sign-in")
	if !strings.Contains(page, `id="sso-only"`) {
		t.Fatal("the sign-in page does not say staff sign in with single sign-on")
	}
	resp, body := b.post("/staff/sign-in", url.Values{"csrf_token": {csrfIn(t, page)}, "email": {"cw@example.org"}, "password": {password}, "next": {"/staff/"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "The email address or password is not right") {
		t.Errorf("a caseworker's right password: status %d; want the form again, refused as a wrong password is", resp.StatusCode)
	}
	if resp, _ := b.get("/staff/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after a refused password the workspace answers %d; want a redirect to sign in", resp.StatusCode)
	}

	s.browser().signIn("root@example.org") // fails the test unless the administrator is signed in

	sso := s.browser()
	if resp := sso.followOIDC(t); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("single sign-on while it is required: status %d", resp.StatusCode)
	}
}
