package staff_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// newCase opens a case through the use case, received on the date given
// ("" for today), about the notices named (none: everything held).
func (s *site) newCase(received string, rights []notice.Right, notices ...string) *cases.Case {
	s.t.Helper()
	req := cases.NewCase{Rights: rights, Channel: cases.ChannelEmail, ReceivedOn: received,
		Requester:   cases.Requester{Person: cases.Person{Name: "Ada Lovelace", Email: "ada@example.org"}, Relationship: cases.RelationshipSelf},
		Description: "Everything you hold about me, please."}
	for _, id := range notices {
		req.Notices = append(req.Notices, cases.NoticeRef{ID: id})
	}
	res, err := s.work.Create(context.Background(), "token:test", req)
	if err != nil {
		s.t.Fatal(err)
	}
	return res.Case
}

func (s *site) get(id string) *cases.Case {
	s.t.Helper()
	c, err := s.work.Get(context.Background(), id)
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

var etagField = regexp.MustCompile(`name="etag" value="([^"]*)"`)

// send fills in an action's page as drawn now (its token and etag) with
// form, and sends it.
func (b *browser) send(id, action string, form url.Values) (*http.Response, string) {
	b.s.t.Helper()
	resp, page := b.get("/staff/cases/" + id + "/" + action)
	if resp.StatusCode != http.StatusOK {
		b.s.t.Fatalf("%s page: status %d", action, resp.StatusCode)
	}
	form.Set("csrf_token", csrfIn(b.s.t, page))
	if !form.Has("etag") {
		form.Set("etag", etagField.FindStringSubmatch(page)[1])
	}
	return b.post("/staff/cases/"+id+"/"+action, form)
}

// done follows an action's redirect and returns the success banner's words.
func (b *browser) done(resp *http.Response, body string) string {
	b.s.t.Helper()
	if resp.StatusCode != http.StatusSeeOther {
		b.s.t.Fatalf("status %d, want a redirect to the case\n%s", resp.StatusCode, body)
	}
	_, page := b.get(resp.Header.Get("Location"))
	m := regexp.MustCompile(`(?s)id="done".*?govuk-notification-banner__heading">(.*?)</p>`).FindStringSubmatch(page)
	if m == nil {
		b.s.t.Fatalf("no success banner after the redirect to %s", resp.Header.Get("Location"))
	}
	return html.UnescapeString(m[1])
}

var (
	nextAction  = regexp.MustCompile(`href="/staff/cases/[0-9A-Z]+/([a-z-]+)"[^>]*id="next-action"`)
	actionLinks = regexp.MustCompile(`<a class="govuk-link" href="/staff/cases/[0-9A-Z]+/([a-z-]+)">`)
)

// offered is the next action and the others the case page links to.
func offered(page string) (next string, more []string) {
	if m := nextAction.FindStringSubmatch(page); m != nil {
		next = m[1]
	}
	for _, m := range actionLinks.FindAllStringSubmatch(page, -1) {
		more = append(more, m[1])
	}
	return next, more
}

func TestTheCasePageOffersWhatTheStateAllows(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	s.user("admin@example.org", auth.RoleAdmin)
	s.user("viewer@example.org", auth.RoleViewer)
	c := s.openCase()
	cw := s.browser()
	cw.signIn("cw@example.org")

	_, page := cw.get("/staff/cases/" + c.ID)
	next, more := offered(page)
	if next != "identity" || !strings.Contains(page, `id="next-action">Check identity</a>`) {
		t.Errorf("a new case's next action is %q, want Check identity first", next)
	}
	if !slices.Contains(more, "extend") || !slices.Contains(more, "assign") || slices.Contains(more, "reopen") || slices.Contains(more, "response") {
		t.Errorf("a new case offers %v", more)
	}
	if !strings.Contains(page, `action="/staff/cases/`+c.ID+`/note"`) {
		t.Error("no note form on the case page")
	}

	banner := cw.done(cw.send(c.ID, "identity", url.Values{"identity-how": {"request"}, "identity-detail": {"A copy of a passport"}}))
	if banner != "Proof of identity asked for: the clock is stopped until it arrives" {
		t.Errorf("banner after asking for proof: %q", banner)
	}
	_, page = cw.get("/staff/cases/" + c.ID)
	next, more = offered(page)
	if next != "response" || slices.Contains(more, "extend") || slices.Contains(more, "identity") {
		t.Errorf("a case awaiting the requester offers %q then %v; want the reply first and no extension", next, more)
	}
	if !strings.Contains(page, "Asked for proof of identity on 10 March 2026 by Staff caseworker") || !strings.Contains(page, "A copy of a passport") {
		t.Error("the case page does not show what was asked of the requester")
	}
	if resp, _ := cw.get("/staff/cases/" + c.ID + "/extend"); resp.StatusCode != http.StatusConflict {
		t.Errorf("the extend page of a case awaiting the requester: status %d, want 409", resp.StatusCode)
	}
	resp, body := cw.post("/staff/cases/"+c.ID+"/extend", url.Values{"csrf_token": {csrfIn(t, page)}, "etag": {s.get(c.ID).Etag()}, "extend-months": {"1"}, "extend-reason": {"Complex"}})
	s.refusedOnField("an extension while awaiting the requester", resp, body, "extend-months")

	banner = cw.done(cw.send(c.ID, "response", url.Values{"response-detail": {"Passport copy, checked"}}))
	if banner != "Reply recorded: the clock runs again" {
		t.Errorf("banner after the reply: %q", banner)
	}
	_, page = cw.get("/staff/cases/" + c.ID)
	if !strings.Contains(page, "Proof of identity received on 10 March 2026") || !strings.Contains(page, "Passport copy, checked") {
		t.Error("the case page does not show the requester's reply")
	}

	caseworktest.ReleasePack(t, s.work, c.ID)
	if _, err := s.work.Apply(context.Background(), "token:test", c.ID, "", cases.Close{Outcome: cases.OutcomeFulfilled}); err != nil {
		t.Fatal(err)
	}
	_, page = cw.get("/staff/cases/" + c.ID)
	if _, more = offered(page); slices.Contains(more, "reopen") {
		t.Errorf("a caseworker is offered %v on a closed case, reopening among them", more)
	}
	if resp, _ := cw.get("/staff/cases/" + c.ID + "/reopen"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a caseworker opening the reopen page: status %d, want 403", resp.StatusCode)
	}
	admin := s.browser()
	admin.signIn("admin@example.org")
	_, page = admin.get("/staff/cases/" + c.ID)
	if _, more = offered(page); !slices.Contains(more, "reopen") {
		t.Errorf("an administrator is offered %v on a closed case, want reopen", more)
	}
	if banner := admin.done(admin.send(c.ID, "reopen", url.Values{"reopen-reason": {"Sent to the wrong address"}})); banner != "Case reopened" {
		t.Errorf("banner after reopening: %q", banner)
	}

	viewer := s.browser()
	viewer.signIn("viewer@example.org")
	_, page = viewer.get("/staff/cases/" + c.ID)
	if next, more := offered(page); next != "" || len(more) != 0 || !strings.Contains(page, `id="read-only"`) || strings.Contains(page, "/note\"") {
		t.Errorf("a viewer is offered %q and %v", next, more)
	}
	if resp, _ := viewer.get("/staff/cases/" + c.ID + "/assign"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a viewer opening the assign page: status %d, want 403", resp.StatusCode)
	}
}

func TestEveryActionEndsOnItsBanner(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	c := s.newCase("2026-03-02", []notice.Right{notice.RightAccess, notice.RightErasure}, "gpg-csep-hub")
	cw := s.browser()
	cw.signIn("cw@example.org")
	task := s.get(c.ID).Tasks[0]
	for _, step := range []struct {
		action string
		form   url.Values
		want   string
	}{
		{"identity", url.Values{"identity-how": {"confirm"}, "identity-detail": {"Sent from their work account"}}, "Identity confirmed from the request: work on the case has started"},
		{"assign", url.Values{"assign-to": {"me"}}, "Case assigned to Staff caseworker"},
		{"clarify", url.Values{"clarify-detail": {"Which years?"}}, "Clarification asked for: the clock is paused until the requester answers"},
		{"response", url.Values{"response-detail": {"2024 and 2025"}}, "Reply recorded: the clock runs again"},
		{"search", url.Values{"search-source": {"Hub database"}, "search-found": {"A profile"}}, "Search recorded"},
		{"not-searched", url.Values{"skip-source": {"CCTV"}, "skip-reason": {"None kept"}}, "Source not searched recorded, with the reason"},
		{"task", url.Values{"task-id": {task.ID}, "task-state": {"done"}}, "Task completed"},
		{"extend", url.Values{"extend-months": {"1"}, "extend-reason": {"Many systems to search"}}, "Deadline extended to "},
		{"note", url.Values{"note-text": {"Rang them back"}}, "Note added"},
		{"fee", url.Values{"fee-detail": {"£10 for a second copy"}}, "Fee asked for: the clock is stopped until it is paid"},
		{"response", url.Values{"response-detail": {"Paid by card"}}, "Reply recorded: the clock runs again"},
		// Withdrawn: a fulfilled close needs the pack reviewed (review_test.go).
		{"close", url.Values{"close-outcome": {"withdrawn"}}, "Case closed: Withdrawn, 10 March 2026, on time"},
	} {
		if got := cw.done(cw.send(c.ID, step.action, step.form)); !strings.HasPrefix(got, step.want) {
			t.Errorf("%s: banner %q, want %q", step.action, got, step.want)
		}
	}
	if got := s.get(c.ID); got.State != cases.StateClosed || len(got.Notes) != 1 || len(got.Searches) != 2 || got.Extension == nil {
		t.Errorf("after every action: %s, %d notes, %d searches, extension %v", got.State, len(got.Notes), len(got.Searches), got.Extension)
	}
	if _, page := cw.get("/staff/cases/" + c.ID); strings.Contains(page, `id="done"`) {
		t.Error("the banner shows again on the next visit")
	}
}

func TestABackdatedActionKeepsBothDates(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	c := s.newCase("2026-03-05", []notice.Right{notice.RightAccess}, "it-service-desk")
	cw := s.browser()
	cw.signIn("cw@example.org")
	date := func(d, m, y string) url.Values {
		return url.Values{"assign-to": {"me"}, "on-day": {d}, "on-month": {m}, "on-year": {y}}
	}

	resp, body := cw.send(c.ID, "assign", date("11", "3", "2026"))
	s.refusedOnField("a date in the future", resp, body, "on-day")
	if !strings.Contains(body, "11 March 2026 is in the future") {
		t.Error("the future date's error does not say so in words")
	}
	resp, body = cw.send(c.ID, "assign", date("4", "3", "2026"))
	s.refusedOnField("a date before receipt", resp, body, "on-day")
	if !strings.Contains(body, "4 March 2026 is before the request was received (5 March 2026)") {
		t.Error("the early date's error does not name the date of receipt")
	}
	resp, body = cw.send(c.ID, "assign", date("31", "2", "2026"))
	s.refusedOnField("no such date", resp, body, "on-day")
	if s.get(c.ID).Version != c.Version {
		t.Fatal("a refused date changed the case")
	}

	cw.done(cw.send(c.ID, "assign", date("8", "3", "2026")))
	events, err := s.work.Events(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := events[len(events)-1]
	if last.Action != "case.assigned" || last.After["on"] != "2026-03-08" || !last.Time.Equal(now) {
		t.Errorf("audit event %s on %q at %v, want case.assigned on 2026-03-08 recorded at %v", last.Action, last.After["on"], last.Time, now)
	}
	_, page := cw.get("/staff/cases/" + c.ID)
	if !strings.Contains(page, "<strong>case.assigned</strong> by Staff caseworker. Took effect 8 March 2026; recorded at 10:00am on 10 March 2026") {
		t.Error("the timeline does not show the stated date and when it was recorded")
	}
}

func TestANoteAfterAColleaguesChangeIsSavedAndAStaleEditIsNot(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	c := s.openCase()
	cw := s.browser()
	cw.signIn("cw@example.org")
	_, casePage := cw.get("/staff/cases/" + c.ID)
	_, editPage := cw.get("/staff/cases/" + c.ID + "/details")
	// A colleague takes the case after both pages were drawn.
	if _, err := s.work.Apply(context.Background(), "token:colleague", c.ID, c.Etag(), cases.Assign{Assignee: "colleague"}); err != nil {
		t.Fatal(err)
	}

	note := url.Values{"csrf_token": {csrfIn(t, casePage)}, "note-text": {"Rang the requester"}, "on-day": {"10"}, "on-month": {"3"}, "on-year": {"2026"}}
	if banner := cw.done(cw.post("/staff/cases/"+c.ID+"/note", note)); banner != "Note added" {
		t.Errorf("note after a colleague's change: banner %q", banner)
	}

	form := url.Values{}
	for _, k := range []string{"channel", "relationship", "name", "email", "received-day", "received-month", "received-year", "etag"} {
		// Of a radio's inputs, the one checked.
		m := regexp.MustCompile(`name="`+k+`"[^>]*value="([^"]*)"[^>]*`).FindAllStringSubmatch(editPage, -1)
		for _, v := range m {
			if k != "channel" && k != "relationship" || strings.HasSuffix(v[0], " checked") {
				form.Set(k, html.UnescapeString(v[1]))
			}
		}
	}
	form.Set("description", "Only my emails, please.")
	form.Set("csrf_token", csrfIn(t, editPage))
	resp, body := cw.post("/staff/cases/"+c.ID+"/details", form)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "This case was changed by someone else") || !strings.Contains(body, `href="/staff/cases/`+c.ID+`">Reload the case`) {
		t.Fatalf("stale edit of the details: status %d, want 409 with the conflict message", resp.StatusCode)
	}
	after := s.get(c.ID)
	if !strings.Contains(body, "<strong>case.assigned</strong> by token:colleague") {
		t.Error("the conflict does not list what the colleague did")
	}
	if !strings.Contains(body, "Only my emails, please.") || !strings.Contains(body, `name="etag" value="`+after.Etag()+`"`) {
		t.Error("the refused edit is not kept to send again with the case's new etag")
	}
	if after.Description != c.Description || len(after.Notes) != 1 || after.Assignee != "colleague" {
		t.Errorf("after the refused edit: %q, %d notes, assignee %q", after.Description, len(after.Notes), after.Assignee)
	}
	// Sent again from the redrawn page, it is saved.
	form.Set("etag", after.Etag())
	if banner := cw.done(cw.post("/staff/cases/"+c.ID+"/details", form)); banner != "Details saved" || s.get(c.ID).Description != "Only my emails, please." {
		t.Errorf("the edit sent again: banner %q", banner)
	}
}

func TestStaffTriageAnEverythingRequestToTwoNotices(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	c := s.newCase("", []notice.Right{notice.RightAccess, notice.RightErasure})
	cw := s.browser()
	cw.signIn("cw@example.org")
	_, page := cw.get("/staff/cases/" + c.ID)
	if !strings.Contains(page, "No notice named yet") || !strings.Contains(page, `id="name-notices">Name the notices</a>`) || !strings.Contains(page, "Not assessed yet") {
		t.Fatal("an everything request's page does not ask for its notices")
	}

	resp, body := cw.send(c.ID, "notices", url.Values{"notice": {"gpg-csep-hub", "communities-of-practice"}, "context-gpg-csep-hub": {"no-such-part"}})
	s.refusedOnField("a part of the processing the notice does not have", resp, body, "context-gpg-csep-hub")

	banner := cw.done(cw.send(c.ID, "notices", url.Values{"notice": {"gpg-csep-hub", "communities-of-practice"}, "context-gpg-csep-hub": {"voluntary-profile"}}))
	if !strings.HasPrefix(banner, "Notices saved") {
		t.Errorf("banner %q", banner)
	}
	got := s.get(c.ID)
	if ids := got.NoticeIDs(); !slices.Equal(ids, []string{"gpg-csep-hub", "communities-of-practice"}) || got.Notices[0].Context != "voluntary-profile" {
		t.Fatalf("notices %v", got.Notices)
	}
	_, page = cw.get("/staff/cases/" + c.ID)
	for _, want := range []string{"GPG CSEP Hub privacy notice", "Cross-government communities of practice privacy notice", "Processing: "} {
		if !strings.Contains(page, want) {
			t.Errorf("the case page does not show %q", want)
		}
	}
	rights := regexp.MustCompile(`(?s)<div id="rights">(.*?)</div>`).FindStringSubmatch(page)[1]
	for _, title := range []string{"GPG CSEP Hub privacy notice</strong>: ", "Cross-government communities of practice privacy notice</strong>: "} {
		if strings.Count(rights, title) != 2 {
			t.Errorf("the evaluation of each of the two rights under %q is not shown", title)
		}
	}
	tasks := regexp.MustCompile(`(?s)id="task-list">(.*?)</ul>`).FindStringSubmatch(page)[1]
	for _, recipient := range []string{"Placecube Ltd", "Mailing list providers"} {
		if !strings.Contains(tasks, "Tell a recipient (Article 19): "+recipient) {
			t.Errorf("no Article 19 task for %s, a recipient of one of the notices", recipient)
		}
	}
	// Sent unchanged, nothing is written.
	before := s.get(c.ID).Version
	if banner := cw.done(cw.send(c.ID, "notices", url.Values{"notice": {"gpg-csep-hub", "communities-of-practice"}, "context-gpg-csep-hub": {"voluntary-profile"}})); banner != "Nothing was changed" || s.get(c.ID).Version != before {
		t.Errorf("unchanged notices: banner %q", banner)
	}
}

func TestEditTheRightsAndTheCalendar(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	c := s.openCase()
	cw := s.browser()
	cw.signIn("cw@example.org")
	if banner := cw.done(cw.send(c.ID, "rights", url.Values{"rights": {"access", "rectification"}})); !strings.HasPrefix(banner, "Rights saved") {
		t.Errorf("rights: banner %q", banner)
	}
	if got := s.get(c.ID); len(got.Rights) != 2 || got.Rights[1].Right != notice.RightRectification || len(got.Tasks) == 0 {
		t.Errorf("after adding rectification: rights %v, %d tasks", got.Rights, len(got.Tasks))
	}
	resp, body := cw.send(c.ID, "rights", url.Values{})
	s.refusedOnField("no rights", resp, body, "rights")

	resp, body = cw.send(c.ID, "region", url.Values{"region": {"scotland"}, "region-reason": {""}})
	s.refusedOnField("a calendar without a reason", resp, body, "region-reason")
	if banner := cw.done(cw.send(c.ID, "region", url.Values{"region": {"scotland"}, "region-reason": {"Handled by the Edinburgh office"}})); !strings.HasPrefix(banner, "Calendar changed") {
		t.Errorf("region: banner %q", banner)
	}
	if got := s.get(c.ID); got.Region != "scotland" || got.RegionReason != "Handled by the Edinburgh office" {
		t.Errorf("region %q because %q", got.Region, got.RegionReason)
	}
	_, page := cw.get("/staff/cases/" + c.ID)
	if !strings.Contains(page, "Scotland bank holidays\nHandled by the Edinburgh office") {
		t.Error("the case page does not show the calendar and why")
	}
}

func TestLinkAndMergeByReference(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	a, b, dup := s.openCase(), s.openCase(), s.openCase()
	cw := s.browser()
	cw.signIn("cw@example.org")

	resp, body := cw.send(a.ID, "link", url.Values{"link-reference": {"RD-2222-2222"}})
	s.refusedOnField("an unknown reference", resp, body, "link-reference")
	resp, body = cw.send(a.ID, "link", url.Values{"link-reference": {a.Reference}})
	s.refusedOnField("the case itself", resp, body, "link-reference")
	typed := strings.ToLower(strings.ReplaceAll(b.Reference, "-", ""))
	if banner := cw.done(cw.send(a.ID, "link", url.Values{"link-reference": {typed}})); !strings.HasPrefix(banner, "Cases linked") {
		t.Errorf("link: banner %q", banner)
	}
	for _, pair := range [][2]*cases.Case{{a, b}, {b, a}} {
		if _, page := cw.get("/staff/cases/" + pair[0].ID); !strings.Contains(page, `href="/staff/cases/`+pair[1].ID+`">`+pair[1].Reference+`</a>`) {
			t.Errorf("case %s does not link to %s", pair[0].Reference, pair[1].Reference)
		}
	}

	if banner := cw.done(cw.send(dup.ID, "merge", url.Values{"merge-reference": {a.Reference}})); !strings.HasPrefix(banner, "Case merged") {
		t.Errorf("merge: banner %q", banner)
	}
	merged := s.get(dup.ID)
	if merged.State != cases.StateClosed || merged.Outcome.Kind != cases.OutcomeDuplicate || merged.Outcome.DuplicateOf != a.ID {
		t.Fatalf("merged case: %s, %+v", merged.State, merged.Outcome)
	}
	if _, page := cw.get("/staff/cases/" + dup.ID); !strings.Contains(page, a.Reference+`</a> (In progress): this case was merged into it`) && !strings.Contains(page, a.Reference+`</a> (New): this case was merged into it`) {
		t.Error("the merged case does not point at the case that goes on")
	}
	if _, page := cw.get("/staff/cases/" + a.ID); !strings.Contains(page, `href="/staff/cases/`+dup.ID+`">`+dup.Reference) {
		t.Error("the case that goes on does not link back to the duplicate")
	}
}

var statusCode = regexp.MustCompile(`id="status-code">([A-Z2-7 ]+)<`)

func TestAPostedRequestIsAcknowledgedWithItsCodeOnce(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	cw := s.browser()
	cw.signIn("cw@example.org")
	_, page := cw.get("/staff/cases/new")
	if strings.Contains(page, `name="region"`) {
		t.Error("the intake asks for a region, which is the organisation's")
	}
	form := url.Values{
		"csrf_token": {csrfIn(t, page)}, "request-id": {regexp.MustCompile(`name="request-id" value="([^"]+)"`).FindStringSubmatch(page)[1]},
		"channel": {"post"}, "received-day": {"7"}, "received-month": {"3"}, "received-year": {"2026"},
		"rights": {"access"}, "description": {"Copies of everything about my son."},
		"relationship": {"representative"}, "subject-name": {"Tom Example"}, "subject-address": {"1 High Street\nLeeds"},
		"authority": {"Parental responsibility"},
		"name":      {"Jane Example"}, "address": {"1 High Street\nLeeds"},
	}
	resp, body := cw.post("/staff/cases/new", form)
	m := statusCode.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil || resp.Header.Get("Location") != "" {
		t.Fatalf("logging a posted request: status %d, code shown %v; want the acknowledgement as the answer", resp.StatusCode, m != nil)
	}
	code := m[1]
	id := openCase.FindStringSubmatch(body)[1]
	c := s.get(id)
	for _, want := range []string{c.Reference, "We will respond by", web.LongDate(c.Clock.Due), "http://rights.test/status", "Request logged"} {
		if !strings.Contains(body, want) {
			t.Errorf("the acknowledgement does not give %q", want)
		}
	}
	if c.ReceivedOn != "2026-03-07" || c.Clock.Start != "2026-03-07" || c.Channel != cases.ChannelPost || len(c.Notices) != 0 {
		t.Errorf("received %s, clock from %s, by %s, notices %v", c.ReceivedOn, c.Clock.Start, c.Channel, c.Notices)
	}
	r := c.Requester
	if r.Relationship != cases.RelationshipRepresentative || r.Person.Name != "Jane Example" || r.DataSubject == nil || r.DataSubject.Name != "Tom Example" || r.Authority != "Parental responsibility" {
		t.Errorf("requester %+v", r)
	}
	if got, err := s.work.Status(context.Background(), strings.ToLower(strings.ReplaceAll(c.Reference, "-", "")), code); err != nil || got.ID != id {
		t.Errorf("the acknowledged code on the status lookup: %v", err)
	}
	if strings.Contains(s.log.String(), strings.ReplaceAll(code, " ", "")) || strings.Contains(string(c.StatusTokenHash), strings.ReplaceAll(code, " ", "")) {
		t.Error("the status code is logged or stored")
	}
	// The form sent again (a reload) is the same request: the case, not
	// a second one, and no code.
	resp, body = cw.post("/staff/cases/new", form)
	if resp.StatusCode != http.StatusOK || statusCode.MatchString(body) || !strings.Contains(body, `id="already-logged"`) || openCase.FindStringSubmatch(body)[1] != id {
		t.Errorf("the form sent twice: status %d; want the same case, acknowledged without its code", resp.StatusCode)
	}
}

func TestIntakeErrorsAreOnTheirFields(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	cw := s.browser()
	cw.signIn("cw@example.org")
	_, page := cw.get("/staff/cases/new")
	base := url.Values{"csrf_token": {csrfIn(t, page)}, "channel": {"post"}, "received-day": {"7"}, "received-month": {"3"}, "received-year": {"2026"},
		"rights": {"access"}, "relationship": {"self"}, "name": {"Jane Example"}, "email": {"jane@example.org"}}
	for _, tc := range []struct {
		what  string
		edit  func(url.Values)
		field string
	}{
		{"no channel", func(v url.Values) { v.Del("channel") }, "channel"},
		{"a date in the future", func(v url.Values) { v.Set("received-day", "11") }, "received-day"},
		{"no such date", func(v url.Values) { v.Set("received-month", "13") }, "received-day"},
		{"no way to reach them", func(v url.Values) { v.Del("email") }, "email"},
		{"a representative without authority", func(v url.Values) { v.Set("relationship", "representative"); v.Set("subject-name", "Tom") }, "authority"},
		{"an audience the notice does not have", func(v url.Values) {
			v.Set("notice", "it-service-desk")
			v.Set("audience-it-service-desk", "martians")
		}, "audience-it-service-desk"},
	} {
		form := url.Values{}
		for k, v := range base {
			form[k] = slices.Clone(v)
		}
		tc.edit(form)
		resp, body := cw.post("/staff/cases/new", form)
		s.refusedOnField(tc.what, resp, body, tc.field)
	}
	if page, err := s.work.List(context.Background(), usecase.Query{Limit: 10}); err != nil || len(page.Cases) != 0 {
		t.Errorf("refused requests opened cases: %v", err)
	}
}
