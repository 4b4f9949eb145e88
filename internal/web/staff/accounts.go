package staff

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/users"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// accountRow is one staff account as the accounts page lists it.
type accountRow struct {
	users.User
	// Self is the administrator looking at the page, who may not disable
	// their own account and so lock everyone out.
	Self bool
}

type accountsData struct {
	Accounts []accountRow
	Roles    []web.Option
	// Resettable lists every account for the password reset form.
	Resettable []web.Option
	// Done says what the last action did, shown once after its redirect.
	Done string
}

func roleOptions() []web.Option {
	hints := map[auth.Role]string{
		auth.RoleViewer:     "Can read cases, the dashboard and exports",
		auth.RoleCaseworker: "Can also log requests and act on cases",
		auth.RoleAdmin:      "Can also reopen cases and manage staff accounts",
	}
	out := make([]web.Option, 0, len(auth.StaffRoles))
	for _, r := range auth.StaffRoles {
		out = append(out, web.Option{Value: r.String(), Label: web.Words(r.String()), Hint: hints[r]})
	}
	return out
}

func (h *handler) accounts(w http.ResponseWriter, r *http.Request, me *staffer) {
	done := ""
	switch q := r.URL.Query(); {
	case q.Get("created") != "":
		done = "Account created for " + q.Get("created")
	case q.Get("disabled") != "":
		done = "Account disabled for " + q.Get("disabled")
	case q.Get("reset") != "":
		done = "New password set for " + q.Get("reset") + "; the account is active and unlocked"
	}
	h.renderAccounts(w, r, me, http.StatusOK, web.NewForm(nil), done)
}

func (h *handler) renderAccounts(w http.ResponseWriter, r *http.Request, me *staffer, status int, f *web.Form, done string) {
	list, err := h.cfg.Users.List(r.Context())
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	d := accountsData{Roles: roleOptions(), Done: done}
	for _, u := range list {
		d.Accounts = append(d.Accounts, accountRow{User: u, Self: u.Actor() == me.actor})
		d.Resettable = append(d.Resettable, web.Option{Value: u.ID, Label: u.Name + " (" + u.Email + ")"})
	}
	h.render.Render(w, status, "staff/users", web.View{Title: "Staff accounts", CSRF: me.csrf, Form: f, Data: d})
}

// resetPassword sets a password the administrator chose, for someone who
// forgot theirs or was locked out or disabled; the account is active and
// unlocked afterwards.
func (h *handler) resetPassword(w http.ResponseWriter, r *http.Request, me *staffer) {
	f := web.NewForm(url.Values{"reset-account": {r.PostForm.Get("reset-account")}})
	id, password := f.Get("reset-account"), r.PostForm.Get("reset-password")
	if id == "" {
		f.Fail("reset-account", "", "Choose the account")
	}
	if password == "" {
		f.Fail("reset-password", "", "Enter the new password")
	}
	if !f.HasErrors() {
		u, err := h.cfg.Users.ResetPassword(r.Context(), id, password, me.actor)
		if err == nil {
			h.cfg.Log.Info("staff password reset", "user", u.ID, "by", me.actor)
			http.Redirect(w, r, "/staff/users?"+url.Values{"reset": {u.Name}}.Encode(), http.StatusSeeOther)
			return
		}
		e := web.ErrorOf(err)
		if !e.OnForm() {
			h.render.Fail(w, e)
			return
		}
		f.Take(e, func(field string) string { return "reset-" + field }, "reset-account")
	}
	h.renderAccounts(w, r, me, http.StatusUnprocessableEntity, f, "")
}

// createAccount makes a local account with the password the administrator
// chose, to be passed to its owner out of band.
func (h *handler) createAccount(w http.ResponseWriter, r *http.Request, me *staffer) {
	f := web.NewForm(url.Values{
		"user-email": {strings.TrimSpace(r.PostForm.Get("user-email"))},
		"user-name":  {strings.TrimSpace(r.PostForm.Get("user-name"))},
		"user-role":  {r.PostForm.Get("user-role")},
	})
	in := users.NewUser{
		Email:    required(f, "user-email", "Enter the email address the person signs in with"),
		Name:     required(f, "user-name", "Enter the name colleagues know the person by"),
		Password: r.PostForm.Get("user-password"),
		By:       me.actor,
	}
	role, err := auth.ParseRole(f.Get("user-role"))
	if err != nil || !role.IsStaff() {
		f.Fail("user-role", "", "Choose a role")
	}
	in.Role = role
	if in.Password == "" {
		f.Fail("user-password", "", "Enter a first password for the account")
	}
	if f.HasErrors() {
		h.renderAccounts(w, r, me, http.StatusUnprocessableEntity, f, "")
		return
	}
	u, err := h.cfg.Users.Create(r.Context(), in)
	if err != nil {
		e := web.ErrorOf(err)
		if !e.OnForm() {
			h.render.Fail(w, e)
			return
		}
		f.Take(e, func(field string) string { return "user-" + field }, "user-email")
		h.renderAccounts(w, r, me, e.Status, f, "")
		return
	}
	h.cfg.Log.Info("staff account created", "user", u.ID, "role", u.Role.String(), "by", me.actor)
	http.Redirect(w, r, "/staff/users?"+url.Values{"created": {u.Name}}.Encode(), http.StatusSeeOther)
}

func (h *handler) disableAccount(w http.ResponseWriter, r *http.Request, me *staffer) {
	id := r.PathValue("id")
	u, err := h.cfg.Users.Get(r.Context(), id)
	if err == nil {
		u, err = h.cfg.Users.Disable(r.Context(), u.ID, me.actor)
	}
	if e := web.ErrorOf(err); err != nil && e.Kind == web.Refused {
		f := web.NewForm(nil)
		f.Take(e, nil, "accounts")
		h.renderAccounts(w, r, me, e.Status, f, "")
		return
	}
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	h.cfg.Log.Info("staff account disabled", "user", u.ID, "by", me.actor)
	http.Redirect(w, r, "/staff/users?"+url.Values{"disabled": {u.Name}}.Encode(), http.StatusSeeOther)
}
