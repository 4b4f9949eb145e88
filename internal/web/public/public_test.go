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
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/leader"
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
	st     *store.Store
	clock  *clock.Manual
	token  string
}

// options set up a test site: the organisation's default region and the
// public pages' configuration.
type options struct {
	casework  []casework.Option
	configure func(*public.Config)
}

func newSite(t *testing.T, o options) *site {
	t.Helper()
	_, st := caseworktest.New(t, t.TempDir(), today)
	c := clock.NewManual(today)
	work := casework.New(st, deadline.NewEngine(deadline.BuiltinCalendars()), c, rand.Reader, o.casework...)
	sessions, err := web.NewSessions(context.Background(), websessions.New(st, rand.Reader), c, web.SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := public.Config{
		Work: work, Notices: noticework.New(st, c, nil), Sessions: sessions, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Organisation: "Example Office", PublicURL: "https://rights.example.org",
	}
	if o.configure != nil {
		o.configure(&cfg)
	}
	h, err := public.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &site{t: t, url: srv.URL, client: client, work: work, st: st, clock: c}
}

type page struct {
	status int
	header http.Header
	body   string
}

// text is the page as a person reads it: entities decoded.
func (p page) text() string { return html.UnescapeString(p.body) }

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
	m := tokenField.FindStringSubmatch(s.get("/status").body)
	if m == nil {
		s.t.Fatal("the status page has no anti-forgery token")
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

// fillIn answers every question of a simple access request for oneself
// about A Modern Civil Service, leaving out what is optional.
func (s *site) fillIn(email string) {
	s.t.Helper()
	s.answer("rights", url.Values{"rights": {"access"}}, "/request/services")
	s.answer("services", url.Values{"services": {"a-modern-civil-service"}}, "/request/who")
	s.answer("who", url.Values{"who": {"self"}}, "/request/details")
	s.answer("details", url.Values{"full-name": {"Ada Lovelace"}, "email": {email}}, "/request/find")
	s.answer("find", url.Values{}, "/request/check")
}

func (s *site) send() page {
	s.t.Helper()
	return s.post("/request/check", url.Values{"declaration": {"yes"}})
}

// sent sends the check page and expects the confirmation.
func (s *site) sent() *cases.Case {
	s.t.Helper()
	if p := s.send(); p.status != http.StatusSeeOther || p.header.Get("Location") != "/request/confirmation" {
		s.t.Fatalf("sending: %d to %q\n%s", p.status, p.header.Get("Location"), p.body)
	}
	all := s.cases()
	return all[len(all)-1]
}

func (s *site) cases() []*cases.Case {
	s.t.Helper()
	page, err := s.work.List(context.Background(), usecase.Query{Limit: 100})
	if err != nil {
		s.t.Fatal(err)
	}
	return page.Cases
}

// statusCode reads the status code the confirmation page shows.
func statusCode(t *testing.T, confirmation page) string {
	t.Helper()
	m := regexp.MustCompile(`id="status-code">([^<]+)<`).FindStringSubmatch(confirmation.body)
	if m == nil {
		t.Fatalf("the confirmation page shows no status code:\n%s", confirmation.body)
	}
	return m[1]
}

func (s *site) lookup(reference, code string) page {
	s.t.Helper()
	return s.post("/status", url.Values{"reference": {reference}, "code": {code}})
}

func assertContains(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("%s lacks %q", what, want)
		}
	}
}

func assertLacks(t *testing.T, what, text string, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if u != "" && strings.Contains(text, u) {
			t.Errorf("%s shows %q", what, u)
		}
	}
}

func TestSimpleAccessRequestForOneself(t *testing.T) {
	s := newSite(t, options{casework: []casework.Option{casework.DefaultRegion(deadline.Scotland)}})
	start := s.get("/")
	assertContains(t, "start page", start.body, `href="/request/rights"`)
	// Start page, five questions and the check page: seven pages.
	s.fillIn("ada@example.org")
	check := s.get("/request/check").text()
	assertContains(t, "check page", check, "Ada Lovelace", "Get a copy of my personal data", "Privacy Notice for A Modern Civil Service", "Myself",
		`href="/request/rights"`, `href="/request/services"`, `href="/request/find"`, `id="answer-details"`)
	assertLacks(t, "check page", check, "Where do you live", "region")

	c := s.sent()
	if c.Channel != cases.ChannelWeb || len(c.Notices) != 1 || c.Notices[0].ID != "a-modern-civil-service" || c.Notices[0].Context != "" ||
		len(c.Rights) != 1 || c.Rights[0].Right != notice.RightAccess || c.Description != "" ||
		c.Requester.Person.Name != "Ada Lovelace" || c.Requester.Relationship != cases.RelationshipSelf {
		t.Errorf("case = %+v", c)
	}
	// The form asks nobody where they live: the working days are the
	// organisation's.
	if c.Region != deadline.Scotland {
		t.Errorf("region %q, want the organisation's %q", c.Region, deadline.Scotland)
	}

	confirmation := s.get("/request/confirmation")
	body := confirmation.text()
	assertContains(t, "confirmation", body, c.Reference, "2 April 2026", "This service does not send confirmation emails",
		"dpo@cabinetoffice.gov.uk", "Information Commissioner’s Office", "https://ico.org.uk/make-a-complaint/", "0303 123 1113",
		`href="/status?reference=`+c.Reference+`"`)
	assertLacks(t, "confirmation", body, "Rule set", c.Clock.RuleSet, "a-modern-civil-service", c.ID, "uk-gdpr")
	code := statusCode(t, confirmation)
	if !regexp.MustCompile(`^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$`).MatchString(code) {
		t.Errorf("status code shown as %q, want eight groups of four", code)
	}
	for _, href := range regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		if strings.Contains(strings.ToLower(strings.ReplaceAll(href[1], " ", "")), strings.ToLower(strings.ReplaceAll(code, " ", ""))[:8]) {
			t.Errorf("a link carries the status code: %s", href[1])
		}
	}

	// The status code works as shown, in upper case with spaces.
	status := s.lookup(strings.ToLower(c.Reference), code)
	if status.status != http.StatusOK {
		t.Fatalf("status lookup: %d\n%s", status.status, status.body)
	}
	text := status.text()
	assertContains(t, "status page", text, c.Reference, "Received", "2 April 2026", "dpo@cabinetoffice.gov.uk", "https://ico.org.uk/make-a-complaint/", "0303 123 1113")
	assertLacks(t, "status page", text, "Ada", "ada@example.org", "Modern Civil Service", "a-modern-civil-service", c.ID, "Rule set", "overdue")
	if cc := status.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("status page Cache-Control %q, want no-store", cc)
	}

	// The journey starts afresh, and sending the old check page again
	// opens nothing.
	if p := s.send(); p.status != http.StatusSeeOther || p.header.Get("Location") != "/request/rights" {
		t.Errorf("sending again: %d to %q, want 303 to the first question", p.status, p.header.Get("Location"))
	}
	if n := len(s.cases()); n != 1 {
		t.Errorf("%d cases after sending twice, want 1", n)
	}
}

func TestRepresentativesRequestHoldsBothPeople(t *testing.T) {
	s := newSite(t, options{})
	s.answer("rights", url.Values{"rights": {"erasure", "access"}}, "/request/services")
	s.answer("services", url.Values{"services": {"it-service-desk"}, "audience-it-service-desk": {"dcms-staff"}}, "/request/who")
	s.answer("who", url.Values{"who": {"someone-else"}}, "/request/details")
	if p := s.get("/request/details"); !strings.Contains(p.body, "Your own name") {
		t.Error("the details page does not say a representative gives their own name")
	}
	// A browser sends a text box's line breaks as CR LF.
	s.answer("details", url.Values{"full-name": {"Grace Hopper"}, "email": {"grace@example.org"}, "address": {"1 High Street\r\nBelfast"}}, "/request/their-details")
	s.answer("their-details", url.Values{"subject-name": {"Alan Hopper"}, "subject-address": {"2 Low Road"}}, "/request/authority")
	s.answer("authority", url.Values{"authority": {"other"}, "authority-detail": {"I am his appointed deputy"}}, "/request/find")
	if p := s.get("/request/find"); !strings.Contains(p.body, "Anything that helps us find their data") {
		t.Errorf("the find page is not worded for a representative:\n%s", p.body)
	}
	s.answer("find", url.Values{"identifiers": {"staff number 4711"}, "from-day": {"1"}, "from-month": {"6"}, "from-year": {"2025"},
		"description": {"Tickets about his laptop."}}, "/request/check")
	check := s.get("/request/check").text()
	assertContains(t, "check page", check, "Grace Hopper", "Alan Hopper", "I am his appointed deputy", "Someone else",
		"Privacy notice for IT Service Desk platform (Department for Culture, Media and Sport staff)", "staff number 4711", "From 1 June 2025")

	c := s.sent()
	r := c.Requester
	if r.Relationship != cases.RelationshipRepresentative || r.Person.Name != "Grace Hopper" || r.Person.Email != "grace@example.org" ||
		r.Person.PostalAddress != "1 High Street\nBelfast" ||
		r.DataSubject == nil || r.DataSubject.Name != "Alan Hopper" || r.DataSubject.PostalAddress != "2 Low Road" ||
		!strings.Contains(r.Authority, "appointed deputy") {
		t.Errorf("requester = %+v", r)
	}
	if len(c.Notices) != 1 || c.Notices[0].Audience != "dcms-staff" || c.OtherController == nil {
		t.Errorf("notices %+v, other controller %v", c.Notices, c.OtherController)
	}
	for _, want := range []string{"Tickets about his laptop.", "staff number 4711", "Dates the request covers: From 1 June 2025"} {
		if !strings.Contains(c.Description, want) {
			t.Errorf("description %q lacks %q", c.Description, want)
		}
	}
	body := s.get("/request/confirmation").text()
	assertContains(t, "confirmation", body, "on behalf of Department for Culture, Media and Sport")

	// Changing "who" back to "myself" drops the other person's details.
	s.fillIn("grace@example.org")
	s.answer("who", url.Values{"who": {"someone-else"}}, "/request/their-details")
	s.answer("who", url.Values{"who": {"self"}}, "/request/check")
	if strings.Contains(s.get("/request/check").body, "acting for") {
		t.Error("the check page still shows the person acting for")
	}
}

func TestEverythingYouHoldNamesNoNotice(t *testing.T) {
	for _, tc := range []struct {
		name     string
		services url.Values
	}{
		{"I'm not sure, or everything", url.Values{"services": {"everything"}}},
		{"no service ticked", url.Values{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSite(t, options{})
			s.answer("rights", url.Values{"rights": {"access"}}, "/request/services")
			s.answer("services", tc.services, "/request/who")
			s.answer("who", url.Values{"who": {"self"}}, "/request/details")
			s.answer("details", url.Values{"full-name": {"Ada Lovelace"}, "address": {"1 Main Street"}}, "/request/find")
			s.answer("find", url.Values{}, "/request/check")
			assertContains(t, "check page", s.get("/request/check").text(), "Not sure, or everything you hold about me")
			c := s.sent()
			if len(c.Notices) != 0 || c.OtherController != nil {
				t.Errorf("case names notices %+v", c.Notices)
			}
			// With no notice named, the contact every notice agrees on,
			// under the organisation's name.
			body := s.get("/request/confirmation").text()
			assertContains(t, "confirmation", body, "Example Office", "dpo@cabinetoffice.gov.uk", "we will write to you by post")
			assertLacks(t, "confirmation", body, "Stephen Jones", "Room 405")
		})
	}

	t.Run("a configured contact", func(t *testing.T) {
		s := newSite(t, options{configure: func(c *public.Config) {
			c.Contact = notice.Party{Name: "Example Office privacy team", Email: "privacy@example.org", Phone: "0100 000 0000"}
		}})
		s.answer("rights", url.Values{"rights": {"access"}}, "/request/services")
		s.answer("services", url.Values{"services": {"everything"}}, "/request/who")
		s.answer("who", url.Values{"who": {"self"}}, "/request/details")
		s.answer("details", url.Values{"full-name": {"Ada Lovelace"}, "address": {"1 Main Street"}}, "/request/find")
		s.answer("find", url.Values{}, "/request/check")
		s.sent()
		body := s.get("/request/confirmation").text()
		assertContains(t, "confirmation", body, "Example Office privacy team", "mailto:privacy@example.org", "0100 000 0000")
		assertLacks(t, "confirmation", body, "dpo@cabinetoffice.gov.uk")
	})

	t.Run("both a service and everything", func(t *testing.T) {
		s := newSite(t, options{})
		s.answer("rights", url.Values{"rights": {"access"}}, "/request/services")
		p := s.post("/request/services", url.Values{"services": {"gpg-csep-hub", "everything"}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("both: %d, want 422", p.status)
		}
		assertContains(t, "services page", p.text(), `<a href="#services">Select the services your request is about, or ‘I’m not sure’, not both</a>`)
	})
}

func TestChoosingAnotherServiceKeepsEveryAnswer(t *testing.T) {
	s := newSite(t, options{})
	s.fillIn("ada@example.org")
	// From the check page: search for one more service and tick it. The
	// search keeps what was ticked, and nothing else is asked again.
	if p := s.post("/request/services/search", url.Values{"services": {"a-modern-civil-service"}, "q": {"IT"}}); p.status != http.StatusSeeOther ||
		p.header.Get("Location") != "/request/services" {
		t.Fatalf("search: %d to %q", p.status, p.header.Get("Location"))
	}
	page := s.get("/request/services").text()
	assertContains(t, "services page after a search", page, "1 of 5 services match ‘IT’. The services you chose before are listed too.",
		"Privacy notice for IT Service Desk platform",
		`value="a-modern-civil-service" checked`, "Show all services")
	assertLacks(t, "services page after a search", page, "GPG CSEP Hub")
	s.answer("services", url.Values{"services": {"a-modern-civil-service", "it-service-desk"}}, "/request/check")
	check := s.get("/request/check").text()
	assertContains(t, "check page", check, "Ada Lovelace", "ada@example.org", "Get a copy of my personal data",
		"Privacy Notice for A Modern Civil Service", "Privacy notice for IT Service Desk platform")
	c := s.sent()
	if len(c.Notices) != 2 {
		t.Errorf("notices %+v, want both services", c.Notices)
	}
}

func TestServicesSearchOffersAWayForward(t *testing.T) {
	s := newSite(t, options{})
	s.answer("rights", url.Values{"rights": {"withdraw_consent"}}, "/request/services")
	s.post("/request/services/search", url.Values{"q": {"zebra crossing"}})
	page := s.get("/request/services").text()
	assertContains(t, "no-match page", page, "No services match ‘zebra crossing’", "Show all services",
		"I’m not sure, or I want everything you hold about me", `data-behaviour="exclusive"`)
	if strings.Contains(page, `name="services" type="checkbox" value="a-modern`) {
		t.Error("a service that does not match is listed")
	}
	s.post("/request/services/search", url.Values{"q": {"zebra crossing"}, "show-all": {"yes"}})
	page = s.get("/request/services").text()
	if n := strings.Count(page, `class="govuk-checkboxes__input" id="services`); n != 6 {
		t.Errorf("show all lists %d checkboxes, want the 5 services and ‘not sure’", n)
	}
	// Under each service, its notice's word on the right asked for where
	// it differs from the law; none on the search term.
	assertContains(t, "services page", page, "Withdraw my consent: in relation to images, audio and video.", "Only in some cases")
	assertLacks(t, "services page", page, "Art ", "Article", "zebra")
	// The group question sits under the service that has groups.
	assertContains(t, "services page", page, `data-aria-controls="services-4-conditional"`, `id="services-4-conditional"`,
		"Which of these groups are you in? (optional)", "Department for Culture, Media and Sport staff")
}

func TestRightsPageIsShortAndPlain(t *testing.T) {
	s := newSite(t, options{})
	page := s.get("/request/rights").text()
	assertContains(t, "rights page", page, "What do you want to ask for?", "Get a copy of my personal data", "Withdraw my consent")
	assertLacks(t, "rights page", page, "Art ", "Article", "govuk-tag", "Only in some cases")
	// A person changing their rights after choosing a service sees what
	// its notice says where it differs from the law.
	s.answer("rights", url.Values{"rights": {"access"}}, "/request/services")
	s.answer("services", url.Values{"services": {"a-modern-civil-service"}}, "/request/who")
	page = s.get("/request/rights").text()
	assertContains(t, "rights page with a service", page, "Privacy Notice for A Modern Civil Service: in relation to images, audio and video.")
}

func TestValidationErrorsAreSummarisedAndInputKept(t *testing.T) {
	s := newSite(t, options{})
	if p := s.post("/request/rights", url.Values{}); !strings.Contains(p.body, `<a href="#rights">Select what you want to ask for</a>`) {
		t.Errorf("no right chosen:\n%s", p.body)
	}
	s.answer("rights", url.Values{"rights": {"objection"}}, "/request/services")
	s.answer("services", url.Values{"services": {"a-modern-civil-service"}}, "/request/who")
	s.answer("who", url.Values{"who": {"self"}}, "/request/details")
	p := s.post("/request/details", url.Values{"email": {"ada at example"}, "address": {strings.Repeat("x", 1001)}})
	assertContains(t, "details page", p.body,
		"<title>Error: ",
		`<a href="#full-name">Enter your full name</a>`,
		`<a href="#email">Enter an email address in the correct format, like name@example.com</a>`,
		`<a href="#address">Your postal address must be 1,000 characters or fewer</a>`,
		`value="ada at example"`,
		strings.Repeat("x", 1001)+"</textarea>",
		`aria-describedby="email-hint email-error"`)
	if p := s.post("/request/details", url.Values{"full-name": {"Ada"}}); !strings.Contains(p.body, `<a href="#email">Enter an email address or a postal address</a>`) {
		t.Errorf("no contact given:\n%s", p.body)
	}
	s.answer("details", url.Values{"full-name": {"Ada"}, "email": {"ada@example.org"}}, "/request/find")
	p = s.post("/request/find", url.Values{"from-day": {"31"}, "from-month": {"2"}, "from-year": {"2025"}, "to-day": {"1"}, "to-month": {"1"}, "to-year": {"2099"}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad dates: %d, want 422", p.status)
	}
	assertContains(t, "find page", p.body,
		`<a href="#from-day">The start date must be a real date</a>`,
		`<a href="#to-day">The end date must be today or in the past</a>`,
		`id="from-day" name="from-day" type="text" inputmode="numeric" value="31"`,
		`id="to-year" name="to-year" type="text" inputmode="numeric" value="2099"`)
	// A later question cannot be reached before the earlier ones.
	if p := s.get("/request/authority"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/request/find" {
		t.Errorf("jumping ahead: %d to %q, want 303 to /request/find", p.status, p.header.Get("Location"))
	}
	if p := s.get("/request/check"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/request/find" {
		t.Errorf("check page too early: %d to %q, want 303 to /request/find", p.status, p.header.Get("Location"))
	}
}

func TestPostsNeedTheSessionsToken(t *testing.T) {
	s := newSite(t, options{})
	form := url.Values{"rights": {"access"}}
	noSession := s.postRaw("/request/rights", form, nil)
	s.get("/request/rights")
	noToken := s.postRaw("/request/rights", form, nil)
	wrongToken := s.postRaw("/request/rights", url.Values{"rights": form["rights"], "csrf_token": {"forged"}}, nil)
	s.post("/request/rights", url.Values{"rights": {"erasure"}}) // learns the token
	crossSite := s.postRaw("/request/rights", url.Values{"rights": form["rights"], "csrf_token": {s.token}}, http.Header{"Sec-Fetch-Site": {"cross-site"}})
	otherOrigin := s.postRaw("/request/rights", url.Values{"rights": form["rights"], "csrf_token": {s.token}}, http.Header{"Origin": {"https://evil.example"}})
	statusNoToken := s.postRaw("/status", url.Values{"reference": {"RD-2222-3333"}, "code": {"x"}}, nil)
	for name, p := range map[string]page{"no session": noSession, "no token": noToken, "wrong token": wrongToken, "cross-site": crossSite,
		"other origin": otherOrigin, "status lookup without the token": statusNoToken} {
		if p.status != http.StatusForbidden || !strings.Contains(p.body, "this form has expired") {
			t.Errorf("%s: %d, want the 403 page\n%s", name, p.status, p.body)
		}
	}
	if p := s.get("/request/services"); p.status != http.StatusOK {
		t.Errorf("the answer sent with the token was not kept: services page %d", p.status)
	}
}

func TestTamperedSessionCookieIsNotTrusted(t *testing.T) {
	s := newSite(t, options{})
	s.answer("rights", url.Values{"rights": {"access"}}, "/request/services")
	base, _ := url.Parse(s.url)
	cookies := s.client.Jar.Cookies(base)
	if len(cookies) != 1 || cookies[0].Name != web.CookieName {
		t.Fatalf("cookies %v", cookies)
	}
	value := []byte(cookies[0].Value)
	value[len(value)-2] ^= 1 // still base64, another session id
	s.client.Jar.SetCookies(base, []*http.Cookie{{Name: web.CookieName, Value: string(value), Path: "/"}})

	if p := s.postRaw("/request/services", url.Values{"services": {"everything"}, "csrf_token": {s.token}}, nil); p.status != http.StatusForbidden {
		t.Errorf("POST with a tampered cookie and the old token: %d, want 403", p.status)
	}
	p := s.get("/request/services")
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/request/rights" {
		t.Errorf("GET with a tampered cookie: %d to %q, want no answers (303 to the first question)", p.status, p.header.Get("Location"))
	}
	if !strings.Contains(p.header.Get("Set-Cookie"), web.CookieName+"=") {
		t.Error("a tampered cookie was not replaced by a new session")
	}
}

func TestHoneypotOpensNoCaseAndSaysNothing(t *testing.T) {
	s := newSite(t, options{})
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
	s := newSite(t, options{})
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
	s := newSite(t, options{})
	s.answer("rights", url.Values{"rights": {"access"}}, "/request/services")
	big := url.Values{"description": {strings.Repeat("a", 200<<10)}}
	if p := s.post("/request/services", big); p.status != http.StatusRequestEntityTooLarge || !strings.Contains(p.body, "too long") {
		t.Errorf("declared oversized body: %d\n%s", p.status, p.body)
	}
	// Without a declared length, the limit applies while reading.
	req, _ := http.NewRequest(http.MethodPost, s.url+"/request/services", io.MultiReader(strings.NewReader("csrf_token="+s.token+"&description="), strings.NewReader(strings.Repeat("a", 200<<10))))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.ContentLength = -1
	if p := s.do(req); p.status != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked oversized body: %d, want 413", p.status)
	}
}

func TestSecurityHeadersAndCookieFlags(t *testing.T) {
	s := newSite(t, options{})
	for _, path := range []string{"/", "/request/rights", "/status", "/no-such-page"} {
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
	resp, err := http.Get(s.url + "/request/rights") // a first visit: no cookie yet
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

	secure := newSite(t, options{configure: func(c *public.Config) {
		sessions, err := web.NewSessions(context.Background(), websessions.New(caseworktest.OpenStore(t, t.TempDir()), rand.Reader), clock.Fixed(today), web.SessionOptions{SecureCookie: true})
		if err != nil {
			t.Fatal(err)
		}
		c.Sessions = sessions
	}})
	if cookie := secure.get("/request/rights").header.Get("Set-Cookie"); !strings.Contains(cookie, "Secure") {
		t.Errorf("cookie %q is not Secure behind TLS", cookie)
	}
}

func TestStaticFiles(t *testing.T) {
	s := newSite(t, options{})
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

// created opens a case as staff would, for the status page tests.
func (s *site) created(notices ...cases.NoticeRef) (*cases.Case, string) {
	s.t.Helper()
	res, err := s.work.Create(context.Background(), "test", cases.NewCase{Notices: notices,
		Rights:    []notice.Right{notice.RightAccess},
		Requester: cases.Requester{Person: cases.Person{Name: "Ada Lovelace", Email: "ada@example.org"}, Relationship: cases.RelationshipSelf},
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return res.Case, res.StatusToken
}

func TestStatusPageCannotTellAWrongReferenceFromAWrongCode(t *testing.T) {
	s := newSite(t, options{})
	c, code := s.created(cases.NoticeRef{ID: "gpg-csep-hub"})
	ref := c.Reference
	otherRef, otherCode := "RD-2222-3333", strings.Repeat("a", len(code))
	wrongCode := s.lookup(ref, otherCode)
	wrongRef := s.lookup(otherRef, code)
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

	found := s.lookup(strings.ToLower(strings.ReplaceAll(ref, "-", " ")), " "+cases.GroupStatusCode(code)+" ")
	if found.status != http.StatusOK || !strings.Contains(found.body, ref) {
		t.Fatalf("right reference, typed loosely: %d\n%s", found.status, found.body)
	}
	assertLacks(t, "status page", found.body, "Ada", "ada@example.org", "CSEP", "gpg-csep-hub", c.ID)
	if p := s.lookup("", ""); p.status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.body, `<a href="#reference">Enter your reference number</a>`) || !strings.Contains(p.body, `<a href="#code">Enter your status code</a>`) {
		t.Errorf("empty lookup: %d\n%s", p.status, p.body)
	}

	// An address carrying a code, such as an old email's link, looks
	// nothing up and does not put the code on the page.
	old := s.get("/status?" + url.Values{"reference": {ref}, "code": {code}}.Encode())
	if old.status != http.StatusOK || strings.Contains(old.body, code) || !strings.Contains(old.body, `value="`+ref+`"`) || strings.Contains(old.body, "status-state") {
		t.Errorf("GET with a code: %d\n%s", old.status, old.body)
	}
	if !strings.Contains(old.body, `<form method="post" action="/status"`) {
		t.Error("the status form is not sent by POST")
	}
}

func TestStatusShowsAnOverdueCase(t *testing.T) {
	s := newSite(t, options{})
	c, code := s.created(cases.NoticeRef{ID: "nlc-network-members"})
	if p := s.lookup(c.Reference, code).text(); strings.Contains(p, "overdue") {
		t.Errorf("a case due in a month is shown overdue:\n%s", p)
	}
	// On the due date it is not overdue yet; the day after it is.
	s.clock.Advance(time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC).Sub(today))
	if p := s.lookup(c.Reference, code).text(); strings.Contains(p, "overdue") {
		t.Errorf("a case on its due date is shown overdue:\n%s", p)
	}
	s.clock.Advance(24 * time.Hour)
	p := s.lookup(c.Reference, code)
	assertContains(t, "overdue status page", p.text(), `id="status-overdue"`, "Your request is overdue. We should have responded by 2 April 2026.",
		`href="#contact-us"`, `href="#complain"`, "dpo@cabinetoffice.gov.uk", "Stephen Jones")

	// A closed case is never overdue.
	caseworktest.ReleasePack(t, s.work, c.ID)
	if _, err := s.work.Apply(context.Background(), "test", c.ID, "", cases.Close{Outcome: cases.OutcomeFulfilled}); err != nil {
		t.Fatal(err)
	}
	if p := s.lookup(c.Reference, code).text(); strings.Contains(p, "overdue") || !strings.Contains(p, "We did what you asked") {
		t.Errorf("a closed case:\n%s", p)
	}
}

func TestStatusLookupsAreRateLimited(t *testing.T) {
	s := newSite(t, options{configure: func(c *public.Config) { c.Lookups = web.NewLimiter(time.Hour, 3) }})
	for i := range 4 {
		p := s.lookup("RD-2222-3333", "x")
		if want := map[bool]int{true: http.StatusNotFound, false: http.StatusTooManyRequests}[i < 3]; p.status != want {
			t.Errorf("lookup %d: %d, want %d", i+1, p.status, want)
		}
	}
	if p := s.get("/status"); p.status != http.StatusOK {
		t.Errorf("the empty status form is not a lookup, yet got %d", p.status)
	}
}

// mailSender sends the outbox's letters through a notify.Mailer, as the
// composition root does.
type mailSender struct{ m *notify.Mailer }

func (s mailSender) Send(ctx context.Context, l casework.Letter) error {
	return s.m.Send(ctx, notify.Message{To: l.To, Subject: l.Subject, Text: l.Text, MessageID: l.ID + "@rights.example.org"})
}

// withOutbox is a site that queues acknowledgements, with the outbox
// sending them through relayURL while the test runs.
func withOutbox(t *testing.T, relayURL string) *site {
	t.Helper()
	mailer, err := notify.ParseSMTPURL(relayURL)
	if err != nil {
		t.Fatal(err)
	}
	s := newSite(t, options{casework: []casework.Option{casework.SendLetters(caseworktest.Letters(t))}})
	job := s.work.OutboxJob(mailSender{mailer}, casework.OutboxOptions{Poll: 5 * time.Millisecond,
		Retry: cases.RetryPolicy{First: time.Hour, Cap: time.Hour, MaxAttempts: 5}})
	runner := leader.NewRunner(s.st, leader.Local{}, "test", []leader.Job{job}, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { runner.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return s
}

// confirmationSays waits until the confirmation page says want.
func (s *site) confirmationSays(want string) {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		body := s.get("/request/confirmation").body
		if strings.Contains(body, want) {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("after 10s the confirmation page does not say %q:\n%s", want, body)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestConfirmationEmail(t *testing.T) {
	relay := notifytest.Start(t)
	s := withOutbox(t, "smtp://"+relay.Addr+"?from=privacy@example.org")
	s.fillIn("ada@example.org")
	c := s.sent()
	if len(c.Messages) != 1 || c.Messages[0].Kind != cases.KindAcknowledgement {
		t.Fatalf("the case opened with messages %+v, want its acknowledgement queued", c.Messages)
	}
	s.confirmationSays(`We have sent your reference number and status code to <strong class="app-break-anywhere">ada@example.org</strong>`)
	msgs := relay.Messages()
	if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != "ada@example.org" {
		t.Fatalf("messages %+v", msgs)
	}
	text := strings.ReplaceAll(msgs[0].Data, "=\r\n", "") // undo quoted-printable line breaks
	code := statusCode(t, s.get("/request/confirmation"))
	for _, want := range []string{c.Reference, "2 April 2026", "https://rights.example.org/status", code, "privacy@example.org"} {
		if !strings.Contains(text, want) {
			t.Errorf("email lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "code=3D") {
		t.Errorf("the email's link carries the status code:\n%s", text)
	}

	// A relay that is down costs the requester nothing but the email, and
	// the page says so once the outbox has tried.
	s = withOutbox(t, "smtp://127.0.0.1:1?from=privacy@example.org")
	s.fillIn("ada@example.org")
	if p := s.send(); p.status != http.StatusSeeOther {
		t.Fatalf("sending with the relay down: %d", p.status)
	}
	s.confirmationSays("We have not yet been able to send a confirmation email")
}

func TestConfirmationSaysWhenNoEmailIsSent(t *testing.T) {
	s := newSite(t, options{}) // no relay: nothing is queued
	s.fillIn("ada@example.org")
	if c := s.sent(); len(c.Messages) != 0 {
		t.Errorf("queued %+v with no relay", c.Messages)
	}
	if body := s.get("/request/confirmation").body; !strings.Contains(body, "This service does not send confirmation emails") {
		t.Errorf("confirmation page:\n%s", body)
	}
}
