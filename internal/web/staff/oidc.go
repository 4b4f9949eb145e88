package staff

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// OIDCConfig is an OpenID Connect provider staff may sign in with.
type OIDCConfig struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is this site's /staff/oidc/callback as the provider
	// knows it.
	RedirectURL string
	// RoleClaim names the ID token claim holding the staff role: a string
	// or a list of strings, of which viewer, caseworker and admin count and
	// the highest wins. Someone with none of them is refused.
	RoleClaim string
	// HTTPClient, if set, is used to reach the provider.
	HTTPClient *http.Client
	// Required says staff must sign in here: the password form then signs
	// in administrators only (users.PasswordSignInAllowed, which the
	// accounts use case enforces); the sign-in page says so.
	Required bool
}

// DefaultRoleClaim is the role claim when none is configured.
const DefaultRoleClaim = "rightsdesk_role"

// Validate checks that the settings that must go together are all there.
func (c *OIDCConfig) Validate() error {
	var missing []string
	for flag, v := range map[string]string{"--oidc-issuer": c.Issuer, "--oidc-client-id": c.ClientID, "--oidc-redirect-url": c.RedirectURL} {
		if v == "" {
			missing = append(missing, flag)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return fmt.Errorf("OpenID Connect sign-in also needs %s", strings.Join(missing, ", "))
	}
	if c.RoleClaim == "" {
		c.RoleClaim = DefaultRoleClaim
	}
	return nil
}

// oidcClient discovers the provider on first use rather than at start-up,
// so a provider that is down delays staff sign-in, not the public form.
type oidcClient struct {
	cfg OIDCConfig

	mu       sync.Mutex
	provider *oidc.Provider
}

func newOIDCClient(cfg OIDCConfig) *oidcClient { return &oidcClient{cfg: cfg} }

func (c *oidcClient) context(ctx context.Context) context.Context {
	if c.cfg.HTTPClient != nil {
		return oidc.ClientContext(ctx, c.cfg.HTTPClient)
	}
	return ctx
}

func (c *oidcClient) discover(ctx context.Context) (*oidc.Provider, *oauth2.Config, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider == nil {
		p, err := oidc.NewProvider(c.context(ctx), c.cfg.Issuer)
		if err != nil {
			return nil, nil, fmt.Errorf("discover OpenID Connect provider %s: %w", c.cfg.Issuer, err)
		}
		c.provider = p
	}
	return c.provider, &oauth2.Config{
		ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret, RedirectURL: c.cfg.RedirectURL,
		Endpoint: c.provider.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile", "email"},
	}, nil
}

// oidcPending is a sign-in sent to the provider and not yet back: the
// state ties the callback to this browser, the nonce ties the ID token to
// this sign-in, and the PKCE verifier ties the code to it.
type oidcPending struct {
	State    string `json:"state"`
	Nonce    string `json:"nonce"`
	Verifier string `json:"verifier"`
	Next     string `json:"next"`
}

func randomString() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func (h *handler) oidcStart(w http.ResponseWriter, r *http.Request) {
	if h.oidc == nil {
		h.render.NotFound(w)
		return
	}
	_, conf, err := h.oidc.discover(r.Context())
	if err != nil {
		h.signInUnavailable(w, r, err)
		return
	}
	sess, err := h.cfg.Sessions.Start(w, r)
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	p := &oidcPending{Verifier: oauth2.GenerateVerifier(), Next: safeNext(r.URL.Query().Get("next"))}
	if p.State, err = randomString(); err == nil {
		p.Nonce, err = randomString()
	}
	if err == nil {
		err = h.cfg.Sessions.Save(r.Context(), sess, sessionData{OIDC: p})
	}
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	http.Redirect(w, r, conf.AuthCodeURL(p.State, oidc.Nonce(p.Nonce), oauth2.S256ChallengeOption(p.Verifier)), http.StatusFound)
}

// errOIDCRefused is a sign-in the provider completed but we do not accept.
var errOIDCRefused = errors.New("OpenID Connect sign-in refused")

func (h *handler) oidcCallback(w http.ResponseWriter, r *http.Request) {
	if h.oidc == nil {
		h.render.NotFound(w)
		return
	}
	a, next, err := h.oidcAccount(r)
	if errors.Is(err, errOIDCRefused) {
		h.cfg.Log.InfoContext(r.Context(), "staff OpenID Connect sign-in refused", "error", err)
		h.render.Error(w, http.StatusForbidden, web.Problem{
			Heading: "Sorry, you could not be signed in",
			Body: []string{
				"Your sign-in was not accepted: it may have taken too long, been started in another browser, or your account may have no Rightsdesk role.",
				"Try again. If it keeps happening, ask an administrator to give your account a role.",
			},
			Link: &web.Link{Text: "Sign in", Href: "/staff/sign-in"},
		})
		return
	}
	if err != nil {
		h.signInUnavailable(w, r, err)
		return
	}
	if err := h.cfg.Users.RememberName(r.Context(), oidcActor(a.Subject), a.Name); err != nil {
		h.render.Fail(w, err)
		return
	}
	if err := h.begin(w, r, a); err != nil {
		h.render.Fail(w, err)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// oidcAccount checks the provider's answer: state, code exchange with the
// PKCE verifier, the ID token's signature, issuer, audience and expiry,
// its nonce, and the role claim.
func (h *handler) oidcAccount(r *http.Request) (*account, string, error) {
	sess := h.cfg.Sessions.Current(r)
	var data sessionData
	if sess != nil {
		if err := h.cfg.Sessions.Load(r.Context(), sess, &data); err != nil {
			return nil, "", err
		}
	}
	p := data.OIDC
	q := r.URL.Query()
	if p == nil || subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(p.State)) != 1 {
		return nil, "", fmt.Errorf("%w: no sign-in in progress in this browser, or the state does not match", errOIDCRefused)
	}
	if e := q.Get("error"); e != "" {
		return nil, "", fmt.Errorf("%w: the provider said %s", errOIDCRefused, e)
	}
	provider, conf, err := h.oidc.discover(r.Context())
	if err != nil {
		return nil, "", err
	}
	ctx := h.oidc.context(r.Context())
	tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(p.Verifier))
	if err != nil {
		return nil, "", fmt.Errorf("%w: code exchange: %w", errOIDCRefused, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, "", fmt.Errorf("%w: the token response has no ID token", errOIDCRefused)
	}
	idt, err := provider.Verifier(&oidc.Config{ClientID: h.oidc.cfg.ClientID}).Verify(ctx, raw)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", errOIDCRefused, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(p.Nonce)) != 1 {
		return nil, "", fmt.Errorf("%w: the ID token's nonce does not match", errOIDCRefused)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, "", fmt.Errorf("%w: %w", errOIDCRefused, err)
	}
	role := roleFromClaim(claims[h.oidc.cfg.RoleClaim])
	if role == auth.RoleNone {
		return nil, "", fmt.Errorf("%w: subject %s has no staff role in claim %q", errOIDCRefused, idt.Subject, h.oidc.cfg.RoleClaim)
	}
	name, _ := claims["name"].(string)
	if name == "" {
		name, _ = claims["email"].(string)
	}
	if name == "" {
		name = idt.Subject
	}
	return &account{Subject: idt.Subject, Name: name, Role: role}, p.Next, nil
}

// roleFromClaim reads a role claim that is one role name or a list of
// them (as group-style claims are), keeping the highest staff role.
func roleFromClaim(v any) auth.Role {
	var names []string
	switch v := v.(type) {
	case string:
		names = []string{v}
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				names = append(names, s)
			}
		}
	}
	best := auth.RoleNone
	for _, n := range names {
		if r, err := auth.ParseRole(n); err == nil && r > best {
			best = r
		}
	}
	return best
}

// oidcActor is how someone signed in through the provider is recorded in
// the audit trail and as an assignee: by the provider's stable subject,
// which an email address is not.
func oidcActor(subject string) string { return "oidc:" + subject }

func (h *handler) signInUnavailable(w http.ResponseWriter, r *http.Request, err error) {
	h.cfg.Log.ErrorContext(r.Context(), "OpenID Connect provider unavailable", "error", err)
	h.render.Error(w, http.StatusBadGateway, web.Problem{
		Heading: "Sorry, single sign-on is not working",
		Body:    []string{"The sign-in service did not answer. Try again later, or sign in with a Rightsdesk account if you have one."},
		Link:    &web.Link{Text: "Sign in", Href: "/staff/sign-in"},
	})
}
