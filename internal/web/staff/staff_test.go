package staff_test

import (
	"context"
	crand "crypto/rand"
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/accounts"
	"github.com/rightsdesk/rightsdesk/internal/app/apptest"
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/noticework"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/tokens"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
	"github.com/rightsdesk/rightsdesk/internal/users"
	"github.com/rightsdesk/rightsdesk/internal/web"
	"github.com/rightsdesk/rightsdesk/internal/web/public"
	"github.com/rightsdesk/rightsdesk/internal/web/staff"
	"github.com/rightsdesk/rightsdesk/internal/websessions"
)

var (
	now      = time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
	cheap    = users.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	password = "correct horse battery staple"
)

type site struct {
	t     testing.TB
	srv   *httptest.Server
	work  *casework.Service
	store *store.Store
	users *accounts.Directory
	// tokens and notices are the use cases the administrators' pages call.
	tokens  *tokens.Service
	notices *noticework.Service
	// log is everything the workspace logged.
	log *apptest.Log
	// accounts is what the workspace reads accounts through; a test can
	// make its reads fail.
	accounts *flakyAccounts
	// retention is the retention use case, counting the full plans asked
	// for.
	retention *countingRetention
}

// countingRetention counts the calls of RetentionPlan, the one of the
// retention use case's reads that counts every open case.
type countingRetention struct {
	usecase.Retention
	fullPlans atomic.Int64
}

func (c *countingRetention) RetentionPlan(ctx context.Context) (*usecase.RetentionPlan, error) {
	c.fullPlans.Add(1)
	return c.Retention.RetentionPlan(ctx)
}

// flakyAccounts is the accounts use case with reads of one account that
// fail, as a store failure would, while failGet is set.
type flakyAccounts struct {
	usecase.Accounts
	failGet atomic.Bool
}

func (f *flakyAccounts) Get(ctx context.Context, id string) (*users.User, error) {
	if f.failGet.Load() {
		return nil, errors.New("the store is unavailable")
	}
	return f.Accounts.Get(ctx, id)
}

func newSite(t testing.TB, oidc *staff.OIDCConfig) *site {
	t.Helper()
	return newSiteWith(t, oidc)
}

// newSiteWith is newSite with options for the case service. Two-step
// verification is optional on it, so that tests about other things can sign
// administrators in with a password; newSiteRequiring tests the policy.
func newSiteWith(t testing.TB, oidc *staff.OIDCConfig, opts ...casework.Option) *site {
	t.Helper()
	return newSiteRequiring(t, users.SecondFactorOptional, oidc, opts...)
}

// newSiteRequiring is newSiteWith with the given second factor policy.
func newSiteRequiring(t testing.TB, policy users.SecondFactorPolicy, oidc *staff.OIDCConfig, opts ...casework.Option) *site {
	t.Helper()
	work, st := caseworktest.New(t, t.TempDir(), now, opts...)
	clk := clock.Fixed(now)
	// As internal/app wires it: --require-sso sets both.
	dir := accounts.New(st, clk, crand.Reader, accounts.Options{Params: cheap, SecondFactor: policy, RequireSingleSignOn: oidc != nil && oidc.Required})
	notices := noticework.New(st, clk, nil)
	sessions, err := web.NewSessions(context.Background(), websessions.New(st, crand.Reader), clk, web.SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	logged := &apptest.Log{}
	log := logged.Logger()
	flaky := &flakyAccounts{Accounts: dir}
	srv := httptest.NewUnstartedServer(nil)
	if oidc != nil {
		oidc.RedirectURL = "http://" + srv.Listener.Addr().String() + "/staff/oidc/callback"
	}
	toks := tokens.New(st, clk, crand.Reader)
	retention := &countingRetention{Retention: work}
	h, err := staff.New(staff.Config{Work: work, Notices: notices, Users: flaky, Tokens: toks, Subjects: work, Retention: retention, Clock: clk, Sessions: sessions, Log: log, Organisation: "Test org", BaseURL: "http://rights.test", OIDC: oidc, Searches: work})
	if err != nil {
		t.Fatal(err)
	}
	// The public form shares the sessions, as in internal/server, so a test
	// can use both in one browser.
	pub, err := public.New(public.Config{Work: work, Notices: notices, Sessions: sessions, Log: log, Organisation: "Test org", PublicURL: "http://rights.test"})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(staff.Prefix, h)
	mux.Handle("/", pub)
	srv.Config.Handler = mux
	srv.Start()
	t.Cleanup(srv.Close)
	return &site{t: t, srv: srv, work: work, store: st, users: dir, tokens: toks, notices: notices, log: logged, accounts: flaky, retention: retention}
}

func (s *site) user(email string, role auth.Role) *users.User {
	s.t.Helper()
	u, err := s.users.Create(context.Background(), users.NewUser{Email: email, Name: "Staff " + role.String(), Role: role, Password: password})
	if err != nil {
		s.t.Fatal(err)
	}
	return u
}

func (s *site) openCase() *cases.Case {
	s.t.Helper()
	res, err := s.work.Create(context.Background(), "token:test", cases.NewCase{Notices: []cases.NoticeRef{{ID: "it-service-desk"}},
		Rights: []notice.Right{notice.RightAccess}, Channel: cases.ChannelEmail,
		Requester: cases.Requester{Person: cases.Person{Name: "Ada Lovelace", Email: "ada@example.org"}, Relationship: cases.RelationshipSelf},
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return res.Case
}

// browser is a client with its own cookies that does not follow redirects,
// so each test sees the status and Location it got.
type browser struct {
	s      *site
	client *http.Client
}

func (s *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{s: s, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) get(path string) (*http.Response, string) {
	b.s.t.Helper()
	resp, err := b.client.Get(b.s.srv.URL + path)
	if err != nil {
		b.s.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	b.s.t.Helper()
	resp, err := b.client.PostForm(b.s.srv.URL+path, form)
	if err != nil {
		b.s.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

var csrfPattern = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func csrfIn(t testing.TB, page string) string {
	t.Helper()
	m := csrfPattern.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no anti-forgery token on the page")
	}
	return m[1]
}

func (b *browser) sessionCookie() string {
	u, _ := url.Parse(b.s.srv.URL + staff.Prefix)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == staff.CookieName {
			return c.Value
		}
	}
	return ""
}

func (b *browser) signIn(email string) {
	b.s.t.Helper()
	_, page := b.get("/staff/sign-in")
	resp, body := b.post("/staff/sign-in", url.Values{"csrf_token": {csrfIn(b.s.t, page)}, "email": {email}, "password": {password}, "next": {"/staff/"}})
	if resp.StatusCode != http.StatusSeeOther {
		b.s.t.Fatalf("sign in as %s: status %d\n%s", email, resp.StatusCode, body)
	}
}

func TestSignIn(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	b := s.browser()

	resp, _ := b.get("/staff/?view=mine")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/sign-in?next=%2Fstaff%2F%3Fview%3Dmine" {
		t.Fatalf("signed out: got %d to %q, want the sign-in page that comes back", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page := b.get("/staff/sign-in")
	before := b.sessionCookie()
	for _, bad := range []url.Values{
		{"email": {"cw@example.org"}, "password": {"wrong password!!"}},
		{"email": {"nobody@example.org"}, "password": {password}},
	} {
		bad.Set("csrf_token", csrfIn(t, page))
		resp, body := b.post("/staff/sign-in", bad)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "The email address or password is not right, or the account is locked") {
			t.Fatalf("refused sign-in %v: status %d, want 422 and the one message for every refusal", bad, resp.StatusCode)
		}
	}
	resp, _ = b.post("/staff/sign-in", url.Values{"csrf_token": {csrfIn(t, page)}, "email": {"cw@example.org"}, "password": {password}, "next": {"https://evil.example/"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/" {
		t.Fatalf("sign in: got %d to %q, want /staff/ (never another site)", resp.StatusCode, resp.Header.Get("Location"))
	}
	if after := b.sessionCookie(); after == before || after == "" {
		t.Error("the session id was not renewed at sign-in")
	}
	resp, body := b.get("/staff/")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Signed in as Staff caseworker") {
		t.Fatalf("queue after sign-in: status %d", resp.StatusCode)
	}
	resp, _ = b.post("/staff/sign-out", url.Values{"csrf_token": {csrfIn(t, body)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: status %d", resp.StatusCode)
	}
	if resp, _ := b.get("/staff/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after sign-out the queue answered %d, want a redirect to sign in", resp.StatusCode)
	}
}

func TestLockoutSaysTheSame(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	b := s.browser()
	_, page := b.get("/staff/sign-in")
	token := csrfIn(t, page)
	var last string
	for range 12 {
		_, last = b.post("/staff/sign-in", url.Values{"csrf_token": {token}, "email": {"cw@example.org"}, "password": {"wrong password!!"}})
	}
	resp, body := b.post("/staff/sign-in", url.Values{"csrf_token": {token}, "email": {"cw@example.org"}, "password": {password}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("the right password on a locked account: status %d, want it refused", resp.StatusCode)
	}
	if !strings.Contains(body, "locked for a while") || !strings.Contains(last, "locked for a while") {
		t.Error("the lockout message differs from the wrong-password one")
	}
}

func TestRoles(t *testing.T) {
	s := newSite(t, nil)
	s.user("viewer@example.org", auth.RoleViewer)
	s.user("cw@example.org", auth.RoleCaseworker)
	c := s.openCase()
	close := func(b *browser) string {
		_, page := b.get("/staff/cases/" + c.ID)
		return csrfIn(t, page)
	}

	viewer := s.browser()
	viewer.signIn("viewer@example.org")
	resp, body := viewer.get("/staff/cases/" + c.ID)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Acting on it needs the caseworker role") || strings.Contains(body, "/note\"") {
		t.Fatalf("viewer's case page: status %d, want it read-only", resp.StatusCode)
	}
	resp, _ = viewer.post("/staff/cases/"+c.ID+"/note", url.Values{"csrf_token": {close(viewer)}, "etag": {c.Etag()}, "note-text": {"hello"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("viewer adding a note: status %d, want 403", resp.StatusCode)
	}
	if resp, _ := viewer.get("/staff/cases/new"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("viewer opening the new case form: status %d, want 403", resp.StatusCode)
	}

	cw := s.browser()
	cw.signIn("cw@example.org")
	got, err := s.work.Apply(context.Background(), "token:test", c.ID, "", cases.Close{On: "2026-03-10", Outcome: cases.OutcomeWithdrawn})
	if err != nil {
		t.Fatal(err)
	}
	resp, _ = cw.post("/staff/cases/"+c.ID+"/reopen", url.Values{"csrf_token": {close(cw)}, "etag": {got.Etag()}, "reopen-reason": {"mistake"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("caseworker reopening: status %d, want 403", resp.StatusCode)
	}
	if after, _ := s.work.Get(context.Background(), c.ID); after.State != cases.StateClosed {
		t.Errorf("the case is %s after a refused reopen", after.State)
	}
}

func TestCSRFRejected(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	c := s.openCase()
	b := s.browser()
	b.signIn("cw@example.org")
	for name, token := range map[string]string{"missing": "", "wrong": "not-the-token"} {
		resp, _ := b.post("/staff/cases/"+c.ID+"/note", url.Values{"csrf_token": {token}, "etag": {c.Etag()}, "note-text": {"hello"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s token: status %d, want 403", name, resp.StatusCode)
		}
	}
	if after, _ := s.work.Get(context.Background(), c.ID); len(after.Notes) != 0 {
		t.Error("a note was added without a valid token")
	}
}

func TestConflictIsRefusedWithMessage(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	c := s.openCase()
	b := s.browser()
	b.signIn("cw@example.org")
	_, page := b.get("/staff/cases/" + c.ID)
	// Someone else changes the case after the page was drawn.
	if _, err := s.work.Apply(context.Background(), "token:other", c.ID, "", cases.AddNote{Text: "theirs"}); err != nil {
		t.Fatal(err)
	}
	resp, body := b.post("/staff/cases/"+c.ID+"/assign", url.Values{"csrf_token": {csrfIn(t, page)}, "etag": {c.Etag()}, "assign-to": {"me"}})
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("stale save: status %d, want 409", resp.StatusCode)
	}
	if !strings.Contains(body, "This case was changed by someone else") || !strings.Contains(body, `href="/staff/cases/`+c.ID+`">Reload the case`) {
		t.Error("the conflict page does not say what happened or offer a reload")
	}
	after, _ := s.work.Get(context.Background(), c.ID)
	if after.Assignee != "" || len(after.Notes) != 1 {
		t.Errorf("after the refused save: assignee %q, %d notes; want nothing overwritten", after.Assignee, len(after.Notes))
	}
	if !strings.Contains(body, `name="etag" value="`+after.Etag()+`"`) {
		t.Error("the redrawn page does not carry the case's new etag")
	}
}

func TestCSVExportNeutralisesFormulas(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	c := s.openCase()
	b := s.browser()
	b.signIn("cw@example.org")
	_, page := b.get("/staff/cases/" + c.ID)
	formula := `=HYPERLINK(A99,A1)` // an assignee holds no spaces or quotes, but may start with =
	resp, body := b.post("/staff/cases/"+c.ID+"/assign", url.Values{"csrf_token": {csrfIn(t, page)}, "etag": {c.Etag()}, "assign-to": {formula}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("assign: status %d\n%s", resp.StatusCode, body)
	}
	resp, body = b.get("/staff/export.csv?view=all")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("export: status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("export: %d rows, %v", len(rows), err)
	}
	col := -1
	for i, h := range rows[0] {
		if h == "assignee" {
			col = i
		}
	}
	if col < 0 || rows[1][col] != "'"+formula {
		t.Errorf("assignee cell = %q, want the formula with a leading apostrophe", rows[1][col])
	}
}

func (s *site) find(email string) users.User {
	s.t.Helper()
	list, err := s.users.List(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	for _, u := range list {
		if u.Email == email {
			return u
		}
	}
	s.t.Fatalf("no account for %s", email)
	return users.User{}
}

// The timeline names the person a case was assigned to, not their id.
func TestTimelineNamesTheAssignee(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	c := s.openCase()
	cw := s.find("cw@example.org")
	if _, err := s.work.Apply(context.Background(), "token:other", c.ID, "", cases.Assign{Assignee: cw.Actor()}); err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	b.signIn("cw@example.org")
	_, page := b.get("/staff/cases/" + c.ID)
	if !strings.Contains(page, "Assignee: Staff caseworker") || strings.Contains(page, "Assignee: user:") {
		t.Error("the timeline shows the assignee's id instead of their name")
	}
}

func TestChangeOwnPassword(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	b := s.browser()
	b.signIn("cw@example.org")
	_, page := b.get("/staff/password")
	token := csrfIn(t, page)
	const fresh = "harbour lantern porridge"
	for _, tc := range []struct {
		current, next, field string
	}{
		{"", fresh, "current-password"},
		{password, "short", "new-password"},
		{"not the password at all", fresh, "current-password"},
	} {
		resp, body := b.post("/staff/password", url.Values{"csrf_token": {token}, "current-password": {tc.current}, "new-password": {tc.next}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#`+tc.field+`"`) {
			t.Errorf("current %q, new %q: status %d, want 422 linked to %s", tc.current, tc.next, resp.StatusCode, tc.field)
		}
		if strings.Contains(body, `value="`+tc.current+`"`) && tc.current != "" {
			t.Error("the page put a password back into the form")
		}
	}
	resp, _ := b.post("/staff/password", url.Values{"csrf_token": {token}, "current-password": {password}, "new-password": {fresh}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change: status %d", resp.StatusCode)
	}
	if _, err := s.users.SignIn(context.Background(), "cw@example.org", fresh); err != nil {
		t.Errorf("the new password: %v", err)
	}
}
