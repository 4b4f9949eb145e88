package public_test

import (
	"context"
	"crypto/rand"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/noticework"
	"github.com/rightsdesk/rightsdesk/internal/notify"
	"github.com/rightsdesk/rightsdesk/internal/notify/notifytest"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
	"github.com/rightsdesk/rightsdesk/internal/web"
	"github.com/rightsdesk/rightsdesk/internal/web/public"
	"github.com/rightsdesk/rightsdesk/internal/websessions"
)

// today is a Monday; a request received on it is due on Thu 2 Apr 2026.
var today = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// site is the public pages on a test server, with a browser-like client
// that keeps cookies.
type site struct {
	t      *testing.T
	url    string
	client *http.Client // does not follow redirects, so tests see them
	work   *casework.Service
	store  *store.Store
	token  string
}

func newSite(t *testing.T, configure func(*public.Config)) *site {
	t.Helper()
	work, st := caseworktest.New(t, t.TempDir(), today)
	c := clock.Fixed(today)
	sessions, err := web.NewSessions(context.Background(), websessions.New(st, rand.Reader), c, web.SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := public.Config{
		Work: work, Notices: noticework.New(st, c, nil), Sessions: sessions, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Organisation: "Example Office", PublicURL: "https://rights.example.org",
	}
	if configure != nil {
		configure(&cfg)
	}
	h, err := public.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &site{t: t, url: srv.URL, client: client, work: work, store: st}
}

type page struct {
	status int
	header http.Header
	body   string
}

func (s *site) do(req *http.Request) page {
	s.t.Helper()
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return page{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

func (s *site) get(path string) page {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.url+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	return s.do(req)
}

var tokenField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// post sends a form with the session's anti-forgery token, read from a
// form page as a browser would: the token changes with the session id, and
// the id changes when the first answer is saved.
func (s *site) post(path string, form url.Values) page {
	s.t.Helper()
	m := tokenField.FindStringSubmatch(s.get("/request/notice").body)
	if m == nil {
		s.t.Fatal("the notice page has no anti-forgery token")
	}
	s.token = m[1]
	withToken := url.Values{"csrf_token": {s.token}}
	for k, v := range form {
		withToken[k] = v
	}
	return s.postRaw(path, withToken, nil)
}

func (s *site) postRaw(path string, form url.Values, header http.Header) page {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.url+path, strings.NewReader(form.Encode()))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	return s.do(req)
}

// answer posts one question and expects to be sent on to the next page.
func (s *site) answer(slug string, form url.Values, next string) {
	s.t.Helper()
	p := s.post("/request/"+slug, form)
	if p.status != http.StatusSeeOther || p.header.Get("Location") != next {
		s.t.Fatalf("POST /request/%s: %d to %q, want 303 to %s\n%s", slug, p.status, p.header.Get("Location"), next, p.body)
	}
}

// fillIn answers every question for an access request about A Modern Civil
// Service's images, audio and video, from someone in Scotland.
func (s *site) fillIn(email string) {
	s.t.Helper()
	s.answer("notice", url.Values{"notice": {"a-modern-civil-service"}}, "/request/about")
	s.answer("about", url.Values{"context": {"images-audio-video"}}, "/request/rights")
	s.answer("rights", url.Values{"rights": {"withdraw_consent", "access"}}, "/request/details")
	s.answer("details", url.Values{"description": {"The photos of me from the 2025 awards."}}, "/request/dates")
	s.answer("dates", url.Values{"from-day": {"1"}, "from-month": {"6"}, "from-year": {"2025"}}, "/request/name")
	s.answer("name", url.Values{"full-name": {"Ada Lovelace"}}, "/request/contact")
	s.answer("contact", url.Values{"email": {email}, "address": {"1 Main Street\nEdinburgh"}}, "/request/region")
	s.answer("region", url.Values{"region": {"scotland"}}, "/request/who")
	s.answer("who", url.Values{"who": {"self"}}, "/request/check")
}

func (s *site) send() page {
	s.t.Helper()
	return s.post("/request/check", url.Values{"declaration": {"yes"}})
}

func (s *site) cases() []*cases.Case {
	s.t.Helper()
	page, err := s.work.List(context.Background(), usecase.Query{Limit: 100})
	if err != nil {
		s.t.Fatal(err)
	}
	return page.Cases
}

func TestJourneyOpensAWebCaseAndShowsItsStatus(t *testing.T) {
	s := newSite(t, nil)
	s.fillIn("ada@example.org")
	check := s.get("/request/check")
	for _, want := range []string{"Ada Lovelace", "Get a copy of my personal data", "Withdraw my consent", "From 1 June 2025", "Scotland", `href="/request/rights"`} {
		if !strings.Contains(html.UnescapeString(check.body), want) {
			t.Errorf("check page lacks %q", want)
		}
	}
	if p := s.send(); p.status != http.StatusSeeOther || p.header.Get("Location") != "/request/confirmation" {
		t.Fatalf("sending: %d to %q\n%s", p.status, p.header.Get("Location"), p.body)
	}
	all := s.cases()
	if len(all) != 1 {
		t.Fatalf("%d cases, want 1", len(all))
	}
	c := all[0]
	if c.Channel != cases.ChannelWeb || c.Region != "scotland" || len(c.Notices) != 1 || c.Notices[0].Context != "images-audio-video" || len(c.Rights) != 2 ||
		c.Requester.Person.Name != "Ada Lovelace" || c.Requester.Relationship != cases.RelationshipSelf {
		t.Errorf("case = %+v", c)
	}
	if !strings.Contains(c.Description, "Dates the request covers: From 1 June 2025") {
		t.Errorf("description %q lacks the dates", c.Description)
	}

	confirmation := s.get("/request/confirmation")
	body := html.UnescapeString(confirmation.body)
	for _, want := range []string{c.Reference, "2 April 2026", "This service does not send confirmation emails", "https://rights.example.org/status?code="} {
		if !strings.Contains(body, want) {
			t.Errorf("confirmation lacks %q", want)
		}
	}
	link := regexp.MustCompile(`id="status-link"[^>]*|href="(/status\?[^"]+)"`).FindAllStringSubmatch(confirmation.body, -1)
	var statusPath string
	for _, m := range link {
		if m[1] != "" {
			statusPath = html.UnescapeString(m[1])
		}
	}
	status := s.get(statusPath)
	if status.status != http.StatusOK || !strings.Contains(status.body, "Received") || !strings.Contains(status.body, "2 April 2026") {
		t.Fatalf("status page %d:\n%s", status.status, status.body)
	}
	for _, personal := range []string{"Ada", "ada@example.org", "Edinburgh", "photos", "Modern Civil Service"} {
		if strings.Contains(status.body, personal) {
			t.Errorf("status page shows %q", personal)
		}
	}
	if cc := status.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("status page Cache-Control %q, want no-store", cc)
	}

	// The journey starts afresh, and sending the old check page again
	// opens nothing.
	if p := s.send(); p.status != http.StatusSeeOther || p.header.Get("Location") != "/request/notice" {
		t.Errorf("sending again: %d to %q, want 303 to the first question", p.status, p.header.Get("Location"))
	}
	if n := len(s.cases()); n != 1 {
		t.Errorf("%d cases after sending twice, want 1", n)
	}
}

func TestRepresentativeForAProcessorAudience(t *testing.T) {
	s := newSite(t, nil)
	s.answer("notice", url.Values{"notice": {"it-service-desk"}}, "/request/audience")
	s.answer("audience", url.Values{"audience": {"dcms-staff"}}, "/request/about")
	s.answer("about", url.Values{"context": {"all"}}, "/request/rights")
	s.answer("rights", url.Values{"rights": {"erasure"}}, "/request/details")
	s.answer("details", url.Values{"description": {"Delete my old tickets."}}, "/request/dates")
	s.answer("dates", url.Values{}, "/request/name")
	s.answer("name", url.Values{"full-name": {"Grace Hopper"}}, "/request/contact")
	s.answer("contact", url.Values{"address": {"1 High Street, Belfast"}}, "/request/region")
	s.answer("region", url.Values{"region": {"northern-ireland"}}, "/request/who")
	s.answer("who", url.Values{"who": {"someone-else"}}, "/request/their-details")
	s.answer("their-details", url.Values{"subject-name": {"Alan Hopper"}}, "/request/authority")
	s.answer("authority", url.Values{"authority": {"other"}, "authority-detail": {"I am his appointed deputy"}}, "/request/check")
	s.send()
	c := s.cases()[0]
	if c.Requester.Relationship != cases.RelationshipRepresentative || c.Requester.DataSubject == nil ||
		c.Requester.DataSubject.Name != "Alan Hopper" || !strings.Contains(c.Requester.Authority, "appointed deputy") {
		t.Errorf("requester = %+v", c.Requester)
	}
	if len(c.Notices) != 1 || c.Notices[0].Audience != "dcms-staff" || c.Notices[0].Context != "" || c.OtherController == nil {
		t.Errorf("notices %+v, other controller %v", c.Notices, c.OtherController)
	}
	body := html.UnescapeString(s.get("/request/confirmation").body)
	for _, want := range []string{"on behalf of Department for Culture, Media and Sport", "we will write to you by post"} {
		if !strings.Contains(body, want) {
			t.Errorf("confirmation lacks %q", want)
		}
	}

	// Changing "who" back to "me" drops the other person's details.
	s.fillIn("grace@example.org")
	s.answer("who", url.Values{"who": {"someone-else"}}, "/request/their-details")
	s.answer("who", url.Values{"who": {"self"}}, "/request/check")
	if strings.Contains(s.get("/request/check").body, "acting for") {
		t.Error("the check page still shows the person acting for")
	}
}

func TestValidationErrorsAreSummarisedAndInputKept(t *testing.T) {
	s := newSite(t, nil)
	s.answer("notice", url.Values{"notice": {"a-modern-civil-service"}}, "/request/about")
	s.answer("about", url.Values{"context": {"communications"}}, "/request/rights")
	s.answer("rights", url.Values{"rights": {"objection"}}, "/request/details")
	s.answer("details", url.Values{"description": {"Stop the newsletter analytics."}}, "/request/dates")
	p := s.post("/request/dates", url.Values{"from-day": {"31"}, "from-month": {"2"}, "from-year": {"2025"}, "to-day": {"1"}, "to-month": {"1"}, "to-year": {"2099"}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad dates: %d, want 422", p.status)
	}
	for _, want := range []string{
		"<title>Error: ",
		`<a href="#from-day">The start date must be a real date</a>`,
		`<a href="#to-day">The end date must be today or in the past</a>`,
		`id="from-day" name="from-day" type="text" inputmode="numeric" value="31"`,
		`id="to-year" name="to-year" type="text" inputmode="numeric" value="2099"`,
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("dates page lacks %s", want)
		}
	}
	s.answer("dates", url.Values{}, "/request/name")
	s.answer("name", url.Values{"full-name": {"Ada"}}, "/request/contact")
	p = s.post("/request/contact", url.Values{"email": {"ada at example"}, "address": {strings.Repeat("x", 1001)}})
	for _, want := range []string{
		`<a href="#email">Enter an email address in the correct format, like name@example.com</a>`,
		`<a href="#address">Your postal address must be 1,000 characters or fewer</a>`,
		`value="ada at example"`,
		strings.Repeat("x", 1001) + "</textarea>",
		`aria-describedby="email-hint email-error"`,
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("contact page lacks %s", want)
		}
	}
	if p := s.post("/request/contact", url.Values{}); !strings.Contains(p.body, `<a href="#email">Enter an email address or a postal address</a>`) {
		t.Errorf("an empty contact page:\n%s", p.body)
	}
	// A later question cannot be reached before the earlier ones.
	if p := s.get("/request/authority"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/request/contact" {
		t.Errorf("jumping ahead: %d to %q, want 303 to /request/contact", p.status, p.header.Get("Location"))
	}
}

func TestPostsNeedTheSessionsToken(t *testing.T) {
	s := newSite(t, nil)
	form := url.Values{"notice": {"a-modern-civil-service"}}
	noSession := s.postRaw("/request/notice", form, nil)
	s.get("/request/notice")
	noToken := s.postRaw("/request/notice", form, nil)
	wrongToken := s.postRaw("/request/notice", url.Values{"notice": form["notice"], "csrf_token": {"forged"}}, nil)
	s.post("/request/notice", url.Values{"notice": {"it-service-desk"}}) // learns the token
	crossSite := s.postRaw("/request/notice", url.Values{"notice": form["notice"], "csrf_token": {s.token}}, http.Header{"Sec-Fetch-Site": {"cross-site"}})
	otherOrigin := s.postRaw("/request/notice", url.Values{"notice": form["notice"], "csrf_token": {s.token}}, http.Header{"Origin": {"https://evil.example"}})
	for name, p := range map[string]page{"no session": noSession, "no token": noToken, "wrong token": wrongToken, "cross-site": crossSite, "other origin": otherOrigin} {
		if p.status != http.StatusForbidden || !strings.Contains(p.body, "this form has expired") {
			t.Errorf("%s: %d, want the 403 page\n%s", name, p.status, p.body)
		}
	}
	if p := s.get("/request/audience"); p.status != http.StatusOK {
		t.Errorf("the answer sent with the token was not kept: audience page %d", p.status)
	}
}

func TestTamperedSessionCookieIsNotTrusted(t *testing.T) {
	s := newSite(t, nil)
	s.answer("notice", url.Values{"notice": {"a-modern-civil-service"}}, "/request/about")
	base, _ := url.Parse(s.url)
	cookies := s.client.Jar.Cookies(base)
	if len(cookies) != 1 || cookies[0].Name != web.CookieName {
		t.Fatalf("cookies %v", cookies)
	}
	value := []byte(cookies[0].Value)
	value[len(value)-2] ^= 1 // still base64, another session id
	s.client.Jar.SetCookies(base, []*http.Cookie{{Name: web.CookieName, Value: string(value), Path: "/"}})

	if p := s.postRaw("/request/about", url.Values{"context": {"communications"}, "csrf_token": {s.token}}, nil); p.status != http.StatusForbidden {
		t.Errorf("POST with a tampered cookie and the old token: %d, want 403", p.status)
	}
	p := s.get("/request/about")
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/request/notice" {
		t.Errorf("GET with a tampered cookie: %d to %q, want no answers (303 to the first question)", p.status, p.header.Get("Location"))
	}
	if !strings.Contains(p.header.Get("Set-Cookie"), web.CookieName+"=") {
		t.Error("a tampered cookie was not replaced by a new session")
	}
}

func TestHoneypotOpensNoCaseAndSaysNothing(t *testing.T) {
	s := newSite(t, nil)
	s.fillIn("ada@example.org")
	p := s.post("/request/check", url.Values{"declaration": {"yes"}, "website": {"http://spam.example"}})
	if p.status != http.StatusBadRequest {
		t.Errorf("honeypot filled: %d, want 400", p.status)
	}
	for _, detail := range []string{"website", "honeypot", "bot", "spam"} {
		if strings.Contains(strings.ToLower(p.body[strings.Index(p.body, "<main"):]), detail) {
			t.Errorf("the page says %q", detail)
		}
	}
	if n := len(s.cases()); n != 0 {
		t.Errorf("%d cases opened, want none", n)
	}
}

func TestSubmissionsAreRateLimited(t *testing.T) {
	s := newSite(t, nil)
	s.fillIn("ada@example.org")
	first429 := -1
	for i := range 200 {
		p := s.post("/request/check", url.Values{"declaration": {"yes"}})
		if p.status == http.StatusTooManyRequests {
			if first429 < 0 {
				first429 = i
				if p.header.Get("Retry-After") == "" || !strings.Contains(p.body, "sent too many requests") {
					t.Errorf("429 without Retry-After or the friendly page: %v\n%s", p.header, p.body)
				}
			}
		} else if first429 >= 0 {
			t.Fatalf("submission %d was let through after %d was refused", i+1, first429+1)
		}
	}
	if first429 != public.SubmissionBurst {
		t.Errorf("the first 429 was submission %d, want %d", first429+1, public.SubmissionBurst+1)
	}
	if n := len(s.cases()); n != 1 {
		t.Errorf("%d cases, want 1: the rest were repeats of the same request", n)
	}
}

func TestOversizedBodyIs413(t *testing.T) {
	s := newSite(t, nil)
	s.answer("notice", url.Values{"notice": {"a-modern-civil-service"}}, "/request/about")
	big := url.Values{"description": {strings.Repeat("a", 200<<10)}}
	if p := s.post("/request/about", big); p.status != http.StatusRequestEntityTooLarge || !strings.Contains(p.body, "too long") {
		t.Errorf("declared oversized body: %d\n%s", p.status, p.body)
	}
	// Without a declared length, the limit applies while reading.
	req, _ := http.NewRequest(http.MethodPost, s.url+"/request/about", io.MultiReader(strings.NewReader("csrf_token="+s.token+"&description="), strings.NewReader(strings.Repeat("a", 200<<10))))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.ContentLength = -1
	if p := s.do(req); p.status != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked oversized body: %d, want 413", p.status)
	}
}

func TestSecurityHeadersAndCookieFlags(t *testing.T) {
	s := newSite(t, nil)
	for _, path := range []string{"/", "/request/notice", "/status", "/no-such-page"} {
		p := s.get(path)
		h := p.header
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		for name, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY", "Cache-Control": "no-store"} {
			if got := h.Get(name); got != want {
				t.Errorf("%s: %s %q, want %q", path, name, got, want)
			}
		}
		if strings.Contains(p.body, "<script>") || strings.Contains(p.body, " style=") {
			t.Errorf("%s has inline script or style", path)
		}
	}
	if p := s.get("/no-such-page"); p.status != http.StatusNotFound {
		t.Errorf("unknown page: %d", p.status)
	}
	resp, err := http.Get(s.url + "/request/notice") // a first visit: no cookie yet
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cookie := resp.Header.Get("Set-Cookie")
	for _, flag := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(cookie, flag) {
			t.Errorf("cookie %q lacks %s", cookie, flag)
		}
	}
	if strings.Contains(cookie, "Secure") {
		t.Errorf("cookie %q is Secure on plain HTTP, so the browser would never send it back", cookie)
	}

	secure := newSite(t, func(c *public.Config) {
		sessions, err := web.NewSessions(context.Background(), websessions.New(caseworktest.OpenStore(t, t.TempDir()), rand.Reader), clock.Fixed(today), web.SessionOptions{SecureCookie: true})
		if err != nil {
			t.Fatal(err)
		}
		c.Sessions = sessions
	})
	if cookie := secure.get("/request/notice").header.Get("Set-Cookie"); !strings.Contains(cookie, "Secure") {
		t.Errorf("cookie %q is not Secure behind TLS", cookie)
	}
}

func TestStaticFiles(t *testing.T) {
	s := newSite(t, nil)
	p := s.get("/static/init.js")
	if p.status != http.StatusOK || !strings.Contains(p.header.Get("Content-Type"), "javascript") || p.header.Get("Cache-Control") == "no-store" {
		t.Errorf("init.js: %d %v", p.status, p.header)
	}
	for _, path := range []string{"/static/", "/static/README.txt", "/static/../embed.go"} {
		if p := s.get(path); p.status == http.StatusOK {
			t.Errorf("%s: served", path)
		}
	}
}

func TestStatusPageCannotTellAWrongReferenceFromAWrongCode(t *testing.T) {
	s := newSite(t, nil)
	res, err := s.work.Create(context.Background(), "test", cases.NewCase{Notices: []cases.NoticeRef{{ID: "gpg-csep-hub"}},
		Rights:    []notice.Right{notice.RightAccess},
		Requester: cases.Requester{Person: cases.Person{Name: "Ada Lovelace", Email: "ada@example.org"}, Relationship: cases.RelationshipSelf},
	})
	if err != nil {
		t.Fatal(err)
	}
	ref, code := res.Case.Reference, res.StatusToken
	lookup := func(reference, code string) page {
		return s.get("/status?" + url.Values{"reference": {reference}, "code": {code}}.Encode())
	}
	otherRef, otherCode := "RD-2222-3333", strings.Repeat("a", len(code))
	wrongCode := lookup(ref, otherCode)
	wrongRef := lookup(otherRef, code)
	if wrongCode.status != http.StatusNotFound || wrongRef.status != http.StatusNotFound {
		t.Fatalf("wrong code %d, wrong reference %d; want 404 for both", wrongCode.status, wrongRef.status)
	}
	// The pages differ only in echoing what was typed.
	a := strings.NewReplacer(ref, "REF", otherCode, "CODE").Replace(wrongCode.body)
	b := strings.NewReplacer(otherRef, "REF", code, "CODE").Replace(wrongRef.body)
	if a != b {
		t.Errorf("a wrong code and a wrong reference give different pages:\n%s\n---\n%s", a, b)
	}
	if !strings.Contains(a, "No request matches that reference number and status code") {
		t.Errorf("not-found page:\n%s", a)
	}

	found := lookup(strings.ToLower(strings.ReplaceAll(ref, "-", " ")), strings.ToUpper(code))
	if found.status != http.StatusOK || !strings.Contains(found.body, ref) {
		t.Fatalf("right reference, typed loosely: %d\n%s", found.status, found.body)
	}
	for _, personal := range []string{"Ada", "ada@example.org", "CSEP"} {
		if strings.Contains(found.body, personal) {
			t.Errorf("status page shows %q", personal)
		}
	}
	if p := lookup("", ""); p.status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.body, `<a href="#reference">Enter your reference number</a>`) || !strings.Contains(p.body, `<a href="#code">Enter your status code</a>`) {
		t.Errorf("empty lookup: %d\n%s", p.status, p.body)
	}
}

func TestStatusLookupsAreRateLimited(t *testing.T) {
	s := newSite(t, func(c *public.Config) { c.Lookups = web.NewLimiter(time.Hour, 3) })
	for i := range 4 {
		p := s.get("/status?reference=RD-2222-3333&code=x")
		if want := map[bool]int{true: http.StatusNotFound, false: http.StatusTooManyRequests}[i < 3]; p.status != want {
			t.Errorf("lookup %d: %d, want %d", i+1, p.status, want)
		}
	}
	if p := s.get("/status"); p.status != http.StatusOK {
		t.Errorf("the empty status form is not a lookup, yet got %d", p.status)
	}
}

func TestConfirmationEmail(t *testing.T) {
	relay := notifytest.Start(t)
	mailer, err := notify.ParseSMTPURL("smtp://" + relay.Addr + "?from=privacy@example.org")
	if err != nil {
		t.Fatal(err)
	}
	s := newSite(t, func(c *public.Config) { c.Mailer = mailer })
	s.fillIn("ada@example.org")
	s.send()
	ref := s.cases()[0].Reference
	msgs := relay.Messages()
	if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != "ada@example.org" {
		t.Fatalf("messages %+v", msgs)
	}
	text := strings.ReplaceAll(msgs[0].Data, "=\r\n", "") // undo quoted-printable line breaks
	for _, want := range []string{ref, "2 April 2026", "https://rights.example.org/status?code=3D"} {
		if !strings.Contains(text, want) {
			t.Errorf("email lacks %q:\n%s", want, text)
		}
	}
	if body := s.get("/request/confirmation").body; !strings.Contains(body, "We have sent a confirmation to <strong>ada@example.org</strong>") {
		t.Errorf("confirmation page does not say the email was sent:\n%s", body)
	}

	// A relay that is down costs the requester nothing but the email.
	down, err := notify.ParseSMTPURL("smtp://127.0.0.1:1?from=privacy@example.org")
	if err != nil {
		t.Fatal(err)
	}
	s = newSite(t, func(c *public.Config) { c.Mailer = down })
	s.fillIn("ada@example.org")
	if p := s.send(); p.status != http.StatusSeeOther {
		t.Fatalf("sending with the relay down: %d", p.status)
	}
	if body := s.get("/request/confirmation").body; !strings.Contains(body, "We could not send a confirmation email") {
		t.Errorf("confirmation page does not say the email failed:\n%s", body)
	}
}
