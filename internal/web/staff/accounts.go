package staff

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/users"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// accountView is one staff account as the administrators' pages show it,
// at the moment the page is drawn.
type accountView struct {
	users.User
	// Self is the administrator looking at the page, who may not change
	// their own role or disable their own account.
	Self bool
	// Locked is true while sign-ins are refused after wrong passwords;
	// LockedUntil says until when, in UK time.
	Locked      bool
	LockedUntil string
	LastSignIn  string
	CreatedOn   string
	// Tags say the account's state in words and colour.
	Tags []web.Tag
}

func viewAccount(u users.User, me *staffer, now time.Time) accountView {
	v := accountView{User: u, Self: u.Actor() == me.actor, Locked: u.Locked(now), LastSignIn: "Never", CreatedOn: web.LongDate(u.Created.In(london).Format(time.DateOnly))}
	if !u.LastSignIn.IsZero() {
		v.LastSignIn = ukTime(u.LastSignIn)
	}
	switch {
	case u.Disabled:
		v.Tags = append(v.Tags, web.Tag{Text: "Disabled", Colour: "grey"})
	case v.Locked:
		v.LockedUntil = ukTime(u.LockedUntil)
		v.Tags = append(v.Tags, web.Tag{Text: "Locked", Colour: "red"})
	default:
		v.Tags = append(v.Tags, web.Tag{Text: "Active", Colour: "green"})
	}
	if u.PasswordChangeRequired {
		v.Tags = append(v.Tags, web.Tag{Text: "New password required", Colour: "yellow"})
	}
	if u.HasSecondFactor() {
		v.Tags = append(v.Tags, web.Tag{Text: "Two-step verification", Colour: "blue"})
	}
	return v
}

type accountsData struct {
	adminPage
	Accounts []accountView
	Roles    []web.Option
	// Resettable lists every account for the password reset form.
	Resettable []web.Option
}

func roleOptions() []web.Option {
	hints := map[auth.Role]string{
		auth.RoleViewer:     "Can read cases, the dashboard and exports",
		auth.RoleCaseworker: "Can also log requests and act on cases",
		auth.RoleAdmin:      "Can also reopen cases, manage staff accounts and API tokens, and import notices",
	}
	out := make([]web.Option, 0, len(auth.StaffRoles))
	for _, r := range auth.StaffRoles {
		out = append(out, web.Option{Value: r.String(), Label: web.Words(r.String()), Hint: hints[r]})
	}
	return out
}

// accountsDone says what the change a redirect to the accounts page names
// did, to the account it names by id.
var accountsDone = map[string]func(u *users.User) string{
	"created":  func(u *users.User) string { return "Account created for " + u.Name },
	"disabled": func(u *users.User) string { return "Account disabled for " + u.Name },
	"reset": func(u *users.User) string {
		return "New password set for " + u.Name + "; the account is active and unlocked"
	},
}

func (h *handler) accounts(w http.ResponseWriter, r *http.Request, me *staffer) {
	h.renderAccounts(w, r, me, http.StatusOK, web.NewForm(nil), h.doneMessage(r, accountsDone))
}

// doneMessage is the banner for a redirect after a change: its query names
// the change and the account's id (?created=ID), and messages say it in
// words. An unknown change or account says nothing.
func (h *handler) doneMessage(r *http.Request, messages map[string]func(*users.User) string) string {
	q := r.URL.Query()
	for change, message := range messages {
		if id := q.Get(change); id != "" {
			if u, err := h.cfg.Users.Get(r.Context(), id); err == nil {
				return message(u)
			}
		}
	}
	return ""
}

func (h *handler) renderAccounts(w http.ResponseWriter, r *http.Request, me *staffer, status int, f *web.Form, done string) {
	list, err := h.cfg.Users.List(r.Context())
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	now := h.cfg.Clock.Now()
	d := accountsData{adminPage: adminPage{Section: sectionAccounts, Done: done}, Roles: roleOptions()}
	for _, u := range list {
		d.Accounts = append(d.Accounts, viewAccount(u, me, now))
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
			h.cfg.Log.InfoContext(r.Context(), "staff password reset", "user", u.ID, "by", me.actor)
			if u.Actor() == me.actor {
				// Setting one's own password ends one's own sessions too;
				// the administrator goes on in a fresh one.
				if err := h.begin(w, r, localAccount(u)); err != nil {
					h.render.Fail(w, err)
					return
				}
			}
			http.Redirect(w, r, "/staff/users?"+url.Values{"reset": {u.ID}}.Encode(), http.StatusSeeOther)
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
	h.cfg.Log.InfoContext(r.Context(), "staff account created", "user", u.ID, "role", u.Role.String(), "by", me.actor)
	http.Redirect(w, r, "/staff/users?"+url.Values{"created": {u.ID}}.Encode(), http.StatusSeeOther)
}

// One account's page: what it is and the changes an administrator makes
// to it, one form each, with a banner after each saying what it did.

type accountData struct {
	adminPage
	Account accountView
	Roles   []web.Option
}

// accountDone says what each change on the account page did, by the name
// its redirect gives it (?done=role).
var accountDone = map[string]func(u *users.User) string{
	"role": func(u *users.User) string { return u.Name + "’s role is now " + u.Role.String() },
	"password-required": func(u *users.User) string {
		return u.Name + " must choose a new password before anything else when they next sign in"
	},
	"password-not-required": func(u *users.User) string { return u.Name + " no longer has to choose a new password" },
	"unlocked":              func(u *users.User) string { return u.Name + "’s account is unlocked: they can sign in again now" },
	"second-factor-reset": func(u *users.User) string {
		return u.Name + "’s two-step verification is removed and they are signed out everywhere; they set it up again when they next sign in, if your organisation requires it"
	},
	"sessions-ended": func(u *users.User) string {
		return u.Name + " is signed out everywhere and their calendar feed address no longer works"
	},
}

// accountID is the account id a path names. The use case also finds an
// account by its email address, which must never appear in an address, so
// anything but an id finds nothing.
func accountID(r *http.Request) string {
	id := r.PathValue("id")
	if len(id) != 12 || strings.Trim(id, "0123456789abcdef") != "" {
		return "-"
	}
	return id
}

func (h *handler) account(w http.ResponseWriter, r *http.Request, me *staffer) {
	u, err := h.cfg.Users.Get(r.Context(), accountID(r))
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	done := ""
	if message, ok := accountDone[r.URL.Query().Get("done")]; ok {
		done = message(u)
	}
	h.renderAccount(w, me, http.StatusOK, u, web.NewForm(url.Values{"role": {u.Role.String()}}), done)
}

func (h *handler) renderAccount(w http.ResponseWriter, me *staffer, status int, u *users.User, f *web.Form, done string) {
	h.render.Render(w, status, "staff/account", web.View{
		Title: u.Name, Back: sectionAccounts, CSRF: me.csrf, Form: f,
		Data: accountData{adminPage: adminPage{Section: sectionAccounts, Done: done}, Account: viewAccount(*u, me, h.cfg.Clock.Now()), Roles: roleOptions()},
	})
}

// changeAccount runs an administrator's change to the account the path
// names, then sends them back to its page with a banner saying what was
// done; a change the domain refuses is shown on the form field that asked
// for it. change returns the name of what it did for the banner.
func (h *handler) changeAccount(w http.ResponseWriter, r *http.Request, me *staffer, field string, f *web.Form, change func(id string) (*users.User, string, error)) {
	id := accountID(r)
	var (
		u    *users.User
		done string
		err  error
	)
	if !f.HasErrors() {
		if u, done, err = change(id); err == nil {
			h.cfg.Log.InfoContext(r.Context(), "staff account changed", "user", u.ID, "change", done, "role", u.Role.String(), "by", me.actor)
			http.Redirect(w, r, "/staff/users/"+url.PathEscape(u.ID)+"?"+url.Values{"done": {done}}.Encode(), http.StatusSeeOther)
			return
		}
		e := web.ErrorOf(err)
		if !e.OnForm() {
			h.render.Fail(w, e)
			return
		}
		f.Take(e, func(string) string { return field }, field)
	}
	if u, err = h.cfg.Users.Get(r.Context(), id); err != nil {
		h.render.Fail(w, err)
		return
	}
	if f.Get("role") == "" {
		f.Values.Set("role", u.Role.String())
	}
	h.renderAccount(w, me, http.StatusUnprocessableEntity, u, f, "")
}

func (h *handler) changeRole(w http.ResponseWriter, r *http.Request, me *staffer) {
	f := web.NewForm(url.Values{"role": {r.PostForm.Get("role")}})
	role, err := auth.ParseRole(f.Get("role"))
	if err != nil || !role.IsStaff() {
		f.Fail("role", "", "Choose a role")
	}
	h.changeAccount(w, r, me, "role", f, func(id string) (*users.User, string, error) {
		u, err := h.cfg.Users.Update(r.Context(), id, users.Update{Paths: []string{"role"}, Role: role}, me.actor)
		return u, "role", err
	})
}

// requirePasswordChange asks the account's user to choose a new password
// before anything else, or withdraws the request.
func (h *handler) requirePasswordChange(w http.ResponseWriter, r *http.Request, me *staffer) {
	f := web.NewForm(nil)
	var required bool
	switch r.PostForm.Get("required") {
	case "yes":
		required = true
	case "no":
	default:
		f.Fail("password-change", "", "Say whether a new password is required")
	}
	h.changeAccount(w, r, me, "password-change", f, func(id string) (*users.User, string, error) {
		u, err := h.cfg.Users.Update(r.Context(), id, users.Update{Paths: []string{"password_change_required"}, PasswordChangeRequired: required}, me.actor)
		if !required {
			return u, "password-not-required", err
		}
		return u, "password-required", err
	})
}

func (h *handler) unlockAccount(w http.ResponseWriter, r *http.Request, me *staffer) {
	h.changeAccount(w, r, me, "unlock", web.NewForm(nil), func(id string) (*users.User, string, error) {
		u, err := h.cfg.Users.Unlock(r.Context(), id, me.actor)
		return u, "unlocked", err
	})
}

// endSessions signs the account out everywhere, for a lost device or a
// session that may have been stolen. An administrator ending their own
// sessions is signed out too, and meets the sign-in page next.
func (h *handler) endSessions(w http.ResponseWriter, r *http.Request, me *staffer) {
	h.changeAccount(w, r, me, "end-sessions", web.NewForm(nil), func(id string) (*users.User, string, error) {
		u, err := h.cfg.Users.EndSessions(r.Context(), id, me.actor)
		return u, "sessions-ended", err
	})
}

func (h *handler) disableAccount(w http.ResponseWriter, r *http.Request, me *staffer) {
	u, err := h.cfg.Users.Disable(r.Context(), accountID(r), me.actor)
	if e := web.ErrorOf(err); err != nil && e.OnForm() {
		f := web.NewForm(nil)
		f.Take(e, nil, "disable")
		if u, err = h.cfg.Users.Get(r.Context(), accountID(r)); err != nil {
			h.render.Fail(w, err)
			return
		}
		h.renderAccount(w, me, e.Status, u, f, "")
		return
	}
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	h.cfg.Log.InfoContext(r.Context(), "staff account disabled", "user", u.ID, "by", me.actor)
	http.Redirect(w, r, "/staff/users?"+url.Values{"disabled": {u.ID}}.Encode(), http.StatusSeeOther)
}
