package staff_test

import (
	"bytes"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/users"
	"github.com/rightsdesk/rightsdesk/internal/users/userstest"
)

var (
	totpKeyPattern  = regexp.MustCompile(`<code class="govuk-!-font-weight-bold" id="secret">([A-Z2-7 ]+)</code>`)
	recoveryPattern = regexp.MustCompile(`<li><code>((?:[a-z2-7]{4}-){5}[a-z2-7]{4})</code></li>`)
)

// setUpSecondFactor takes a signed-in administrator, whom the policy sends
// to set up two-step verification, through setting it up; it returns the
// secret and the recovery codes shown.
func setUpSecondFactor(t *testing.T, b *browser) (secret string, recovery []string) {
	t.Helper()
	if resp, _ := b.get("/staff/"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/two-step" {
		t.Fatalf("an administrator without two-step verification opened the queue: %d to %q, want the set-up page", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page := b.get("/staff/two-step")
	m := totpKeyPattern.FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, `id="required"`) {
		t.Fatalf("the set-up page shows no key or does not say it is required:\n%s", page)
	}
	secret = strings.ReplaceAll(m[1], " ", "")
	if _, again := b.get("/staff/two-step"); !strings.Contains(again, m[1]) {
		t.Error("reloading the set-up page changed the key the person may have scanned already")
	}
	resp, img := b.get("/staff/two-step/qr.png")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("QR code: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if _, err := png.Decode(bytes.NewReader([]byte(img))); err != nil {
		t.Fatalf("QR code is not a PNG: %v", err)
	}
	csrf := csrfIn(t, page)
	resp, body := b.post("/staff/two-step", url.Values{"csrf_token": {csrf}, "code": {"000000"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<a href="#code">`) {
		t.Fatalf("a wrong code: %d, want 422 with the error linked to the field\n%s", resp.StatusCode, body)
	}
	resp, body = b.post("/staff/two-step", url.Values{"csrf_token": {csrf}, "code": {userstest.AppCode(t, secret, now)}})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("the right code: %d (Cache-Control %q)\n%s", resp.StatusCode, resp.Header.Get("Cache-Control"), body)
	}
	for _, m := range recoveryPattern.FindAllStringSubmatch(body, -1) {
		recovery = append(recovery, m[1])
	}
	if len(recovery) != users.RecoveryCodeCount {
		t.Fatalf("%d recovery codes shown, want %d", len(recovery), users.RecoveryCodeCount)
	}
	resp, queue := b.get("/staff/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the queue after setting it up: %d", resp.StatusCode)
	}
	// The page with the codes is drawn in the fresh session: its forms
	// (sign out) carry that session's anti-forgery token.
	if csrfIn(t, body) != csrfIn(t, queue) {
		t.Error("the recovery codes page carries the ended session's anti-forgery token")
	}
	return secret, recovery
}

// signInWithCode signs in with the password and then the code, returning
// the status and Location of the code's answer.
func signInWithCode(t *testing.T, b *browser, email, code string) *http.Response {
	t.Helper()
	_, page := b.get("/staff/sign-in")
	resp, _ := b.post("/staff/sign-in", url.Values{"csrf_token": {csrfIn(t, page)}, "email": {email}, "password": {password}, "next": {"/staff/?view=mine"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/sign-in/code" {
		t.Fatalf("password step: %d to %q, want the code page", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := b.get("/staff/"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/staff/sign-in?") {
		t.Fatalf("between password and code the queue answered %d to %q: the password alone signed in", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page = b.get("/staff/sign-in/code")
	if strings.Contains(page, `id="navigation"`) {
		t.Error("the code page shows the signed-in menu")
	}
	resp, _ = b.post("/staff/sign-in/code", url.Values{"csrf_token": {csrfIn(t, page)}, "code": {code}})
	return resp
}

func TestAdministratorsSetUpTwoStepVerificationAndSignInWithIt(t *testing.T) {
	s := newSiteRequiring(t, users.SecondFactorAdmins, nil)
	s.user("admin@example.org", auth.RoleAdmin)
	s.user("cw@example.org", auth.RoleCaseworker)

	cw := s.browser()
	cw.signIn("cw@example.org")
	if resp, _ := cw.get("/staff/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("a caseworker, for whom it is optional, was not let in: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	setUp := s.browser()
	setUp.signIn("admin@example.org")
	secret, recovery := setUpSecondFactor(t, setUp)

	later := now.Add(30 * time.Second) // the clock is fixed; the next step's code is within the skew
	b := s.browser()
	if resp := signInWithCode(t, b, "admin@example.org", "123456"); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a wrong code: %d", resp.StatusCode)
	}
	if resp := signInWithCode(t, b, "admin@example.org", userstest.AppCode(t, secret, later)); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/?view=mine" {
		t.Fatalf("the right code: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := b.get("/staff/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("the queue after the code: %d", resp.StatusCode)
	}
	again := s.browser()
	if resp := signInWithCode(t, again, "admin@example.org", userstest.AppCode(t, secret, later)); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("the same code signed in a second browser: %d", resp.StatusCode)
	}
	lost := s.browser()
	if resp := signInWithCode(t, lost, "admin@example.org", strings.ToUpper(recovery[0])); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a recovery code: %d", resp.StatusCode)
	}
	if resp := signInWithCode(t, s.browser(), "admin@example.org", recovery[0]); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a spent recovery code: %d", resp.StatusCode)
	}
	for _, line := range strings.Split(s.log.String(), "\n") {
		if strings.Contains(line, "admin@example.org") || strings.Contains(line, secret) || strings.Contains(line, recovery[1]) {
			t.Errorf("the log holds a personal or secret value: %s", line)
		}
	}
}

func TestAnAdministratorResetsAnothersTwoStepVerification(t *testing.T) {
	s := newSiteRequiring(t, users.SecondFactorAdmins, nil)
	s.user("admin@example.org", auth.RoleAdmin)
	id := s.user("other@example.org", auth.RoleAdmin).ID
	admin := s.browser()
	admin.signIn("admin@example.org")
	setUpSecondFactor(t, admin)
	other := s.browser()
	other.signIn("other@example.org")
	setUpSecondFactor(t, other)

	_, page := admin.get("/staff/users/" + id)
	if !strings.Contains(page, `action="/staff/users/`+id+`/second-factor/reset"`) {
		t.Fatalf("the account page offers no reset of two-step verification:\n%s", page)
	}
	resp, _ := admin.post("/staff/users/"+id+"/second-factor/reset", url.Values{"csrf_token": {csrfIn(t, page)}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/users/"+id+"?done=second-factor-reset" {
		t.Fatalf("reset: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := other.get("/staff/"); resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "ended=1") {
		t.Errorf("the reset account's session went on: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	other.signIn("other@example.org")
	if resp, _ := other.get("/staff/"); resp.Header.Get("Location") != "/staff/two-step" {
		t.Errorf("after a reset, signing in with the password went to %q, want setting it up again", resp.Header.Get("Location"))
	}
}
