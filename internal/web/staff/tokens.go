package staff

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// The API tokens page lists every token's record (never a secret), creates
// one, showing its secret once on the page that answers the form, and
// revokes one after a page that asks to confirm. The secret is never put in
// an address, a log or the store: the use case keeps only its hash.

// tokenView is one token's record as the page shows it.
type tokenView struct {
	auth.Token
	Created   string
	CreatedBy string
	Expires   string
	LastUsed  string
	// Usable is false for a token revoked or past its expiry.
	Usable bool
	Tags   []web.Tag
}

func (h *handler) viewToken(t auth.Token, names directory, now time.Time) tokenView {
	v := tokenView{Token: t, Created: ukTime(t.CreatedAt), CreatedBy: "Not recorded", Expires: "Never", LastUsed: "Not since it was created"}
	if t.CreatedBy != "" {
		v.CreatedBy = names.of(t.CreatedBy)
	}
	if t.ExpiresAt != nil {
		v.Expires = ukTime(*t.ExpiresAt)
	}
	if t.LastUsed != nil {
		v.LastUsed = ukTime(*t.LastUsed)
	}
	switch err := t.Usable(now); {
	case err == nil:
		v.Usable = true
		v.Tags = []web.Tag{{Text: "Active", Colour: "green"}}
	case t.Revoked:
		v.Tags = []web.Tag{{Text: "Revoked", Colour: "grey"}}
	default:
		v.Tags = []web.Tag{{Text: "Expired", Colour: "grey"}}
	}
	return v
}

// lifetimes are the expiries the form offers: a token for a tool should
// end, so "never" is offered last.
var lifetimes = []struct {
	value, label string
	d            time.Duration
}{
	{"30d", "In 30 days", 30 * 24 * time.Hour},
	{"90d", "In 90 days", 90 * 24 * time.Hour},
	{"365d", "In a year", 365 * 24 * time.Hour},
	{"never", "Never", 0},
}

type tokensData struct {
	adminPage
	Tokens    []tokenView
	Roles     []web.Option
	Lifetimes []web.Option
}

// tokensDone says what the change a redirect to the tokens page names did,
// to the token it names by id.
var tokensDone = map[string]func(t *auth.Token) string{
	"revoked": func(t *auth.Token) string { return "Token ‘" + t.Name + "’ revoked: it is refused from now on" },
}

func (h *handler) tokens(w http.ResponseWriter, r *http.Request, me *staffer) {
	list, err := h.cfg.Tokens.List(r.Context())
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	done := ""
	for change, message := range tokensDone {
		if t := findToken(list, r.URL.Query().Get(change)); t != nil {
			done = message(t)
		}
	}
	h.renderTokens(w, r, me, http.StatusOK, list, web.NewForm(nil), done)
}

func findToken(list []auth.Token, id string) *auth.Token {
	for i := range list {
		if id != "" && list[i].ID == id {
			return &list[i]
		}
	}
	return nil
}

func (h *handler) renderTokens(w http.ResponseWriter, r *http.Request, me *staffer, status int, list []auth.Token, f *web.Form, done string) {
	names, err := h.names(r.Context())
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	now := h.cfg.Clock.Now()
	d := tokensData{adminPage: adminPage{Section: sectionTokens, Done: done}, Roles: roleOptions()}
	for _, t := range list {
		d.Tokens = append(d.Tokens, h.viewToken(t, names, now))
	}
	for _, l := range lifetimes {
		d.Lifetimes = append(d.Lifetimes, web.Option{Value: l.value, Label: l.label})
	}
	h.render.Render(w, status, "staff/tokens", web.View{Title: "API tokens", CSRF: me.csrf, Form: f, Data: d})
}

type tokenCreatedData struct {
	adminPage
	Token tokenView
	// Secret is the token itself, shown on this page only.
	Secret string
}

// createToken makes a token and answers with the page that shows its
// secret, the one time it is ever shown. Nothing redirects there: an
// address would have to carry the secret, or the server keep it.
func (h *handler) createToken(w http.ResponseWriter, r *http.Request, me *staffer) {
	f := web.NewForm(url.Values{
		"token-name":     {strings.TrimSpace(r.PostForm.Get("token-name"))},
		"token-role":     {r.PostForm.Get("token-role")},
		"token-lifetime": {r.PostForm.Get("token-lifetime")},
	})
	in := usecase.NewToken{Name: required(f, "token-name", "Enter who or what will hold the token"), By: me.actor}
	role, err := auth.ParseRole(f.Get("token-role"))
	if err != nil {
		f.Fail("token-role", "", "Choose what the token may do")
	}
	in.Role = role
	lifetime := f.Get("token-lifetime")
	known := false
	for _, l := range lifetimes {
		if l.value == lifetime {
			in.Lifetime, known = l.d, true
		}
	}
	if !known {
		f.Fail("token-lifetime", "", "Choose when the token stops working")
	}
	var created *usecase.CreatedToken
	if !f.HasErrors() {
		created, err = h.cfg.Tokens.Create(r.Context(), in)
		if e := web.ErrorOf(err); err != nil && !e.OnForm() {
			h.render.Fail(w, e)
			return
		} else if err != nil {
			f.Take(e, func(field string) string { return "token-" + field }, "token-name")
		}
	}
	if f.HasErrors() {
		list, err := h.cfg.Tokens.List(r.Context())
		if err != nil {
			h.render.Fail(w, err)
			return
		}
		h.renderTokens(w, r, me, http.StatusUnprocessableEntity, list, f, "")
		return
	}
	h.cfg.Log.InfoContext(r.Context(), "api token created", "token", created.Token.ID, "role", created.Token.Role.String(), "by", me.actor)
	names, err := h.names(r.Context())
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	h.render.Render(w, http.StatusOK, "staff/token-created", web.View{
		Title: "Token created", CSRF: me.csrf,
		Data: tokenCreatedData{adminPage: adminPage{Section: sectionTokens}, Token: h.viewToken(created.Token, names, h.cfg.Clock.Now()), Secret: created.Plaintext},
	})
}

type tokenRevokeData struct {
	adminPage
	Token tokenView
}

// tokenFromPath reads the record of the token the path names by its id.
func (h *handler) tokenFromPath(r *http.Request) (*auth.Token, error) {
	list, err := h.cfg.Tokens.List(r.Context())
	if err != nil {
		return nil, err
	}
	if t := findToken(list, r.PathValue("id")); t != nil {
		return t, nil
	}
	return nil, &fault.NotFound{Resource: "token", Name: "tokens/" + r.PathValue("id")}
}

// confirmRevoke asks before a token is revoked, which cannot be undone.
func (h *handler) confirmRevoke(w http.ResponseWriter, r *http.Request, me *staffer) {
	t, err := h.tokenFromPath(r)
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	names, err := h.names(r.Context())
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	h.render.Render(w, http.StatusOK, "staff/token-revoke", web.View{
		Title: "Revoke the token ‘" + t.Name + "’", Back: sectionTokens, CSRF: me.csrf,
		Data: tokenRevokeData{adminPage: adminPage{Section: sectionTokens}, Token: h.viewToken(*t, names, h.cfg.Clock.Now())},
	})
}

func (h *handler) revokeToken(w http.ResponseWriter, r *http.Request, me *staffer) {
	t, err := h.tokenFromPath(r)
	if err == nil {
		t, err = h.cfg.Tokens.Revoke(r.Context(), t.ID, me.actor)
	}
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	h.cfg.Log.InfoContext(r.Context(), "api token revoked", "token", t.ID, "by", me.actor)
	http.Redirect(w, r, sectionTokens+"?"+url.Values{"revoked": {t.ID}}.Encode(), http.StatusSeeOther)
}
