package staff

import (
	"errors"
	"net/http"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/users"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// passwordPath is the page where staff change their own password, the
// only page open to someone required to choose a new one.
const passwordPath = "/staff/password"

type passwordData struct {
	// Local is false for someone signed in through single sign-on, whose
	// password lives with the identity provider.
	Local bool
	Done  bool
	// Required says an administrator requires a new password before
	// anything else.
	Required bool
}

func (h *handler) passwordPage(w http.ResponseWriter, r *http.Request, me *staffer) {
	h.renderPassword(w, me, http.StatusOK, web.NewForm(nil), r.URL.Query().Get("changed") != "")
}

func (h *handler) renderPassword(w http.ResponseWriter, me *staffer, status int, f *web.Form, done bool) {
	h.render.Render(w, status, "staff/password", web.View{
		Title: "Change your password", CSRF: me.csrf, Form: f,
		Data: passwordData{Local: strings.HasPrefix(me.actor, "user:"), Done: done, Required: me.newPassword},
	})
}

// changePassword replaces the signed-in user's own password. Neither
// password is ever put back into the page.
func (h *handler) changePassword(w http.ResponseWriter, r *http.Request, me *staffer) {
	f := web.NewForm(nil)
	id, local := strings.CutPrefix(me.actor, "user:")
	current, next := r.PostForm.Get("current-password"), r.PostForm.Get("new-password")
	switch {
	case !local:
		f.Fail("current-password", "", "You sign in through your organisation's single sign-on: change your password there")
	case current == "":
		f.Fail("current-password", "", "Enter your current password")
	case next == "":
		f.Fail("new-password", "", "Enter a new password")
	}
	if !f.HasErrors() {
		u, err := h.cfg.Users.ChangePassword(r.Context(), id, current, next)
		var refused *users.SignInError
		switch e := web.ErrorOf(err); {
		case errors.As(err, &refused):
			f.Fail("current-password", "", "Your current password was not accepted. After several wrong tries you must wait a while before trying again")
		case err != nil && e.OnForm():
			f.Take(e, func(field string) string { return strings.ReplaceAll(field, "_", "-") }, "new-password")
		case err != nil:
			h.render.Fail(w, e)
			return
		default:
			h.cfg.Log.InfoContext(r.Context(), "staff password changed", "user", id)
			// The change ended every session of the account, this one
			// included; the person who made it goes on in a fresh one.
			if err := h.begin(w, r, localAccount(u)); err != nil {
				h.render.Fail(w, err)
				return
			}
			http.Redirect(w, r, passwordPath+"?changed=1", http.StatusSeeOther)
			return
		}
	}
	h.renderPassword(w, me, http.StatusUnprocessableEntity, f, false)
}
