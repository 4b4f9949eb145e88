package staff_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
	"github.com/rightsdesk/rightsdesk/internal/web/staff"
)

// usecaseImport is an import of content as a colleague's tool makes it.
func usecaseImport(content string) usecase.ImportRequest {
	return usecase.ImportRequest{Content: []byte(content), Actor: "token:colleague"}
}

// admin signs in a fresh administrator and returns their browser and the
// anti-forgery token of their session.
func (s *site) admin(email string) (*browser, string) {
	s.t.Helper()
	s.user(email, auth.RoleAdmin)
	b := s.browser()
	b.signIn(email)
	_, page := b.get("/staff/users")
	return b, csrfIn(s.t, page)
}

// noPersonalDataIn fails when an address the workspace sent the browser
// to holds a name or an email address.
func noPersonalDataIn(t *testing.T, resp *http.Response, personal ...string) {
	t.Helper()
	loc := resp.Header.Get("Location")
	for _, p := range personal {
		if strings.Contains(loc, p) || strings.Contains(loc, url.QueryEscape(p)) {
			t.Errorf("redirected to %q, which holds %q", loc, p)
		}
	}
}

func TestAdministratorChangesARoleButNotTheirOwnNorTheLastAdministrators(t *testing.T) {
	s := newSite(t, nil)
	admin, token := s.admin("admin@example.org")
	s.user("cw@example.org", auth.RoleCaseworker)
	cw := s.find("cw@example.org")
	me := s.find("admin@example.org")

	resp, page := admin.get("/staff/users/" + cw.ID)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `action="/staff/users/`+cw.ID+`/role"`) || !strings.Contains(page, "Never") {
		t.Fatalf("account page: status %d, want a role form and no sign-in yet", resp.StatusCode)
	}
	resp, body := admin.post("/staff/users/"+cw.ID+"/role", url.Values{"csrf_token": {token}})
	s.refusedOnField("a role change without a role", resp, body, "role")

	resp, _ = admin.post("/staff/users/"+cw.ID+"/role", url.Values{"csrf_token": {token}, "role": {"admin"}})
	if resp.StatusCode != http.StatusSeeOther || s.find("cw@example.org").Role != auth.RoleAdmin {
		t.Fatalf("promote: status %d, role %s", resp.StatusCode, s.find("cw@example.org").Role)
	}
	noPersonalDataIn(t, resp, cw.Name, cw.Email)
	if _, page := admin.get(resp.Header.Get("Location")); !strings.Contains(page, html.EscapeString(cw.Name+"’s role is now admin")) {
		t.Error("no success banner after the role change")
	}

	// Your own role is neither offered nor accepted.
	if _, page := admin.get("/staff/users/" + me.ID); strings.Contains(page, `action="/staff/users/`+me.ID+`/role"`) || !strings.Contains(page, "You cannot change your own role") {
		t.Error("the administrator's own page offers a role change")
	}
	resp, body = admin.post("/staff/users/"+me.ID+"/role", url.Values{"csrf_token": {token}, "role": {"viewer"}})
	s.refusedOnField("changing one's own role", resp, body, "role")

	// The other administrator demotes this one, whose session ends at
	// once; signed in again, they have the new role.
	other := s.browser()
	other.signIn("cw@example.org")
	_, page = other.get("/staff/users/" + me.ID)
	if resp, _ := other.post("/staff/users/"+me.ID+"/role", url.Values{"csrf_token": {csrfIn(t, page)}, "role": {"caseworker"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("demoting one of two administrators: status %d", resp.StatusCode)
	}
	expectEnded(t, admin, "the demoted administrator's next page")
	admin.signIn("admin@example.org")
	if resp, _ := admin.get("/staff/users"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("the demoted administrator signed in again: status %d, want 403", resp.StatusCode)
	}
}

// An administrator who signs in through single sign-on has no local
// account, so the last local administrator can be someone else's: the
// domain keeps them one, and the page says why.
func TestTheLastAdministratorKeepsTheRole(t *testing.T) {
	issuer := newFakeIssuer(t, map[string]any{"name": "Olive Idsee", "rightsdesk_role": "admin"})
	s := newSite(t, &staff.OIDCConfig{Issuer: issuer.srv.URL, ClientID: "rightsdesk", RoleClaim: staff.DefaultRoleClaim})
	s.user("only@example.org", auth.RoleAdmin)
	s.user("cw@example.org", auth.RoleCaseworker)
	only := s.find("only@example.org")
	sso := s.browser()
	sso.followOIDC(t)
	resp, page := sso.get("/staff/users/" + only.ID)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("account page for a single sign-on administrator: status %d", resp.StatusCode)
	}
	resp, body := sso.post("/staff/users/"+only.ID+"/role", url.Values{"csrf_token": {csrfIn(t, page)}, "role": {"caseworker"}})
	s.refusedOnField("demoting the last administrator", resp, body, "role")
	if !strings.Contains(body, "is the only active administrator") {
		t.Error("the refusal does not say why")
	}
	if s.find("only@example.org").Role != auth.RoleAdmin {
		t.Fatal("the last administrator lost the role")
	}
	// With a second administrator, the same change is made.
	cw := s.find("cw@example.org")
	if resp, _ := sso.post("/staff/users/"+cw.ID+"/role", url.Values{"csrf_token": {csrfIn(t, page)}, "role": {"admin"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("promote: status %d", resp.StatusCode)
	}
	if resp, _ := sso.post("/staff/users/"+only.ID+"/role", url.Values{"csrf_token": {csrfIn(t, page)}, "role": {"caseworker"}}); resp.StatusCode != http.StatusSeeOther || s.find("only@example.org").Role != auth.RoleCaseworker {
		t.Fatalf("demoting one of two administrators: status %d", resp.StatusCode)
	}
}

// A required password change sends the user to the change-password page
// at sign-in and from any page while signed in, until they change it.
func TestRequiredNewPasswordComesFirst(t *testing.T) {
	s := newSite(t, nil)
	admin, token := s.admin("admin@example.org")
	s.user("cw@example.org", auth.RoleCaseworker)
	cw := s.find("cw@example.org")
	signedIn := s.browser()
	signedIn.signIn("cw@example.org")

	resp, body := admin.post("/staff/users/"+cw.ID+"/password-change", url.Values{"csrf_token": {token}})
	s.refusedOnField("a password change request that says nothing", resp, body, "password-change")
	resp, _ = admin.post("/staff/users/"+cw.ID+"/password-change", url.Values{"csrf_token": {token}, "required": {"yes"}})
	if resp.StatusCode != http.StatusSeeOther || !s.find("cw@example.org").PasswordChangeRequired {
		t.Fatalf("require a new password: status %d", resp.StatusCode)
	}
	noPersonalDataIn(t, resp, cw.Name, cw.Email)
	if _, page := admin.get(resp.Header.Get("Location")); !strings.Contains(page, "must choose a new password before anything else") || !strings.Contains(page, "New password required") {
		t.Error("no banner or status after requiring a new password")
	}

	// Signed in already: the next page is the password page.
	for _, path := range []string{"/staff/", "/staff/dashboard", "/staff/cases/new"} {
		if resp, _ := signedIn.get(path); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/password" {
			t.Errorf("GET %s while a new password is required: status %d to %q, want /staff/password", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	// Signing in: straight there, whatever the page asked for.
	b := s.browser()
	_, page := b.get("/staff/sign-in")
	resp, _ = b.post("/staff/sign-in", url.Values{"csrf_token": {csrfIn(t, page)}, "email": {"cw@example.org"}, "password": {password}, "next": {"/staff/dashboard"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/password" {
		t.Fatalf("sign-in: status %d to %q, want /staff/password", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, page = b.get("/staff/password")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "An administrator has asked you to choose a new password") {
		t.Fatalf("password page: status %d, want it to say why", resp.StatusCode)
	}
	if resp, _ := b.post("/staff/cases/new", url.Values{"csrf_token": {csrfIn(t, page)}}); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/password" {
		t.Errorf("a form sent before the new password: status %d, want a redirect to the password page", resp.StatusCode)
	}
	const fresh = "harbour lantern porridge"
	resp, _ = b.post("/staff/password", url.Values{"csrf_token": {csrfIn(t, page)}, "current-password": {password}, "new-password": {fresh}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change password: status %d", resp.StatusCode)
	}
	if s.find("cw@example.org").PasswordChangeRequired {
		t.Error("the requirement stays after the user chose a new password")
	}
	if resp, _ := b.get("/staff/dashboard"); resp.StatusCode != http.StatusOK {
		t.Errorf("dashboard after the change: status %d, want 200", resp.StatusCode)
	}

	// Withdrawing a request lets the user carry on without a change.
	if resp, _ := admin.post("/staff/users/"+cw.ID+"/password-change", url.Values{"csrf_token": {token}, "required": {"yes"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatal(resp.StatusCode)
	}
	resp, _ = admin.post("/staff/users/"+cw.ID+"/password-change", url.Values{"csrf_token": {token}, "required": {"no"}})
	if resp.StatusCode != http.StatusSeeOther || s.find("cw@example.org").PasswordChangeRequired {
		t.Fatalf("withdraw: status %d", resp.StatusCode)
	}
	if resp, _ := b.get("/staff/dashboard"); resp.StatusCode != http.StatusOK {
		t.Errorf("dashboard after the request was withdrawn: status %d", resp.StatusCode)
	}
}

func TestUsersPageShowsLockedAndLastSignInAndUnlocks(t *testing.T) {
	s := newSite(t, nil)
	admin, token := s.admin("admin@example.org")
	s.user("cw@example.org", auth.RoleCaseworker)
	cw := s.find("cw@example.org")
	for range 12 {
		_, _ = s.users.SignIn(context.Background(), "cw@example.org", "not the password at all")
	}
	_, page := admin.get("/staff/users")
	card := regexp.MustCompile(`(?s)id="account-` + cw.ID + `".*?</dl>`).FindString(page)
	if !strings.Contains(card, ">Locked<") || !strings.Contains(card, "Locked until") || !strings.Contains(card, "Never") {
		t.Errorf("the locked account's card does not say locked, until when, and never signed in:\n%s", card)
	}
	// The administrator signed in at 10:00 UTC on 10 March, 10am in London.
	me := regexp.MustCompile(`(?s)id="account-` + s.find("admin@example.org").ID + `".*?</dl>`).FindString(page)
	if !strings.Contains(me, "10:00am on 10 March 2026") {
		t.Errorf("the administrator's last sign-in is not shown in UK time:\n%s", me)
	}

	_, page = admin.get("/staff/users/" + cw.ID)
	if !strings.Contains(page, `action="/staff/users/`+cw.ID+`/unlock"`) {
		t.Fatal("the locked account's page offers no unlock")
	}
	resp, _ := admin.post("/staff/users/"+cw.ID+"/unlock", url.Values{"csrf_token": {token}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("unlock: status %d", resp.StatusCode)
	}
	noPersonalDataIn(t, resp, cw.Name, cw.Email)
	if _, page := admin.get(resp.Header.Get("Location")); !strings.Contains(page, "unlocked: they can sign in again now") || strings.Contains(page, `/unlock"`) {
		t.Error("after unlocking: no banner, or still an unlock button")
	}
	b := s.browser()
	b.signIn("cw@example.org")
}

func TestAdminPagesAreForAdministratorsOnly(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	s.user("admin@example.org", auth.RoleAdmin)
	adminID := s.find("admin@example.org").ID
	cw := s.browser()
	cw.signIn("cw@example.org")
	_, page := cw.get("/staff/")
	token := csrfIn(t, page)
	for _, path := range []string{"/staff/users/" + adminID, "/staff/tokens", "/staff/tokens/000000000000/revoke", "/staff/notices/import"} {
		if resp, _ := cw.get(path); resp.StatusCode != http.StatusForbidden {
			t.Errorf("caseworker GET %s: status %d, want 403", path, resp.StatusCode)
		}
	}
	for path, form := range map[string]url.Values{
		"/staff/users/" + adminID + "/role":            {"role": {"viewer"}},
		"/staff/users/" + adminID + "/password-change": {"required": {"yes"}},
		"/staff/users/" + adminID + "/unlock":          {},
		"/staff/tokens":                                {"token-name": {"mallory"}, "token-role": {"admin"}, "token-lifetime": {"never"}},
		"/staff/tokens/000000000000/revoke":            {},
		"/staff/notices/import/preview":                {"document-text": {"Privacy notice"}},
		"/staff/notices/import":                        {"content": {"UHJpdmFjeQ=="}, "expect-version": {"1"}},
	} {
		form.Set("csrf_token", token)
		if resp, _ := cw.post(path, form); resp.StatusCode != http.StatusForbidden {
			t.Errorf("caseworker POST %s: status %d, want 403", path, resp.StatusCode)
		}
	}
	if u := s.find("admin@example.org"); u.Role != auth.RoleAdmin || u.PasswordChangeRequired {
		t.Errorf("the administrator's account changed under refused requests: %+v", u)
	}
	if list, _ := s.tokens.List(context.Background()); len(list) != 0 {
		t.Errorf("a caseworker created %d tokens", len(list))
	}
	// Without the anti-forgery token, even an administrator is refused.
	admin, _ := s.admin("second@example.org")
	if resp, _ := admin.post("/staff/tokens", url.Values{"token-name": {"bot"}, "token-role": {"viewer"}, "token-lifetime": {"never"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a token created without the anti-forgery token: status %d, want 403", resp.StatusCode)
	}
}

var secretPattern = regexp.MustCompile(`id="token-secret"[^>]*>(rd_[a-z2-7]+)</textarea>`)

func TestTokenIsShownOnceAndRevokedAfterConfirmation(t *testing.T) {
	s := newSite(t, nil)
	admin, token := s.admin("admin@example.org")

	resp, body := admin.post("/staff/tokens", url.Values{"csrf_token": {token}, "token-name": {"case-importer"}, "token-role": {"caseworker"}})
	s.refusedOnField("a token without an expiry", resp, body, "token-lifetime")
	resp, body = admin.post("/staff/tokens", url.Values{"csrf_token": {token}, "token-name": {"alice smith"}, "token-role": {"caseworker"}, "token-lifetime": {"30d"}})
	s.refusedOnField("a token name with a space", resp, body, "token-name")
	if list, _ := s.tokens.List(context.Background()); len(list) != 0 {
		t.Fatalf("refused forms created %d tokens", len(list))
	}
	resp, body = admin.post("/staff/tokens", url.Values{"csrf_token": {token}, "token-name": {"case-importer"}, "token-role": {"caseworker"}, "token-lifetime": {"90d"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create: status %d", resp.StatusCode)
	}
	m := secretPattern.FindStringSubmatch(body)
	if m == nil || !auth.WellFormed(m[1]) || !strings.Contains(body, "This is the only time it is shown") {
		t.Fatal("the created page does not show the token once, with the warning")
	}
	secret := m[1]
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("the page with the secret may be cached: Cache-Control %q", resp.Header.Get("Cache-Control"))
	}
	p, err := s.tokens.Authenticate(context.Background(), secret)
	if err != nil || p.Name != "case-importer" || p.Role != auth.RoleCaseworker {
		t.Fatalf("the shown token = %+v, %v; want a working caseworker token", p, err)
	}
	list, _ := s.tokens.List(context.Background())
	if len(list) != 1 || list[0].CreatedBy != "user:"+s.find("admin@example.org").ID || list[0].ExpiresAt == nil {
		t.Fatalf("stored %+v, want one token created by the administrator, with an expiry", list)
	}
	id := list[0].ID

	// Never again: not on the list, not on the revoke page, not in a log.
	_, listPage := admin.get("/staff/tokens")
	_, confirm := admin.get("/staff/tokens/" + id + "/revoke")
	for name, page := range map[string]string{"list": listPage, "confirmation": confirm, "log": s.log.String()} {
		if strings.Contains(page, secret) || strings.Contains(page, secret[3:]) {
			t.Errorf("the %s shows the token", name)
		}
	}
	if !strings.Contains(listPage, "case-importer") || !strings.Contains(listPage, "tokens/"+id) || !strings.Contains(listPage, "by Staff admin") ||
		!strings.Contains(listPage, "10:00am on 10 March 2026") {
		t.Error("the list does not show the token's name, id, creator and last use")
	}
	if !strings.Contains(confirm, "Revoke the token ‘case-importer’?") || !strings.Contains(confirm, `action="/staff/tokens/`+id+`/revoke"`) {
		t.Fatal("the revoke link does not lead to a confirmation")
	}

	resp, _ = admin.post("/staff/tokens/"+id+"/revoke", url.Values{"csrf_token": {token}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: status %d", resp.StatusCode)
	}
	if _, err := s.tokens.Authenticate(context.Background(), secret); !errors.Is(err, auth.ErrTokenRevoked) {
		t.Errorf("after revoking, the token authenticates: %v", err)
	}
	if _, page := admin.get(resp.Header.Get("Location")); !strings.Contains(page, "revoked: it is refused from now on") || !strings.Contains(page, ">Revoked<") {
		t.Error("no banner or status after revoking")
	}
	if resp, _ := admin.get("/staff/tokens/ffffffffffff/revoke"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("revoke page of an unknown token: status %d, want 404", resp.StatusCode)
	}
}

// importFixture reads one of the importer's fictitious notices.
func importFixture(t *testing.T, name string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "notice", "importer", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

var hiddenPattern = regexp.MustCompile(`<input type="hidden" name="([a-z-]+)" value="([^"]*)">`)

// saveForm is the preview page's save form, as the browser would send it.
func saveForm(t *testing.T, page string) url.Values {
	t.Helper()
	form := url.Values{}
	for _, m := range hiddenPattern.FindAllStringSubmatch(page, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	if form.Get("content") == "" {
		t.Fatal("the preview offers no save form")
	}
	return form
}

// postMultipart sends a form with a file, as a browser does for an upload.
func (b *browser) postMultipart(path string, fields map[string]string, file, name string) (*http.Response, string) {
	b.s.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	part, err := w.CreateFormFile("document-file", name)
	if err != nil {
		b.s.t.Fatal(err)
	}
	_, _ = part.Write([]byte(file))
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, b.s.srv.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := b.client.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	_, _ = out.ReadFrom(resp.Body)
	return resp, out.String()
}

func TestImportPreviewThenSave(t *testing.T) {
	s := newSite(t, nil)
	admin, token := s.admin("admin@example.org")
	doc := importFixture(t, "numbered-sections.txt")

	if resp, page := admin.get("/staff/notices/import"); resp.StatusCode != http.StatusOK || !strings.Contains(page, `enctype="multipart/form-data"`) {
		t.Fatalf("import page: status %d", resp.StatusCode)
	}
	resp, body := admin.post("/staff/notices/import/preview", url.Values{"csrf_token": {token}, "format": {"auto"}})
	s.refusedOnField("a preview of nothing", resp, body, "document-text")

	resp, page := admin.post("/staff/notices/import/preview", url.Values{"csrf_token": {token}, "document-text": {doc}, "format": {"auto"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("preview: status %d\n%s", resp.StatusCode, page)
	}
	const id, title = "example-learning-portal", "Privacy notice for the Example Learning Portal"
	for _, want := range []string{"Check the notice before you save it", title, "notices/" + id, "It is a new notice", "Lawful basis", "Save as version 1", "Problems found", "Rights the notice declares"} {
		if !strings.Contains(page, want) {
			t.Errorf("the preview does not show %q", want)
		}
	}
	if _, _, err := s.notices.Notice(context.Background(), id, 0); err == nil {
		t.Fatal("the preview stored the notice")
	}
	form := saveForm(t, page)
	if sent, _ := base64.StdEncoding.DecodeString(form.Get("content")); string(sent) != strings.TrimSpace(doc) {
		t.Error("the save form does not carry the document as sent")
	}
	form.Set("csrf_token", token)
	resp, _ = admin.post("/staff/notices/import", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: status %d", resp.StatusCode)
	}
	if _, page := admin.get(resp.Header.Get("Location")); !strings.Contains(page, "Saved ‘"+title+"’ as version 1 of notices/"+id) {
		t.Error("no banner after saving")
	}
	n, v, err := s.notices.Notice(context.Background(), id, 0)
	if err != nil || v.Number != 1 || len(n.Versions) != 1 {
		t.Fatalf("stored: %+v, %v", v, err)
	}

	// A new version, uploaded as a file: the preview says what changes.
	revised := strings.Replace(strings.Replace(doc, "Published 3 March 2022", "Updated 9 February 2026", 1), "for 2 years after you leave", "for 3 years after you leave", 1)
	resp, page = admin.postMultipart("/staff/notices/import/preview", map[string]string{"csrf_token": token, "document-text": "", "format": "auto"}, revised, "portal-2026.txt")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("preview of an upload: status %d\n%s", resp.StatusCode, page)
	}
	for _, want := range []string{"Saving it makes version 2, in force from 9 February 2026, after version 1", "What changes from version 1", "3 years", "Save as version 2"} {
		if !strings.Contains(page, want) {
			t.Errorf("the preview of version 2 does not show %q", want)
		}
	}
	changes := regexp.MustCompile(`(?s)id="change-list".*?</dl>`).FindString(page)
	if !strings.Contains(changes, ">Was<") || !strings.Contains(changes, ">Now<") || !strings.Contains(changes, "2 years") {
		t.Errorf("the changes do not show the retention before and after:\n%s", changes)
	}
	form = saveForm(t, page)
	if form.Get("document") != "portal-2026.txt" {
		t.Errorf("the save form names the document %q, want the file's name", form.Get("document"))
	}
	form.Set("csrf_token", token)
	if resp, _ := admin.post("/staff/notices/import", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save version 2: status %d", resp.StatusCode)
	}
	if _, v, _ := s.notices.Notice(context.Background(), id, 0); v.Number != 2 || v.EffectiveFrom != "2026-02-09" || v.Source.Document != "portal-2026.txt" {
		t.Fatalf("current version after the second save: %+v", v)
	}
	var events []audit.Event
	err = s.store.View(context.Background(), func(tx store.ReadTx) (err error) {
		events, _, err = store.CaseEvents(tx, audit.NoticeSubject(id))
		return err
	})
	if err != nil || len(events) != 2 || events[1].Actor != "user:"+s.find("admin@example.org").ID {
		t.Errorf("audit events of the notice: %+v, %v; want two, by the administrator", events, err)
	}

	// The same document again has nothing to save.
	_, page = admin.post("/staff/notices/import/preview", url.Values{"csrf_token": {token}, "document-text": {revised}, "format": {"auto"}})
	if !strings.Contains(page, "so there is nothing to save") || strings.Contains(page, "Save as version") {
		t.Error("an unchanged document offers a save")
	}
}

func TestImportLintErrorBlocksSave(t *testing.T) {
	s := newSite(t, nil)
	admin, token := s.admin("admin@example.org")
	doc := importFixture(t, "bullets.txt")
	resp, page := admin.post("/staff/notices/import/preview", url.Values{"csrf_token": {token}, "document-text": {doc}, "format": {"auto"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("preview: status %d", resp.StatusCode)
	}
	if !strings.Contains(page, ">Error<") || !strings.Contains(page, "cannot be saved here") || strings.Contains(page, "Save as version") || strings.Contains(page, `name="content"`) {
		t.Fatal("a draft with a lint error is offered for saving")
	}
	// A save sent anyway, as a hand-made form would, is refused by the use
	// case and shows the preview again with the reason.
	resp, body := admin.post("/staff/notices/import", url.Values{
		"csrf_token": {token}, "content": {base64.StdEncoding.EncodeToString([]byte(doc))}, "format": {"auto"}, "expect-version": {"1"},
	})
	s.refusedOnField("saving a draft with a lint error", resp, body, "save")
	if !strings.Contains(body, "Lint found 1 error(s) in the draft, so it was not stored") || !strings.Contains(body, "Check the notice before you save it") {
		t.Error("the refusal does not say why, or does not show the preview again")
	}
	all, err := s.notices.All(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range all {
		if n.ID == "example-pensions-helpline" {
			t.Fatal("the draft with a lint error was stored")
		}
	}
}

func TestImportSaveAfterAnotherVersionIsAConflict(t *testing.T) {
	s := newSite(t, nil)
	admin, token := s.admin("admin@example.org")
	doc := importFixture(t, "numbered-sections.txt")
	_, page := admin.post("/staff/notices/import/preview", url.Values{"csrf_token": {token}, "document-text": {doc}, "format": {"auto"}})
	form := saveForm(t, page)
	form.Set("csrf_token", token)
	// A colleague imports an earlier version of the notice meanwhile, so
	// the previewed document would now be its second version.
	earlier := strings.Replace(strings.Replace(doc, "Published 3 March 2022", "Published 1 March 2021", 1), "for 2 years", "for 1 year", 1)
	if _, err := s.notices.Import(context.Background(), usecaseImport(earlier)); err != nil {
		t.Fatal(err)
	}
	resp, body := admin.post("/staff/notices/import", form)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, `<a href="#save">`) {
		t.Fatalf("a save after another version: status %d, want 409 with the error linked to the save", resp.StatusCode)
	}
	if !strings.Contains(body, "What changes from version 1") {
		t.Error("the preview shown again does not compare with the version stored meanwhile")
	}
	if n, _, _ := s.notices.Notice(context.Background(), "example-learning-portal", 0); len(n.Versions) != 1 {
		t.Errorf("%d versions stored, want the colleague's only", len(n.Versions))
	}
}

func TestImportBodyLimits(t *testing.T) {
	s := newSite(t, nil)
	admin, token := s.admin("admin@example.org")
	// A long notice: well past the 128 KB of an ordinary form.
	long := importFixture(t, "numbered-sections.txt") + strings.Repeat("\nA further paragraph about the portal, its courses and its records.\n", 3000)
	if len(long) < 200<<10 {
		t.Fatalf("the long notice is only %d bytes", len(long))
	}
	resp, page := admin.post("/staff/notices/import/preview", url.Values{"csrf_token": {token}, "document-text": {long}, "format": {"auto"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Save as version 1") {
		t.Fatalf("a %d KB notice: status %d, want its preview", len(long)>>10, resp.StatusCode)
	}
	form := saveForm(t, page)
	form.Set("csrf_token", token)
	if resp, _ := admin.post("/staff/notices/import", form); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("saving a %d KB notice: status %d", len(long)>>10, resp.StatusCode)
	}
	// Other forms keep the ordinary limit.
	if resp, _ := admin.post("/staff/tokens", url.Values{"csrf_token": {token}, "token-name": {long}}); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a %d KB token form: status %d, want 413", len(long)>>10, resp.StatusCode)
	}
	huge := strings.Repeat("x", 5<<20)
	resp, body := admin.post("/staff/notices/import/preview", url.Values{"csrf_token": {token}, "document-text": {huge}})
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "What you sent is too long") || !strings.Contains(body, "4096 KB") {
		t.Errorf("a 5 MB pasted notice: status %d, want 413 saying the limit", resp.StatusCode)
	}
	if resp, _ := admin.postMultipart("/staff/notices/import/preview", map[string]string{"csrf_token": token}, huge, "huge.txt"); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a 5 MB upload: status %d, want 413", resp.StatusCode)
	}
	resp, body = admin.postMultipart("/staff/notices/import/preview", map[string]string{"csrf_token": token, "document-text": "Privacy notice", "format": "auto"}, long, "long.txt")
	s.refusedOnField("a pasted notice and a file at once", resp, body, "document-text")
	if resp, _ := admin.postMultipart("/staff/notices/import/preview", map[string]string{"document-text": ""}, long, "long.txt"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an upload without the anti-forgery token: status %d, want 403", resp.StatusCode)
	}
}
