package staff

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/users"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// SetupPath is where the one-time link that creates the first administrator
// points, followed by its secret; the server prints the link at start while
// no administrator exists (see accounts.Directory.SetupLink).
const SetupPath = Prefix + "setup/"

// setupGone is the page for a set-up link that no longer works.
func (h *handler) setupGone(w http.ResponseWriter, e *web.Error) {
	h.render.Error(w, http.StatusGone, web.Problem{
		Heading: "This set-up link no longer works",
		Body:    []string{e.Message + "."},
		Link:    &web.Link{Text: "Go to the sign-in page", Href: "/staff/sign-in"},
	})
}

func (h *handler) showSetup(w http.ResponseWriter, r *http.Request) {
	if err := h.cfg.Users.CheckSetupLink(r.Context(), r.PathValue("secret")); err != nil {
		if e := web.ErrorOf(err); e.Kind == web.Refused {
			h.setupGone(w, e)
			return
		}
		h.render.Fail(w, err)
		return
	}
	sess, err := h.cfg.Sessions.Start(w, r)
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	h.render.Render(w, http.StatusOK, "staff/setup", web.View{Title: "Create the first administrator", Form: web.NewForm(nil), CSRF: h.cfg.Sessions.CSRFToken(sess)})
}

// setup creates the first administrator and sends them to sign in with
// what they chose, which proves the password works.
func (h *handler) setup(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(url.Values{
		"user-email": {strings.TrimSpace(r.PostForm.Get("user-email"))},
		"user-name":  {strings.TrimSpace(r.PostForm.Get("user-name"))},
	})
	in := users.NewUser{
		Email:    required(f, "user-email", "Enter the email address you will sign in with"),
		Name:     required(f, "user-name", "Enter your name as colleagues know it"),
		Password: r.PostForm.Get("user-password"),
	}
	if in.Password == "" {
		f.Fail("user-password", "", "Enter a password")
	}
	if !f.HasErrors() {
		u, err := h.cfg.Users.FirstAdministrator(r.Context(), r.PathValue("secret"), in)
		if err == nil {
			h.cfg.Log.InfoContext(r.Context(), "first administrator created through the set-up link", "user", u.ID)
			http.Redirect(w, r, "/staff/sign-in?"+url.Values{"created": {"1"}}.Encode(), http.StatusSeeOther)
			return
		}
		e := web.ErrorOf(err)
		switch e.Kind {
		case web.Refused:
			h.setupGone(w, e)
			return
		case web.Invalid:
			f.Take(e, func(field string) string { return "user-" + field }, "user-email")
		default:
			h.render.Fail(w, e)
			return
		}
	}
	h.render.Render(w, http.StatusUnprocessableEntity, "staff/setup", web.View{Title: "Create the first administrator", Form: f, CSRF: h.cfg.Sessions.CSRFToken(h.cfg.Sessions.Current(r))})
}
