package staff

import (
	"errors"
	"image/png"
	"net/http"
	"strings"
	"time"

	"github.com/pquerna/otp"

	"github.com/rightsdesk/rightsdesk/internal/users"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// Two-step verification's pages: the second step of signing in, and
// setting it up (with its QR code) or renewing recovery codes.
const (
	codePath         = "/staff/sign-in/code"
	secondFactorPath = "/staff/two-step"
	qrPath           = secondFactorPath + "/qr.png"
	recoveryPath     = secondFactorPath + "/recovery-codes"
)

// halfLife is how long the code may take to arrive after the password.
const halfLife = 5 * time.Minute

// halfSignIn is a sign-in between its password and its code.
type halfSignIn struct {
	UserID string    `json:"user_id"`
	Next   string    `json:"next"`
	Until  time.Time `json:"until"`
}

// beginHalf starts a fresh session that holds only the half sign-in: the
// id changes again when the code is right, so neither step's session id
// becomes a signed-in one.
func (h *handler) beginHalf(w http.ResponseWriter, r *http.Request, u *users.User, next string) error {
	_, err := h.freshSession(w, r, sessionData{Half: &halfSignIn{UserID: u.ID, Next: next, Until: h.cfg.Clock.Now().Add(halfLife)}})
	return err
}

// half returns the request's half sign-in, or nil when there is none or it
// has run out.
func (h *handler) half(r *http.Request) (*web.Session, *halfSignIn, error) {
	sess := h.cfg.Sessions.Current(r)
	if sess == nil {
		return nil, nil, nil
	}
	var data sessionData
	if err := h.cfg.Sessions.Load(r.Context(), sess, &data); err != nil || data.Half == nil || !h.cfg.Clock.Now().Before(data.Half.Until) {
		return sess, nil, err
	}
	return sess, data.Half, nil
}

func (h *handler) showCode(w http.ResponseWriter, r *http.Request) {
	sess, half, err := h.half(r)
	switch {
	case err != nil:
		h.render.Fail(w, err)
	case half == nil:
		http.Redirect(w, r, "/staff/sign-in", http.StatusSeeOther)
	default:
		h.renderCode(w, http.StatusOK, sess, web.NewForm(nil))
	}
}

func (h *handler) renderCode(w http.ResponseWriter, status int, sess *web.Session, f *web.Form) {
	w.Header().Set("Cache-Control", "no-store")
	h.render.Render(w, status, "staff/sign-in-code", web.View{Title: "Sign in: enter your code", Form: f, CSRF: h.cfg.Sessions.CSRFToken(sess)})
}

// codeRefused is said for every refusal alike, as signInRefused is.
const codeRefused = "The code is not right, or has been used already, or the account is locked for a while after too many attempts"

func (h *handler) checkCode(w http.ResponseWriter, r *http.Request) {
	sess, half, err := h.half(r)
	switch {
	case err != nil:
		h.render.Fail(w, err)
		return
	case half == nil:
		http.Redirect(w, r, "/staff/sign-in", http.StatusSeeOther)
		return
	}
	f := web.NewForm(nil)
	code := strings.TrimSpace(r.PostForm.Get("code"))
	if code == "" {
		f.Fail("code", "", "Enter the 6-digit code from your authenticator app, or one of your recovery codes")
		h.renderCode(w, http.StatusUnprocessableEntity, sess, f)
		return
	}
	u, err := h.cfg.Users.VerifySecondFactor(r.Context(), half.UserID, code)
	var refused *users.SignInError
	if errors.As(err, &refused) {
		h.cfg.Log.InfoContext(r.Context(), "staff sign-in code refused", "user", half.UserID, "reason", refused.Reason.Error())
		f.Fail("code", "", codeRefused)
		h.renderCode(w, http.StatusUnprocessableEntity, sess, f)
		return
	}
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	h.signedIn(w, r, u, half.Next)
}

type secondFactorData struct {
	// Local is false for someone signed in through single sign-on, whose
	// second factor is the identity provider's.
	Local bool
	// Since is when the account set it up, in words; empty while it has
	// none, and then Secret is the key to type into the app if the QR code
	// cannot be scanned, in groups of four.
	Since  string
	Secret string
	// Required says the policy requires it before anything else.
	Required bool
	// RecoveryCodes are shown once, just after they are made.
	RecoveryCodes []string
}

func (h *handler) secondFactorPage(w http.ResponseWriter, r *http.Request, me *staffer) {
	h.renderSecondFactor(w, r, me, http.StatusOK, web.NewForm(nil), nil)
}

func (h *handler) renderSecondFactor(w http.ResponseWriter, r *http.Request, me *staffer, status int, f *web.Form, codes []string) {
	d := secondFactorData{Required: me.setUpSecondFactor, RecoveryCodes: codes}
	id, local := strings.CutPrefix(me.actor, "user:")
	if d.Local = local; local && len(codes) == 0 {
		u, err := h.cfg.Users.Get(r.Context(), id)
		if err != nil {
			h.render.Fail(w, err)
			return
		}
		if u.HasSecondFactor() {
			d.Since = ukTime(u.SecondFactorSince)
		} else {
			e, err := h.enrolment(r, id)
			if err != nil {
				h.render.Fail(w, err)
				return
			}
			d.Secret = grouped(e.Secret)
		}
	}
	h.render.Render(w, status, "staff/two-step", web.View{Title: "Two-step verification", CSRF: me.csrf, Form: f, Data: d})
}

// enrolment is the secret being set up, begun on first sight of the page
// and shown again afterwards, so a reload or a mistyped code does not
// change the key the person has already scanned.
func (h *handler) enrolment(r *http.Request, id string) (users.Enrolment, error) {
	e, found, err := h.cfg.Users.PendingSecondFactor(r.Context(), id)
	if err != nil || found {
		return e, err
	}
	return h.cfg.Users.BeginSecondFactor(r.Context(), id)
}

// grouped spells a base32 secret in groups of four, as people copy it.
func grouped(secret string) string {
	var b strings.Builder
	for i, c := range secret {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// secondFactorQR draws the pending secret's otpauth address as a QR code,
// served from the site so the page's content security policy need not
// allow data: images.
func (h *handler) secondFactorQR(w http.ResponseWriter, r *http.Request, me *staffer) {
	id, local := strings.CutPrefix(me.actor, "user:")
	e, found, err := h.cfg.Users.PendingSecondFactor(r.Context(), id)
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	if !local || !found {
		h.render.NotFound(w)
		return
	}
	key, err := otp.NewKeyFromURL(e.URL)
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	img, err := key.Image(240, 240)
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	if err := png.Encode(w, img); err != nil {
		h.cfg.Log.WarnContext(r.Context(), "QR code not written", "error", err)
	}
}

// setUpSecondFactor confirms the pending secret with a code and shows the
// recovery codes, once. Setting it up ended every other session of the
// account; the person who did it goes on in a fresh one.
func (h *handler) setUpSecondFactor(w http.ResponseWriter, r *http.Request, me *staffer) {
	h.withCode(w, r, me, func(id, code string) ([]string, error) {
		codes, u, err := h.cfg.Users.SetUpSecondFactor(r.Context(), id, code)
		if err != nil {
			return nil, err
		}
		h.cfg.Log.InfoContext(r.Context(), "staff two-step verification set up", "user", id)
		sess, err := h.beginSession(w, r, localAccount(u))
		if err != nil {
			return nil, err
		}
		me.setUpSecondFactor, me.sess, me.csrf = false, sess, h.cfg.Sessions.CSRFToken(sess)
		return codes, nil
	})
}

func (h *handler) renewRecoveryCodes(w http.ResponseWriter, r *http.Request, me *staffer) {
	h.withCode(w, r, me, func(id, code string) ([]string, error) {
		return h.cfg.Users.NewRecoveryCodes(r.Context(), id, code)
	})
}

// withCode runs a change to the staffer's own two-step verification that
// needs a code from their authenticator app, and shows the recovery codes
// it makes.
func (h *handler) withCode(w http.ResponseWriter, r *http.Request, me *staffer, change func(id, code string) ([]string, error)) {
	f := web.NewForm(nil)
	id, local := strings.CutPrefix(me.actor, "user:")
	code := strings.TrimSpace(r.PostForm.Get("code"))
	switch {
	case !local:
		h.render.NotFound(w)
		return
	case code == "":
		f.Fail("code", "", "Enter the 6-digit code from your authenticator app")
	}
	if !f.HasErrors() {
		codes, err := change(id, code)
		e := web.ErrorOf(err)
		switch {
		case err == nil:
			w.Header().Set("Cache-Control", "no-store")
			h.renderSecondFactor(w, r, me, http.StatusOK, f, codes)
			return
		case e.OnForm():
			f.Take(e, func(string) string { return "code" }, "code")
		default:
			h.render.Fail(w, e)
			return
		}
	}
	h.renderSecondFactor(w, r, me, http.StatusUnprocessableEntity, f, nil)
}

func (h *handler) resetSecondFactor(w http.ResponseWriter, r *http.Request, me *staffer) {
	h.changeAccount(w, r, me, "second-factor", web.NewForm(nil), func(id string) (*users.User, string, error) {
		u, err := h.cfg.Users.ResetSecondFactor(r.Context(), id, me.actor)
		return u, "second-factor-reset", err
	})
}
