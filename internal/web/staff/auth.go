package staff

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/users"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// sessionData is what a staff session keeps in the store.
type sessionData struct {
	Staff *account     `json:"staff,omitempty"`
	OIDC  *oidcPending `json:"oidc,omitempty"`
	// Half is a local sign-in whose password was right and whose second
	// step (the authenticator code) is still to come.
	Half *halfSignIn `json:"half,omitempty"`
	// Bulk is the outcome of a bulk assignment, for the queue to show once.
	Bulk *bulkOutcome `json:"bulk,omitempty"`
}

// account is who signed in. A local account is read again from the
// directory on every request, and the session ends once the account's
// credential version is no longer the one it signed in with (a new
// password, role, disabling or "end all sessions"); an OpenID Connect
// sign-in keeps the role its ID token granted until the session ends.
type account struct {
	UserID  string    `json:"user_id,omitempty"`
	Subject string    `json:"subject,omitempty"`
	Name    string    `json:"name"`
	Role    auth.Role `json:"role"`
	Saved   time.Time `json:"saved"`
	// CredentialVersion is the local account's when the session began.
	CredentialVersion uint64 `json:"credential_version,omitempty"`
}

// localAccount is what a session remembers of a local account signing in.
func localAccount(u *users.User) *account {
	return &account{UserID: u.ID, Name: u.Name, Role: u.Role, CredentialVersion: u.CredentialVersion}
}

// errSessionEnded is a session whose account has changed since it began:
// its record is deleted and the person is told why they must sign in.
var errSessionEnded = errors.New("the account changed since this session began")

// endedQuery marks the sign-in page shown after errSessionEnded.
const endedQuery = "ended"

// staffer is the signed-in member of staff a page is drawn for.
type staffer struct {
	actor string
	name  string
	role  auth.Role
	sess  *web.Session
	csrf  string
	// newPassword is set while an administrator requires the staffer to
	// choose a new password: until they do, every page sends them to
	// passwordPath.
	newPassword bool
	// setUpSecondFactor is set while the policy requires the staffer to
	// set up two-step verification: until they do, every page but that
	// one sends them to secondFactorPath.
	setUpSecondFactor bool
}

// can reports whether the staffer's role includes need.
func (s *staffer) can(need auth.Role) bool { return s.role.Includes(need) }

// need wraps a page that requires a signed-in member of staff with at least
// the given role. Someone not signed in is sent to the sign-in page and
// brought back; someone without the role gets a 403 page.
func (h *handler) need(role auth.Role, page func(http.ResponseWriter, *http.Request, *staffer)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		me, err := h.current(r)
		ended := errors.Is(err, errSessionEnded)
		if err != nil && !ended {
			h.render.Fail(w, err)
			return
		}
		if me == nil {
			next := r.URL.RequestURI()
			if r.Method != http.MethodGet {
				next = r.URL.Path
			}
			q := url.Values{"next": {next}}
			if ended {
				q.Set(endedQuery, "1")
			}
			http.Redirect(w, r, "/staff/sign-in?"+q.Encode(), http.StatusSeeOther)
			return
		}
		if me.newPassword && r.URL.Path != passwordPath {
			http.Redirect(w, r, passwordPath, http.StatusSeeOther)
			return
		}
		if me.setUpSecondFactor && !me.newPassword && !strings.HasPrefix(r.URL.Path, secondFactorPath) {
			http.Redirect(w, r, secondFactorPath, http.StatusSeeOther)
			return
		}
		if !me.can(role) {
			h.render.Error(w, http.StatusForbidden, web.Problem{
				Heading: "You cannot do this",
				Body:    []string{"Your account has the " + me.role.String() + " role; this needs the " + role.String() + " role.", "Ask an administrator if you need it."},
				Link:    &web.Link{Text: "Go to the queue", Href: Prefix},
			})
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		page(w, r, me)
	}
}

// current returns the signed-in member of staff, or nil; a session its
// account's changes have ended is errSessionEnded.
func (h *handler) current(r *http.Request) (*staffer, error) {
	sess := h.cfg.Sessions.Current(r)
	if sess == nil {
		return nil, nil
	}
	var data sessionData
	if err := h.cfg.Sessions.Load(r.Context(), sess, &data); err != nil {
		return nil, err
	}
	a := data.Staff
	if a == nil {
		return nil, nil
	}
	me := &staffer{name: a.Name, role: a.Role, sess: sess, csrf: h.cfg.Sessions.CSRFToken(sess)}
	if a.UserID != "" {
		u, err := h.cfg.Users.Get(r.Context(), a.UserID)
		switch {
		case err != nil && web.ErrorOf(err).Kind == web.Missing:
			return nil, nil // the account is gone: signed out
		case err != nil:
			return nil, err // a failure of ours must not sign anyone out
		case !u.SessionValid(a.CredentialVersion):
			// Deleted, not just refused, so nothing can revive it.
			if err := h.cfg.Sessions.Clear(context.WithoutCancel(r.Context()), sess); err != nil {
				return nil, err
			}
			return nil, errSessionEnded
		}
		me.actor, me.name, me.role, me.newPassword = u.Actor(), u.Name, u.Role, u.PasswordChangeRequired
		me.setUpSecondFactor = h.cfg.Users.MustSetUpSecondFactor(u)
	} else {
		me.actor = oidcActor(a.Subject)
	}
	if now := h.cfg.Clock.Now(); now.Sub(a.Saved) > reSave {
		a.Saved = now
		if err := h.cfg.Sessions.Save(r.Context(), sess, data); err != nil {
			return nil, err
		}
	}
	return me, nil
}

// begin starts a fresh session for someone who has just proved who they
// are. The session id changes at sign-in, so an id planted in the browser
// beforehand (session fixation) never becomes a signed-in one.
func (h *handler) begin(w http.ResponseWriter, r *http.Request, a *account) error {
	_, err := h.beginSession(w, r, a)
	return err
}

// beginSession is begin for a page drawn in the same response, whose forms
// need the new session's anti-forgery token.
func (h *handler) beginSession(w http.ResponseWriter, r *http.Request, a *account) (*web.Session, error) {
	a.Saved = h.cfg.Clock.Now()
	return h.freshSession(w, r, sessionData{Staff: a})
}

// freshSession replaces the request's session, if any, with a new one
// holding data.
func (h *handler) freshSession(w http.ResponseWriter, r *http.Request, data sessionData) (*web.Session, error) {
	if old := h.cfg.Sessions.Current(r); old != nil {
		if err := h.cfg.Sessions.Clear(r.Context(), old); err != nil {
			return nil, err
		}
	}
	fresh := r.Clone(r.Context())
	fresh.Header.Del("Cookie")
	sess, err := h.cfg.Sessions.Start(w, fresh)
	if err != nil {
		return nil, err
	}
	return sess, h.cfg.Sessions.Save(r.Context(), sess, data)
}

type signInData struct {
	Next string
	OIDC bool
	// SingleSignOnOnly says the password form is for administrators only
	// (--require-sso).
	SingleSignOnOnly bool
	// Created says the first administrator's account was just made.
	Created bool
	// Ended says a change to the account ended the person's session.
	Ended bool
}

func (h *handler) showSignIn(w http.ResponseWriter, r *http.Request) {
	sess, err := h.cfg.Sessions.Start(w, r)
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	q := r.URL.Query()
	h.renderSignIn(w, http.StatusOK, sess, web.NewForm(nil), signInData{Next: safeNext(q.Get("next")), Created: q.Get("created") != "", Ended: q.Get(endedQuery) != ""})
}

func (h *handler) renderSignIn(w http.ResponseWriter, status int, sess *web.Session, f *web.Form, d signInData) {
	d.OIDC = h.oidc != nil
	d.SingleSignOnOnly = d.OIDC && h.oidc.cfg.Required
	h.render.Render(w, status, "staff/sign-in", web.View{Title: "Sign in", Form: f, CSRF: h.cfg.Sessions.CSRFToken(sess), Data: d})
}

// signInRefused is said for every refusal alike (unknown address, wrong
// password, disabled or locked account), so the form cannot be used to
// learn which addresses have accounts.
const signInRefused = "The email address or password is not right, or the account is locked for a while after too many attempts"

func (h *handler) signIn(w http.ResponseWriter, r *http.Request) {
	sess := h.cfg.Sessions.Current(r)
	f := web.NewForm(url.Values{"email": {strings.TrimSpace(r.PostForm.Get("email"))}})
	next := safeNext(r.PostForm.Get("next"))
	password := r.PostForm.Get("password")
	if f.Get("email") == "" {
		f.Fail("email", "", "Enter your email address")
	}
	if password == "" {
		f.Fail("password", "", "Enter your password")
	}
	if f.HasErrors() {
		h.renderSignIn(w, http.StatusUnprocessableEntity, sess, f, signInData{Next: next})
		return
	}
	u, err := h.cfg.Users.SignIn(r.Context(), f.Get("email"), password)
	var refused *users.SignInError
	if errors.As(err, &refused) {
		h.cfg.Log.InfoContext(r.Context(), "staff sign-in refused", "user", refused.UserID, "reason", refused.Reason.Error())
		f.Fail("email", "", signInRefused)
		h.renderSignIn(w, http.StatusUnprocessableEntity, sess, f, signInData{Next: next})
		return
	}
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	if u.HasSecondFactor() {
		if err := h.beginHalf(w, r, u, next); err != nil {
			h.render.Fail(w, err)
			return
		}
		http.Redirect(w, r, codePath, http.StatusSeeOther)
		return
	}
	h.signedIn(w, r, u, next)
}

// signedIn begins the session of someone who has proved who they are and
// sends them on: to choose a new password if an administrator requires
// one, else where they were going.
func (h *handler) signedIn(w http.ResponseWriter, r *http.Request, u *users.User, next string) {
	h.cfg.Log.InfoContext(r.Context(), "staff signed in", "user", u.ID)
	if err := h.begin(w, r, localAccount(u)); err != nil {
		h.render.Fail(w, err)
		return
	}
	if u.PasswordChangeRequired {
		next = passwordPath
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (h *handler) signOut(w http.ResponseWriter, r *http.Request) {
	if sess := h.cfg.Sessions.Current(r); sess != nil {
		if err := h.cfg.Sessions.Clear(context.WithoutCancel(r.Context()), sess); err != nil {
			h.render.Fail(w, err)
			return
		}
	}
	http.Redirect(w, r, "/staff/sign-in", http.StatusSeeOther)
}

// Name is the staffer's name, for the pages.
func (s *staffer) Name() string { return s.name }

// Admin reports whether the staffer may manage staff accounts.
func (s *staffer) Admin() bool { return s.can(auth.RoleAdmin) }
