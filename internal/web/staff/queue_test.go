package staff_test

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/devseed"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/report"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// seed opens n varied cases through internal/devseed.
func (s *site) seed(n int) {
	s.t.Helper()
	if _, err := devseed.Seed(context.Background(), s.store, deadline.NewEngine(deadline.BuiltinCalendars()), devseed.Options{Cases: n, Seed: 1, Now: now}); err != nil {
		s.t.Fatal(err)
	}
}

// all is every case in the store.
func (s *site) all() []*cases.Case {
	s.t.Helper()
	var out []*cases.Case
	if err := s.work.EachCase(context.Background(), func(c *cases.Case) error { out = append(out, c); return nil }); err != nil {
		s.t.Fatal(err)
	}
	return out
}

var (
	caseLink = regexp.MustCompile(`href="/staff/cases/([0-9A-Z]+)"`)
	nextPage = regexp.MustCompile(`href="(/staff/\?[^"]*page=[^"]+)" rel="next"`)
	prevPage = regexp.MustCompile(`href="(/staff/\?[^"]*before=[^"]+)" rel="prev"`)
	// caseRow is one row of the case table: its checkbox, if any, and its
	// reference's link.
	caseRow  = regexp.MustCompile(`(?s)<tr class="govuk-table__row" role="row">(.*?)</tr>`)
	checkbox = regexp.MustCompile(`name="case" type="checkbox" value="([^"]+)"`)
)

func unescape(href string) string { return html.UnescapeString(href) }

// rowIDs lists the ids of the cases in the page's case table, in order.
func rowIDs(page string) []string {
	var out []string
	for _, row := range caseRow.FindAllStringSubmatch(page, -1) {
		if m := caseLink.FindStringSubmatch(row[1]); m != nil {
			out = append(out, m[1])
		}
	}
	return out
}

// walk follows a queue's next links from path, returning every page's case
// ids, page by page, and the pages' addresses.
func (b *browser) walk(path string) (pages [][]string, paths []string) {
	b.s.t.Helper()
	for path != "" {
		resp, body := b.get(path)
		if resp.StatusCode != http.StatusOK {
			b.s.t.Fatalf("%s: status %d", path, resp.StatusCode)
		}
		pages, paths = append(pages, rowIDs(body)), append(paths, path)
		path = ""
		if m := nextPage.FindStringSubmatch(body); m != nil {
			path = unescape(m[1])
		}
		if len(pages) > 100 {
			b.s.t.Fatal("the queue's pages do not end")
		}
	}
	return pages, paths
}

func TestQueueIsOrderedByDueDate(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	s.seed(400)
	b := s.browser()
	b.signIn("cw@example.org")

	pages, _ := b.walk("/staff/")
	if len(pages[0]) != 50 {
		t.Fatalf("first page: %d cases, want 50", len(pages[0]))
	}
	var lastDue string
	seen := 0
	for _, page := range pages {
		for _, id := range page {
			c, err := s.work.Get(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if !c.Open() {
				t.Errorf("closed case %s in the queue", c.ID)
			}
			if c.Clock.Due < lastDue {
				t.Fatalf("case %d (%s) is due %s, after one due %s", seen+1, c.ID, c.Clock.Due, lastDue)
			}
			lastDue = c.Clock.Due
			seen++
		}
	}
	want := 0
	for _, c := range s.all() {
		if c.Open() {
			want++
		}
	}
	if seen != want {
		t.Errorf("the queue's pages list %d cases, want every one of the %d open", seen, want)
	}
}

// Each view lists exactly the open cases its name promises, marks itself
// as the current one, and shows each case's requester and next step.
func TestQueueViews(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	s.seed(300)
	cw := s.find("cw@example.org")
	me := cw.Actor()
	all := s.all()
	var mine int
	for _, c := range all {
		if c.Open() && c.Assignee == "user:seed-bea" && mine < 9 {
			if _, err := s.work.Apply(context.Background(), "token:test", c.ID, "", cases.Assign{Assignee: me}); err != nil {
				t.Fatal(err)
			}
			mine++
		}
	}
	all = s.all()
	next := map[string]cases.StaffAction{}
	for i, a := range s.work.NextActions(all) {
		next[all[i].ID] = a
	}
	today := s.work.Today().String()
	weekEnd := report.WeekEnd(s.work.Today()).String()
	b := s.browser()
	b.signIn("cw@example.org")
	for _, v := range []struct {
		view, label string
		want        func(*cases.Case) bool
	}{
		{"all", "All open", func(c *cases.Case) bool { return true }},
		{"action", "Needs action", func(c *cases.Case) bool { return next[c.ID] != "" && next[c.ID] != cases.ActRecordResponse }},
		{"mine", "Assigned to me", func(c *cases.Case) bool { return c.Assignee == me }},
		{"unassigned", "Unassigned", func(c *cases.Case) bool { return c.Assignee == "" }},
		{"week", "Due this week", func(c *cases.Case) bool { return c.Clock.Due >= today && c.Clock.Due <= weekEnd }},
		{"overdue", "Overdue", func(c *cases.Case) bool { return c.Clock.Due < today }},
		{"waiting", "Waiting for the requester", func(c *cases.Case) bool { return c.State == cases.StateAwaitingRequester }},
	} {
		var want []string
		for _, c := range all {
			if c.Open() && v.want(c) {
				want = append(want, c.ID)
			}
		}
		if len(want) == 0 {
			t.Fatalf("view %s: the seed gives no case for it, so the test proves nothing", v.view)
		}
		pages, _ := b.walk("/staff/?view=" + v.view)
		got := slices.Concat(pages...)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("view %s lists %d cases, want %d", v.view, len(got), len(want))
		}
		_, page := b.get("/staff/?view=" + v.view)
		if !strings.Contains(page, `aria-current="page">`+v.label+`</a>`) {
			t.Errorf("view %s is not marked as the current view", v.view)
		}
	}

	_, page := b.get("/staff/?view=waiting")
	for _, id := range rowIDs(page)[:3] {
		c, _ := s.work.Get(context.Background(), id)
		row := rowOf(t, page, id)
		if !strings.Contains(row, html.EscapeString(c.Requester.Person.Name)) || !strings.Contains(row, "Wait for") {
			t.Errorf("the row of a case waiting for the requester lacks their name or the next step:\n%s", row)
		}
	}
	_, page = b.get("/staff/?view=unassigned")
	if !strings.Contains(page, "Assign it") && !strings.Contains(page, "Check their identity") {
		t.Error("the unassigned view does not say to assign or check identity")
	}
}

// rowOf is the table row of one case.
func rowOf(t *testing.T, page, id string) string {
	t.Helper()
	for _, row := range caseRow.FindAllStringSubmatch(page, -1) {
		if strings.Contains(row[1], `href="/staff/cases/`+id+`"`) {
			return row[1]
		}
	}
	t.Fatalf("no row for case %s", id)
	return ""
}

// The due and received columns sort both ways from their headers, which
// say the order they are in now.
func TestQueueSortsByItsColumns(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	s.seed(150)
	b := s.browser()
	b.signIn("cw@example.org")
	header := regexp.MustCompile(`aria-sort="(\w+)"><a class="govuk-link app-sort-link" href="([^"]+)">(\w+)<`)
	headers := func(page string) map[string][2]string {
		out := map[string][2]string{}
		for _, m := range header.FindAllStringSubmatch(page, -1) {
			out[m[3]] = [2]string{m[1], unescape(m[2])}
		}
		return out
	}
	_, page := b.get("/staff/")
	h := headers(page)
	if h["Due"][0] != "ascending" || h["Received"][0] != "none" {
		t.Fatalf("first page's headers: %v, want due ascending", h)
	}
	for _, step := range []struct {
		column, then string
		key          func(*cases.Case) string
		desc         bool
	}{
		{"Due", "descending", func(c *cases.Case) string { return c.Clock.Due }, true},
		{"Received", "descending", func(c *cases.Case) string { return c.ReceivedOn }, true},
		{"Received", "ascending", func(c *cases.Case) string { return c.ReceivedOn }, false},
		{"Due", "ascending", func(c *cases.Case) string { return c.Clock.Due }, false},
	} {
		path := h[step.column][1]
		pages, _ := b.walk(path)
		var last string
		for i, id := range slices.Concat(pages...) {
			c, _ := s.work.Get(context.Background(), id)
			k := step.key(c)
			if i > 0 && ((step.desc && k > last) || (!step.desc && k < last)) {
				t.Fatalf("%s %s (%s): %s follows %s", step.column, step.then, path, k, last)
			}
			last = k
		}
		_, page = b.get(path)
		h = headers(page)
		if h[step.column][0] != step.then {
			t.Errorf("after sorting by %s: its header says %q, want %q", step.column, h[step.column][0], step.then)
		}
	}
}

// Previous pages retrace the next pages, without JavaScript: the links
// carry a cursor, back to a first page with no previous link.
func TestQueuePagesBothWays(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	s.seed(300)
	b := s.browser()
	b.signIn("cw@example.org")
	for _, start := range []string{"/staff/", "/staff/?view=action&sort=received&order=desc"} {
		pages, paths := b.walk(start)
		if len(pages) < 3 {
			t.Fatalf("%s: %d pages, the test needs three", start, len(pages))
		}
		_, body := b.get(paths[len(paths)-1])
		for i := len(pages) - 2; i >= 0; i-- {
			m := prevPage.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("%s: page %d has no previous link", start, i+2)
			}
			resp, back := b.get(unescape(m[1]))
			if resp.StatusCode != http.StatusOK || !slices.Equal(rowIDs(back), pages[i]) {
				t.Fatalf("%s: back to page %d: status %d, %v, want %v", start, i+1, resp.StatusCode, rowIDs(back), pages[i])
			}
			body = back
		}
		if prevPage.MatchString(body) {
			t.Errorf("%s: the first page, reached backwards, has a previous link", start)
		}
	}
	if resp, _ := b.get("/staff/?before=not*base64"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("an unreadable cursor: status %d, want 400", resp.StatusCode)
	}
	// A page's token is bound to its list, as the API's page_token is: with
	// another filter or order it is refused, not read as a position there.
	_, paths := b.walk("/staff/?view=action")
	u, _ := url.Parse(paths[1])
	for _, edit := range []func(url.Values){
		func(v url.Values) { v.Set("view", "overdue") },
		func(v url.Values) { v.Set("filter", "needs_action = true") },
		func(v url.Values) { v.Set("sort", "received") },
	} {
		v := u.Query()
		edit(v)
		if resp, _ := b.get("/staff/?" + v.Encode()); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("a page token with another list (%s): status %d, want 400", v.Encode(), resp.StatusCode)
		}
	}
	if resp, _ := b.get(paths[1]); resp.StatusCode != http.StatusOK {
		t.Errorf("the page token with its own list: status %d", resp.StatusCode)
	}
}

// Bulk assignment assigns each ticked case with the etag the page showed:
// one a colleague changed meanwhile is left and named in the banner, which
// is shown once.
func TestBulkAssign(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	s.user("viewer@example.org", auth.RoleViewer)
	s.seed(60)
	cw := s.find("cw@example.org")
	me := cw.Actor()
	b := s.browser()
	b.signIn("cw@example.org")
	_, page := b.get("/staff/?view=unassigned")
	ticked := checkbox.FindAllStringSubmatch(page, 4)
	if len(ticked) < 4 {
		t.Fatalf("%d checkboxes on the unassigned view, want 4 or more", len(ticked))
	}
	var values, ids []string
	for _, m := range ticked {
		values = append(values, m[1])
		ids = append(ids, strings.Split(m[1], ":")[0])
	}
	stale, err := s.work.Apply(context.Background(), "token:colleague", ids[2], "", cases.AddNote{Text: "Called the requester"})
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"csrf_token": {csrfIn(t, page)}, "case": values, "assign-to": {"me"}, "return": {"/staff/?view=unassigned"}}
	resp, body := b.post("/staff/assign", form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/?view=unassigned" {
		t.Fatalf("bulk assign: status %d to %q, want back to the view\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	for i, id := range ids {
		c, _ := s.work.Get(context.Background(), id)
		if (c.Assignee == me) != (i != 2) {
			t.Errorf("case %d: assignee %q", i, c.Assignee)
		}
	}
	_, page = b.get("/staff/?view=unassigned")
	banner := regexp.MustCompile(`(?s)<div class="govuk-notification-banner[^"]*"[^>]*id="bulk-outcome">(.*?)</ul>`).FindStringSubmatch(page)
	if banner == nil || !strings.Contains(banner[1], "3 cases assigned to Staff caseworker") ||
		!strings.Contains(banner[1], stale.Reference+`</a>: someone else changed it`) {
		t.Fatalf("the banner does not say 3 were assigned and the stale one was not:\n%v", banner)
	}
	if _, again := b.get("/staff/?view=unassigned"); strings.Contains(again, "bulk-outcome") {
		t.Error("the banner is shown twice")
	}

	// Nothing ticked: the page comes back with the error linked to the
	// first checkbox.
	resp, body = b.post("/staff/assign", url.Values{"csrf_token": {csrfIn(t, page)}, "assign-to": {"me"}, "return": {"/staff/?view=unassigned"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<a href="#case">Select the cases to assign</a>`) || !strings.Contains(body, `id="case"`) {
		t.Errorf("nothing ticked: status %d, want 422 with the error linked to the first checkbox", resp.StatusCode)
	}
	// A return address off the workspace is not followed.
	fourth, _ := s.work.Get(context.Background(), ids[3])
	resp, _ = b.post("/staff/assign", url.Values{"csrf_token": {csrfIn(t, page)}, "case": {fourth.ID + ":" + fourth.Etag()}, "assign-to": {""}, "return": {"https://evil.example/"}})
	if resp.Header.Get("Location") != "/staff/" {
		t.Errorf("return to another site: sent to %q, want /staff/", resp.Header.Get("Location"))
	}
	if c, _ := s.work.Get(context.Background(), ids[3]); c.Assignee != "" {
		t.Errorf("unassigning: assignee %q", c.Assignee)
	}

	viewer := s.browser()
	viewer.signIn("viewer@example.org")
	_, page = viewer.get("/staff/")
	if checkbox.MatchString(page) || strings.Contains(page, "Assign selected cases") {
		t.Error("a viewer is offered bulk assignment")
	}
	if resp, _ := viewer.post("/staff/assign", url.Values{"csrf_token": {csrfIn(t, page)}, "case": {values[0]}, "assign-to": {"me"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a viewer's bulk assignment: status %d, want 403", resp.StatusCode)
	}
}

var workloadRow = regexp.MustCompile(`<th scope="row" class="govuk-table__header">([^<]+)</th><td class="govuk-table__cell govuk-table__cell--numeric"><a class="govuk-link" href="([^"]+)">(\d+)<`)

// The workload table counts open cases per person, each figure a link to
// a queue listing exactly those cases.
func TestWorkload(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	s.seed(200)
	want := map[string]int{}
	for _, c := range s.all() {
		if c.Open() {
			want[c.Assignee]++
		}
	}
	b := s.browser()
	b.signIn("cw@example.org")
	_, page := b.get("/staff/")
	table := regexp.MustCompile(`(?s)<table class="govuk-table" id="workload">.*?</table>`).FindString(page)
	rows := workloadRow.FindAllStringSubmatch(table, -1)
	if len(rows) != len(want) {
		t.Fatalf("workload rows: %d, want %d (%v)", len(rows), len(want), want)
	}
	for _, m := range rows {
		who, href := m[1], unescape(m[2])
		n, _ := strconv.Atoi(m[3])
		assignee := who
		if who == "Unassigned" {
			assignee = ""
		}
		if want[assignee] != n {
			t.Errorf("%s: %d open cases, want %d", who, n, want[assignee])
		}
		pages, _ := b.walk(href)
		if listed := len(slices.Concat(pages...)); listed != n {
			t.Errorf("%s's link lists %d cases, want %d", who, listed, n)
		}
	}
}

// Each figure of open cases on the dashboard links to a queue listing as
// many cases as it says.
func TestDashboardFiguresLinkToTheQueue(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	s.seed(200)
	b := s.browser()
	b.signIn("cw@example.org")
	_, page := b.get("/staff/dashboard")
	figure := regexp.MustCompile(`<a class="govuk-link" href="(/staff/[^"]*)">(\d+)<span class="govuk-visually-hidden"> ([^<]+)</span>`)
	links := figure.FindAllStringSubmatch(page, -1)
	if len(links) < 8 {
		t.Fatalf("%d figures link to the queue, want the key figures, states, rights and people", len(links))
	}
	for _, m := range links {
		n, _ := strconv.Atoi(m[2])
		pages, _ := b.walk(unescape(m[1]))
		if listed := len(slices.Concat(pages...)); listed != n {
			t.Errorf("%q says %d, its queue (%s) lists %d", m[3], n, unescape(m[1]), listed)
		}
	}
}

// A closed case is found by its reference however it is typed: from the
// find page, the queue's filter and the case page's address.
func TestFindByReference(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	c := s.openCase()
	if _, err := s.work.Apply(context.Background(), "token:test", c.ID, "", cases.Close{Outcome: cases.OutcomeWithdrawn}); err != nil {
		t.Fatal(err)
	}
	s.openCase() // another
	b := s.browser()
	b.signIn("cw@example.org")
	typed := []string{c.Reference, strings.ToLower(c.Reference), strings.ReplaceAll(c.Reference, "-", ""), strings.ToLower(strings.ReplaceAll(c.Reference, "-", ""))}
	for _, ref := range typed {
		resp, _ := b.get("/staff/find?reference=" + url.QueryEscape(ref))
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/cases/"+c.ID {
			t.Errorf("find %q: %d to %q, want the closed case", ref, resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, _ = b.get("/staff/cases/" + url.PathEscape(ref))
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/cases/"+c.ID {
			t.Errorf("/staff/cases/%s: %d to %q, want the case's page", ref, resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, page := b.get("/staff/?reference=" + url.QueryEscape(ref))
		if resp.StatusCode != http.StatusOK || !slices.Equal(rowIDs(page), []string{c.ID}) || !strings.Contains(page, "None: closed") {
			t.Errorf("queue filtered by %q: %v, want the closed case alone", ref, rowIDs(page))
		}
		if checkbox.MatchString(page) || strings.Contains(page, "Assign selected cases") {
			t.Error("a closed case is offered for bulk assignment")
		}
	}
	if resp, _ := b.get("/staff/cases/" + c.ID); resp.StatusCode != http.StatusOK {
		t.Errorf("the case page by id: status %d", resp.StatusCode)
	}
	for _, missing := range []string{"/staff/cases/RD-2222-2222", "/staff/cases/NOSUCHCASE"} {
		if resp, _ := b.get(missing); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", missing, resp.StatusCode)
		}
	}
	for ref, want := range map[string]string{
		"rd22222222": "No case has the reference RD-2222-2222",
		"  ":         "Enter a case reference",
	} {
		resp, page := b.get("/staff/find?reference=" + url.QueryEscape(ref))
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `<a href="#reference">`+want) {
			t.Errorf("find %q: status %d, want 422 saying %q", ref, resp.StatusCode, want)
		}
	}
	_, page := b.get("/staff/?reference=RD-2222-2222")
	if !strings.Contains(page, "No case has the reference RD-2222-2222") {
		t.Error("the queue does not say that no case has the reference")
	}
}

// A search for a requester goes by POST, so their name and address never
// appear in an address; a GET with them in the query searches nothing.
func TestFindRequesterByPost(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	c := s.openCase()
	s.openCase()
	b := s.browser()
	b.signIn("cw@example.org")
	_, page := b.get("/staff/find")
	if !strings.Contains(page, `<form method="post" action="/staff/find"`) {
		t.Fatal("the requester search is not a POST form")
	}
	resp, body := b.post("/staff/find", url.Values{"csrf_token": {csrfIn(t, page)}, "email": {"ADA@example.org"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "2 cases found") || !slices.Contains(rowIDs(body), c.ID) {
		t.Errorf("find by email: status %d, %v", resp.StatusCode, rowIDs(body))
	}
	resp, body = b.post("/staff/find", url.Values{"csrf_token": {csrfIn(t, page)}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<a href="#email">Enter an email address or a name</a>`) {
		t.Errorf("an empty search: status %d, want 422 linked to the email field", resp.StatusCode)
	}
	if _, body := b.get("/staff/find?email=ada%40example.org"); strings.Contains(body, "cases found") {
		t.Error("a GET with an email address in its query searched")
	}
}

// BenchmarkQueueFirstPage times the handler alone drawing the queue's first
// page for a signed-in caseworker over 10,000 seeded cases: the issue's
// target is under 100 ms.
func BenchmarkQueueFirstPage(b *testing.B) {
	s := newSite(b, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	s.seed(10_000)
	br := s.browser()
	br.signIn("cw@example.org")
	req := httptest.NewRequest(http.MethodGet, "/staff/", nil)
	staffURL, _ := url.Parse(s.srv.URL + "/staff/")
	for _, c := range br.client.Jar.Cookies(staffURL) {
		req.AddCookie(c)
	}
	handler := s.srv.Config.Handler
	for b.Loop() {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || len(rowIDs(rec.Body.String())) != 50 {
			b.Fatalf("status %d, want the first 50 cases", rec.Code)
		}
	}
}

var (
	// viewTab is a tab of the queue's views: its address and label.
	viewTab = regexp.MustCompile(`<a class="govuk-link govuk-link--no-visited-state app-views__link" href="([^"]+)"[^>]*>([^<]+)</a>`)
	// shownFilter is the list's filter as the page offers it to the API.
	shownFilter = regexp.MustCompile(`id="view-filter">[^<]*<code>([^<]*)</code>`)
)

// filterOf is the API filter a queue page shows for itself.
func filterOf(t *testing.T, page string) string {
	t.Helper()
	m := shownFilter.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the page does not show its list as an API filter")
	}
	return html.UnescapeString(m[1])
}

// listAll runs a filter through the use case the API's ListCases calls,
// page after page, in the queue's default order.
func (s *site) listAll(filter string) []string {
	s.t.Helper()
	var out []string
	q := usecase.Query{Filter: filter, Limit: 37}
	for {
		page, err := s.work.List(context.Background(), q)
		if err != nil {
			s.t.Fatalf("%s: %v", filter, err)
		}
		for _, c := range page.Cases {
			out = append(out, c.ID)
		}
		if page.Next == nil {
			return out
		}
		q.After = page.Next
	}
}

// sorted returns ids in order, to compare lists as sets.
func sorted(ids []string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// Every saved view of the queue shows its list as a filter in the API's
// language, and that filter lists the same cases as the view, through the
// use case and typed into the queue's own filter field; the view of one's
// own cases names the signed-in person.
func TestQueueViewsAreAPIFilters(t *testing.T) {
	// The seed neither undelivers letters nor takes replies: one case
	// here has both.
	s, _, _ := undeliveredCase(t)
	s.user("cw@example.org", auth.RoleCaseworker)
	s.seed(300)
	cw := s.find("cw@example.org")
	me := cw.Actor()
	var mine int
	for _, c := range s.all() {
		if c.Open() && c.Assignee == "user:seed-bea" && mine < 7 {
			if _, err := s.work.Apply(context.Background(), "token:test", c.ID, "", cases.Assign{Assignee: me}); err != nil {
				t.Fatal(err)
			}
			mine++
		}
	}
	all := s.all()
	extensionBy := s.work.ExtensionDecisions(all)
	next := s.work.NextActions(all)
	today := s.work.Today().String()
	weekEnd := report.WeekEnd(s.work.Today()).String()
	// want is each view's promise, said without the filter language, so
	// that a filter string that drifts from its view fails here.
	want := map[string]func(i int, c *cases.Case) bool{
		"All open":                  func(int, *cases.Case) bool { return true },
		"Needs action":              func(i int, _ *cases.Case) bool { return next[i] != "" && next[i] != cases.ActRecordResponse },
		"Assigned to me":            func(_ int, c *cases.Case) bool { return c.Assignee == me },
		"Unassigned":                func(_ int, c *cases.Case) bool { return c.Assignee == "" },
		"Due this week":             func(_ int, c *cases.Case) bool { return c.Clock.Due >= today && c.Clock.Due <= weekEnd },
		"Overdue":                   func(_ int, c *cases.Case) bool { return c.Clock.Due < today },
		"Waiting for the requester": func(_ int, c *cases.Case) bool { return c.State == cases.StateAwaitingRequester },
		"New replies":               func(_ int, c *cases.Case) bool { return c.NewReply },
		"Letter not delivered":      func(_ int, c *cases.Case) bool { return c.Undelivered() },
		"Extension to decide":       func(i int, _ *cases.Case) bool { return !extensionBy[i].IsZero() },
	}
	b := s.browser()
	b.signIn("cw@example.org")
	_, first := b.get("/staff/")
	tabs := viewTab.FindAllStringSubmatch(first, -1)
	if len(tabs) != len(want) {
		t.Fatalf("the queue has %d views, the test knows %d: say what a new one promises", len(tabs), len(want))
	}
	for _, tab := range tabs {
		label, href := html.UnescapeString(tab[2]), unescape(tab[1])
		promise, ok := want[label]
		if !ok {
			t.Fatalf("view %q: the test does not know what it promises", label)
		}
		var expected []string
		for i, c := range all {
			if c.Open() && promise(i, c) {
				expected = append(expected, c.ID)
			}
		}
		pages, _ := b.walk(href)
		listed := slices.Concat(pages...)
		_, page := b.get(href)
		filter := filterOf(t, page)
		if !strings.HasPrefix(filter, "open = true") {
			t.Errorf("view %q: filter %q does not keep to open cases", label, filter)
		}
		if label == "Assigned to me" && filter != "open = true AND assignee = "+strconv.Quote(me) {
			t.Errorf("view %q: filter %q does not name the signed-in person", label, filter)
		}
		if !slices.Equal(sorted(listed), sorted(expected)) {
			t.Errorf("view %q lists %d cases, want the %d it promises", label, len(listed), len(expected))
		}
		if api := s.listAll(filter); !slices.Equal(api, listed) {
			t.Errorf("view %q: its filter %q lists %d cases through the use case, the view %d (or in another order)", label, filter, len(api), len(listed))
		}
		typed, _ := b.walk("/staff/?filter=" + url.QueryEscape(filter))
		if got := slices.Concat(typed...); !slices.Equal(got, listed) {
			t.Errorf("view %q: its filter typed into the queue lists %d cases, the view %d", label, len(got), len(listed))
		}
		if len(expected) == 0 {
			t.Errorf("view %q: no case for it, so the comparison proves nothing", label)
		}
	}
}

// A filter written in the queue's filter field, submitted by a plain GET
// form (no JavaScript), lists what the API's would, with OR, NOT and
// parentheses, closed cases included when it asks; its pages keep it, and
// no view claims to be the current one.
func TestQueueCustomFilter(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	s.seed(300)
	all := s.all()
	today := s.work.Today().String()
	b := s.browser()
	b.signIn("cw@example.org")
	_, page := b.get("/staff/")
	if !strings.Contains(page, `<form method="get" action="/staff/" novalidate id="custom-filter">`) || !strings.Contains(page, `name="filter" type="text" value="open = true"`) {
		t.Fatal("the queue has no GET form for a filter starting from the view's")
	}
	for _, tc := range []struct {
		filter string
		want   func(*cases.Case) bool
	}{
		{`state = "IN_PROGRESS" OR (overdue = true AND NOT assignee = "")`, func(c *cases.Case) bool {
			return c.State == cases.StateInProgress || (c.Open() && c.Clock.Due < today && c.Assignee != "")
		}},
		{`open = false`, func(c *cases.Case) bool { return !c.Open() }},
		// In due order, the queue's and the API's default, the list is of
		// open cases unless the filter asks for closed ones.
		{`-waiting = true AND (right = "ERASURE" OR right = "ACCESS")`, func(c *cases.Case) bool {
			return c.Open() && c.State != cases.StateAwaitingRequester && slices.ContainsFunc(c.Rights, func(r cases.RequestedRight) bool {
				return r.Right == notice.RightErasure || r.Right == notice.RightAccess
			})
		}},
	} {
		var want []string
		for _, c := range all {
			if tc.want(c) {
				want = append(want, c.ID)
			}
		}
		if len(want) == 0 {
			t.Fatalf("%s: the seed gives no case for it, so the test proves nothing", tc.filter)
		}
		start := "/staff/?" + url.Values{"filter": {tc.filter}, "view": {"mine"}}.Encode()
		pages, paths := b.walk(start)
		got := slices.Concat(pages...)
		if !slices.Equal(sorted(got), sorted(want)) {
			t.Errorf("%s: the queue lists %d cases, want %d", tc.filter, len(got), len(want))
		}
		if api := s.listAll(tc.filter); !slices.Equal(got, api) {
			t.Errorf("%s: the queue lists %d cases, the use case the API calls %d (or in another order)", tc.filter, len(got), len(api))
		}
		for _, p := range paths[1:] {
			u, _ := url.Parse(p)
			if u.Query().Get("filter") != tc.filter {
				t.Errorf("%s: a next page (%s) drops the filter", tc.filter, p)
			}
		}
		resp, page := b.get(start)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", tc.filter, resp.StatusCode)
		}
		if got := filterOf(t, page); got != tc.filter {
			t.Errorf("the page shows the filter %q, want %q", got, tc.filter)
		}
		if strings.Contains(page, `aria-current="page"`) {
			t.Errorf("%s: a view is marked current under a written filter", tc.filter)
		}
		if !strings.Contains(page, `id="api-filter" open`) {
			t.Errorf("%s: the written filter is hidden in a closed details element", tc.filter)
		}
		resp, body := b.get("/staff/export.csv?" + url.Values{"filter": {tc.filter}}.Encode())
		if rows := strings.Count(strings.TrimSpace(body), "\n"); resp.StatusCode != http.StatusOK || rows != len(want) {
			t.Errorf("%s: the CSV export: status %d, %d rows, want %d", tc.filter, resp.StatusCode, rows, len(want))
		}
	}
}

// A malformed filter is an error on the filter field, linked from the
// error summary, in the parser's words naming the column, never a server
// error or a list of some other cases.
func TestQueueMalformedFilter(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	s.seed(60)
	b := s.browser()
	b.signIn("cw@example.org")
	for _, tc := range []struct{ filter, says string }{
		{`state = "NEW" AND`, "column "},
		{`state = "IN_PROGRESS" OR (overdue = true`, "column "},
		{`colour = "red"`, `column 1: unknown field "colour"`},
		{`open = true AND state = "NOPE"`, `column 25: unknown state "NOPE"`},
		{`due < 2026`, "column 7:"},
		{strings.Repeat("open = true AND ", 70) + "open = true", "bytes long; the most is 1024"},
	} {
		resp, page := b.get("/staff/?" + url.Values{"filter": {tc.filter}, "sort": {"received"}}.Encode())
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%.40s: status %d, want 422", tc.filter, resp.StatusCode)
			continue
		}
		summary := regexp.MustCompile(`<li><a href="#filter">([^<]+)</a></li>`).FindStringSubmatch(page)
		if summary == nil || !strings.Contains(html.UnescapeString(summary[1]), tc.says) {
			t.Errorf("%.40s: the error summary does not link to the field saying %q:\n%v", tc.filter, tc.says, summary)
		}
		if !strings.Contains(page, `<p id="filter-error" class="govuk-error-message">`) || !strings.Contains(page, `govuk-input--error" id="filter" name="filter" type="text" value="`+html.EscapeString(tc.filter)) {
			t.Errorf("%.40s: the field does not show the error with the filter as written", tc.filter)
		}
		if len(rowIDs(page)) != 0 || strings.Contains(page, "Download these cases as CSV") {
			t.Errorf("%.40s: the page lists cases for a filter it could not read", tc.filter)
		}
		if !strings.Contains(page, `<input type="hidden" name="sort" value="received">`) {
			t.Errorf("%.40s: the filter's form forgets the order", tc.filter)
		}
		if resp, _ := b.get("/staff/export.csv?" + url.Values{"filter": {tc.filter}}.Encode()); resp.StatusCode != http.StatusUnprocessableEntity || strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
			t.Errorf("%.40s: the CSV export: status %d, %q, want an error page", tc.filter, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	if resp, body := b.get("/staff/export.csv?" + url.Values{"filter": {`reference = "RD-2222-2222"`}}.Encode()); resp.StatusCode != http.StatusOK || body != "" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Errorf("the CSV export of no cases: status %d, %q, %q, want an empty file", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}
