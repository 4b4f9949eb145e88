package staff

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/export"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/pagetoken"
	"github.com/rightsdesk/rightsdesk/internal/report"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// queuePage is how many cases one page of the queue shows.
const queuePage = 50

// queueView is one of the queue's saved views: a tab and the whole list
// filter it stands for, in the API's filter language (casework's
// filter.go, usecase.FilterFields), so that the page can show it and a
// caseworker can run the same list over ListCases. A view about the
// signed-in person gets their actor.
type queueView struct {
	value, label string
	filter       func(me *staffer) string
}

func always(filter string) func(*staffer) string { return func(*staffer) string { return filter } }

var queueViews = []queueView{
	{"all", "All open", always("open = true")},
	{"action", "Needs action", always("open = true AND needs_action = true")},
	{"mine", "Assigned to me", func(me *staffer) string { return "open = true AND assignee = " + strconv.Quote(me.actor) }},
	{"unassigned", "Unassigned", always(`open = true AND assignee = ""`)},
	{"week", "Due this week", always("open = true AND due_this_week = true")},
	{"overdue", "Overdue", always("open = true AND overdue = true")},
	{"waiting", "Waiting for the requester", always("open = true AND waiting = true")},
	{"replies", "New replies", always("open = true AND new_reply = true")},
	{"undelivered", "Letter not delivered", always("open = true AND undelivered = true")},
	{"extension", "Extension to decide", always("open = true AND extension_due = true")},
}

// queueOrders are the orders the queue sorts by, each served by an index
// (usecase.Query.OrderBy), with the direction a column starts in.
// Requester name is not among them: names are kept only in the case
// records (encrypted, the requester index holds keyed hashes), so sorting
// by name would read every open case. Nor is the reference: its index is
// in the order of random codes, which helps nobody.
var queueOrders = map[string]bool{"due": false, "received": true} // column → starts descending

// order is a direction as the queue's address writes it.
func order(desc bool) string {
	if desc {
		return "desc"
	}
	return "asc"
}

// queueQuery is the queue as its address asks for it.
type queueQuery struct {
	view     queueView
	assignee string // a person from the workload, within "All open"
	state    cases.State
	right    notice.Right
	notice   string
	// reference looks one case up, open or closed, whatever the rest says.
	reference string
	// custom is a filter the caseworker wrote, in place of the view's and
	// the filter form's (the page offers the filter they make as its
	// starting point). It is parsed where the API's is, by the use case,
	// and may list closed cases too.
	custom string
	sort   string
	desc   bool
	// page and before are page tokens (internal/pagetoken) of the cursors
	// usecase.Page.Next and Prev, bound to the list's filter and order as
	// the API's are: see cursors.
	page, before string
}

// plainValue is a value a filter term can quote as it is.
func plainValue(v string) bool { return v != "" && !strings.ContainsAny(v, "\" \t\r\n") }

func readQueue(q url.Values) queueQuery {
	qq := queueQuery{view: queueViews[0], sort: "due"}
	if i := slices.IndexFunc(queueViews, func(v queueView) bool { return v.value == q.Get("view") }); i >= 0 {
		qq.view = queueViews[i]
	}
	if a := q.Get("assignee"); plainValue(a) && qq.view.value == "all" {
		qq.assignee = a
	}
	if s := cases.State(q.Get("state")); s != cases.StateClosed && slices.Contains(cases.States, s) {
		qq.state = s
	}
	if r := notice.Right(q.Get("right")); r.Valid() {
		qq.right = r
	}
	if n := q.Get("notice"); plainValue(n) {
		qq.notice = n
	}
	qq.reference = strings.TrimSpace(q.Get("reference"))
	if qq.custom = strings.TrimSpace(q.Get("filter")); qq.custom != "" {
		// The filter written stands for the whole list, as the API's does.
		qq.assignee, qq.state, qq.right, qq.notice = "", "", "", ""
	}
	if _, ok := queueOrders[q.Get("sort")]; ok {
		qq.sort = q.Get("sort")
	}
	qq.desc = queueOrders[qq.sort]
	switch q.Get("order") {
	case "asc":
		qq.desc = false
	case "desc":
		qq.desc = true
	}
	qq.page, qq.before = q.Get("page"), q.Get("before")
	return qq
}

// boundTo is what the queue's page tokens are bound to: the list's filter
// and order, as ListCases binds its own.
func (qq queueQuery) boundTo(me *staffer) string { return qq.filter(me) + "\x00" + qq.orderBy() }

// cursors reads the page tokens of the address: an error for one the
// queue did not write for this very list.
func (qq queueQuery) cursors(me *staffer) (after, before []byte, err error) {
	if qq.page != "" {
		after, err = pagetoken.Decode(qq.page, qq.boundTo(me))
	}
	if qq.before != "" && err == nil {
		before, err = pagetoken.Decode(qq.before, qq.boundTo(me))
	}
	return after, before, err
}

// filter is the list filter the queue asks casework for: the one the page
// shows as the API's, and offers to edit.
func (qq queueQuery) filter(me *staffer) string {
	if qq.reference != "" {
		return "reference = " + strconv.Quote(qq.reference)
	}
	if qq.custom != "" {
		return qq.custom
	}
	terms := []string{qq.view.filter(me)}
	if qq.assignee != "" {
		terms = append(terms, "assignee = "+strconv.Quote(qq.assignee))
	}
	if qq.state != "" {
		terms = append(terms, "state = "+strconv.Quote(strings.ToUpper(string(qq.state))))
	}
	if qq.right != "" {
		terms = append(terms, "right = "+strconv.Quote(strings.ToUpper(string(qq.right))))
	}
	if qq.notice != "" {
		terms = append(terms, "notice = "+strconv.Quote(qq.notice))
	}
	return strings.Join(terms, " AND ")
}

func (qq queueQuery) orderBy() string {
	if qq.desc {
		return qq.sort + " desc"
	}
	return qq.sort
}

// values are the query's parameters, without its page, as the filter form
// and every link keep them.
func (qq queueQuery) values() url.Values {
	v := url.Values{}
	set := func(k, value string) {
		if value != "" {
			v.Set(k, value)
		}
	}
	set("view", qq.view.value)
	set("filter", qq.custom)
	set("assignee", qq.assignee)
	set("state", string(qq.state))
	set("right", string(qq.right))
	set("notice", qq.notice)
	set("reference", qq.reference)
	if qq.sort != "due" || qq.desc {
		v.Set("sort", qq.sort)
		v.Set("order", order(qq.desc))
	}
	return v
}

// link is the queue's address with the parameters edit leaves.
func (qq queueQuery) link(edit func(url.Values)) string {
	v := qq.values()
	if edit != nil {
		edit(v)
	}
	if len(v) == 0 {
		return Prefix
	}
	return Prefix + "?" + v.Encode()
}

// row is one case as the queue and the search results show it.
type row struct {
	Case *cases.Case
	// Received and Due are the dates as a table shows them: 2 Apr 2026.
	Received, Due string
	Requester     string
	Rights        string
	Notice        string
	State         string
	NextStep      string
	Assignee      string
	Standing      *deadline.Standing
	Tag           web.Tag
	// ExtensionBy, when set, is the last day the deadline can be extended,
	// near enough to flag (cases.Case.ExtensionDecisionBy): 5 Mar 2026.
	ExtensionBy string
}

// describe prepares cases for a table: labels, who they are assigned to,
// what to do next and how much time each has left today.
func (h *handler) describe(ctx context.Context, list []*cases.Case) ([]row, error) {
	names, err := h.names(ctx)
	if err != nil {
		return nil, err
	}
	titles := map[string]string{}
	out := make([]row, 0, len(list))
	standings := h.cfg.Work.Standings(list)
	extensions := h.cfg.Work.ExtensionDecisions(list)
	next := h.cfg.Work.NextActions(list)
	for i, c := range list {
		var named []string
		for _, id := range c.NoticeIDs() {
			if _, ok := titles[id]; !ok {
				titles[id] = h.noticeTitle(ctx, id)
			}
			named = append(named, titles[id])
		}
		notices := strings.Join(named, "; ")
		if notices == "" {
			notices = "None named yet"
		}
		r := row{
			Case: c, Received: shortDate(c.ReceivedOn), Due: shortDate(c.Clock.Due), Requester: requesterText(c), Rights: rightsText(c), Notice: notices, State: stateText(c),
			NextStep: nextStepText(c, next[i]), Assignee: names.of(c.Assignee), Standing: standings[i],
		}
		r.Tag = standingTag(c, r.Standing)
		if by := extensions[i]; !by.IsZero() {
			r.ExtensionBy = shortDate(by.String())
		}
		out = append(out, r)
	}
	return out, nil
}

func (h *handler) noticeTitle(ctx context.Context, id string) string {
	n, _, err := h.cfg.Notices.Notice(ctx, id, 0)
	if err != nil {
		return id
	}
	return n.Current().Title
}

// shortDate writes an ISO date with the month cut short, as the GOV.UK
// style allows in tables: 2 Apr 2026.
func shortDate(iso string) string {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	return t.Format("2 Jan 2006")
}

// requesterText names who asked and, for a representative, for whom.
func requesterText(c *cases.Case) string {
	name := c.Requester.Person.Name
	if name == "" {
		name = "Name not recorded"
	}
	if s := c.Requester.DataSubject; s != nil && s.Name != "" && s.Name != name {
		return s.Name + ", through " + name
	}
	return name
}

// identityReceivedText says that proof of identity arrived and nobody has
// checked it yet: receiving it restarts the clock, but proves nothing.
const identityReceivedText = "ID received — to check"

// nextStepText words a case's likely next action for the queue.
func nextStepText(c *cases.Case, a cases.StaffAction) string {
	switch a {
	case "":
		if c.Open() {
			return "Nothing allowed now"
		}
		return "None: closed"
	case cases.ActRecordResponse:
		switch c.WaitingFor {
		case cases.WaitingForIdentity:
			return "Wait for proof of identity"
		case cases.WaitingForClarification:
			return "Wait for the requester to clarify"
		case cases.WaitingForFee:
			return "Wait for the fee"
		}
		return "Wait for the requester’s reply"
	case cases.ActCheckIdentity:
		if c.IdentityStatus == cases.IdentityReceived {
			return identityReceivedText
		}
		return "Check their identity"
	case cases.ActTriage:
		return "Choose the notices it covers"
	case cases.ActAssign:
		return "Assign it"
	case cases.ActRecordSearch:
		return "Search for their data"
	case cases.ActCompleteTask:
		return "Finish the open tasks"
	case cases.ActClose:
		return "Respond and close"
	}
	return web.Words(string(a))
}

// standingTag shows a case's standing as a tag whose words say what the
// colour says.
func standingTag(c *cases.Case, st *deadline.Standing) web.Tag {
	switch {
	case !c.Open():
		return web.Tag{Text: "Closed", Colour: "grey"}
	case c.Clock.Paused:
		return web.Tag{Text: "Clock paused", Colour: "blue"}
	case st == nil:
		return web.Tag{Text: "No due date", Colour: "grey"}
	case st.Overdue:
		return web.Tag{Text: "Red: overdue", Colour: "red"}
	case st.RAG == deadline.Red:
		return web.Tag{Text: "Red: due soon", Colour: "red"}
	case st.RAG == deadline.Amber:
		return web.Tag{Text: "Amber", Colour: "orange"}
	}
	return web.Tag{Text: "Green", Colour: "green"}
}

func rightsText(c *cases.Case) string {
	var out []string
	for _, r := range c.Rights {
		out = append(out, report.RightLabel(r.Right))
	}
	return strings.Join(out, ", ")
}

func stateText(c *cases.Case) string {
	s := report.StateLabel(c.State)
	if c.WaitingFor != cases.WaitingForNothing {
		s += " (" + string(c.WaitingFor) + ")"
	}
	return s
}

// directory maps actors to the names people know them by.
type directory map[string]string

func (d directory) of(actor string) string {
	if actor == "" {
		return "Unassigned"
	}
	if n, ok := d[actor]; ok {
		return n
	}
	return actor
}

func (h *handler) names(ctx context.Context) (directory, error) {
	names, err := h.cfg.Users.Names(ctx)
	return directory(names), err
}

// caseTable is a table of cases: the queue's, with sortable columns and a
// checkbox on each row for bulk assignment, or the search results'.
type caseTable struct {
	Rows []row
	// Select puts a checkbox on each open case; Form holds the ticked ones.
	Select bool
	Form   *web.Form
	// Due and Received sort by that column; nil where it is not sortable.
	Due, Received *sortLink
}

// sortLink is a sortable column's header: its aria-sort state and the
// address that sorts by it, the other way round when it is the order now.
type sortLink struct {
	Sort string // "ascending", "descending" or "none"
	Href string
	// Then says what following the link does, for screen readers.
	Then string
}

func (qq queueQuery) sortLink(column, ascending, descending string) *sortLink {
	l := &sortLink{Sort: "none"}
	desc := queueOrders[column]
	if qq.sort == column {
		l.Sort = "ascending"
		if qq.desc {
			l.Sort = "descending"
		}
		desc = !qq.desc
	}
	l.Then = ascending
	if desc {
		l.Then = descending
	}
	l.Href = qq.link(func(v url.Values) {
		v.Set("sort", column)
		v.Set("order", order(desc))
	})
	return l
}

// queueSorts are the orders a narrow screen offers as links, where the
// table's sortable headers are out of sight.
var queueSorts = []struct {
	label, sort string
	desc        bool
}{
	{"Soonest due", "due", false},
	{"Latest due", "due", true},
	{"Newest received", "received", true},
	{"Oldest received", "received", false},
}

type viewTab struct {
	Label, Href string
	Current     bool
}

type queueData struct {
	Views []viewTab
	// Orders are the sort orders as links, for narrow screens.
	Orders []viewTab
	// Filters holds the filter form's fields; Keep the parameters it
	// carries unseen (view, person, order), and Clear drops the rest.
	Filters *web.Form
	Keep    map[string]string
	Clear   string
	// Filters' "filter" is the list's whole filter in the API's language,
	// shown for use over the API and as the start of one written here;
	// Custom says the list is one written here, and KeepOrder is what the
	// form to write it carries unseen.
	Custom    bool
	KeepOrder map[string]string
	States    []web.Option
	Rights    []web.Option
	Notices   []web.Option
	Table     caseTable
	Reference string
	// Showing says which cases the page lists, in what order.
	Showing    string
	Next, Prev string
	CSV        string
	Me         *staffer
	Workload   workloadData
	// Assignees and Return are the bulk assignment form's: who may be
	// given the cases, and this page's address to come back to.
	Assignees []web.Option
	Return    string
	Outcome   *bulkOutcome
}

func (h *handler) queue(w http.ResponseWriter, r *http.Request, me *staffer) {
	outcome, err := h.takeOutcome(r.Context(), me)
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	h.renderQueue(w, r, me, r.URL.Query(), web.NewForm(nil), http.StatusOK, outcome)
}

func (h *handler) renderQueue(w http.ResponseWriter, r *http.Request, me *staffer, query url.Values, f *web.Form, status int, outcome *bulkOutcome) {
	ctx := r.Context()
	qq := readQueue(query)
	after, before, err := qq.cursors(me)
	if err != nil {
		h.render.Error(w, http.StatusBadRequest, web.Problem{Heading: "This page of the queue does not exist", Body: []string{"Its address was not made for this list of cases: the filter or the order changed."}, Link: &web.Link{Text: "Go to the first page", Href: qq.link(nil)}})
		return
	}
	filters := web.NewForm(qq.values())
	filters.Values.Set("filter", qq.filter(me))
	page, err := h.cfg.Work.List(ctx, usecase.Query{Filter: qq.filter(me), OrderBy: qq.orderBy(), Limit: queuePage, After: after, Before: before})
	if msg, ok := customFilterProblem(qq, err); ok {
		// A filter the caseworker wrote goes back to them to correct, as
		// any form's answer does; the cases shown are none.
		filters.Fail("filter", "", msg)
		f.Fail("filter", "", msg)
		status, page, err = http.StatusUnprocessableEntity, &usecase.Page{}, nil
	}
	if e := web.ErrorOf(err); err != nil && e.Kind == web.Invalid {
		h.render.Error(w, http.StatusBadRequest, web.Problem{Heading: "This page of the queue does not exist", Body: []string{e.Error()}, Link: &web.Link{Text: "Go to the first page", Href: Prefix}})
		return
	}
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	rows, err := h.describe(ctx, page.Cases)
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	notices, err := h.noticeOptions(ctx)
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	workload, err := h.workload(ctx)
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	d := queueData{
		Rights: rightOptions(), Notices: notices, States: stateOptions(), Reference: qq.reference,
		Me: me, Workload: workload, Outcome: outcome, Showing: h.showing(ctx, qq),
		CSV:     "/staff/export.csv?" + qq.values().Encode(),
		Filters: filters, Keep: map[string]string{}, Custom: qq.custom != "",
		Clear: qq.link(func(v url.Values) {
			for _, k := range []string{"state", "right", "notice", "reference", "assignee", "filter"} {
				v.Del(k)
			}
		}),
		Table: caseTable{Rows: rows, Form: f,
			Due:      qq.sortLink("due", "sort soonest due first", "sort latest due first"),
			Received: qq.sortLink("received", "sort oldest received first", "sort newest received first"),
		},
	}
	// The filter form starts again from the view; the written filter's
	// form keeps only the order, since the filter is the whole list.
	d.KeepOrder = map[string]string{}
	for _, k := range []string{"view", "assignee", "sort", "order"} {
		if v := qq.values().Get(k); v != "" {
			d.Keep[k] = v
			if k == "sort" || k == "order" {
				d.KeepOrder[k] = v
			}
		}
	}
	if filters.HasErrors() {
		d.CSV = ""
	}
	if qq.reference != "" { // one case: nothing to sort or page
		d.Table.Due, d.Table.Received = nil, nil
	}
	for _, v := range queueViews {
		d.Views = append(d.Views, viewTab{Label: v.label, Current: v.value == qq.view.value && qq.reference == "" && qq.custom == "", Href: qq.link(func(p url.Values) {
			p.Set("view", v.value)
			p.Del("assignee")
			p.Del("reference")
			p.Del("filter")
		})})
	}
	if qq.reference == "" {
		for _, o := range queueSorts {
			d.Orders = append(d.Orders, viewTab{Label: o.label, Current: o.sort == qq.sort && o.desc == qq.desc, Href: qq.link(func(v url.Values) {
				v.Set("sort", o.sort)
				v.Set("order", order(o.desc))
			})})
		}
	}
	if page.Next != nil {
		d.Next = qq.link(func(v url.Values) { v.Set("page", pagetoken.Encode(page.Next, qq.boundTo(me))) })
	}
	if page.Prev != nil {
		d.Prev = qq.link(func(v url.Values) { v.Set("before", pagetoken.Encode(page.Prev, qq.boundTo(me))) })
	}
	if h.allowed(me, bulkAssignRPCs) && slices.ContainsFunc(page.Cases, (*cases.Case).Open) {
		d.Table.Select = true
		if d.Assignees, err = h.assignees(r, me); err != nil {
			h.render.Fail(w, err)
			return
		}
		// The form comes back here, to this very page.
		d.Return = r.URL.RequestURI()
		if r.Method != http.MethodGet {
			d.Return = f.Get("return")
		}
	}
	h.render.Render(w, status, "staff/queue", web.View{Title: "Queue", CSRF: me.csrf, Form: f, Data: d})
}

// customFilterProblem is what the queue tells the caseworker when the use
// case refuses the filter they wrote: the parser's own words, which name
// the column where the filter stops making sense.
func customFilterProblem(qq queueQuery, err error) (string, bool) {
	e := web.ErrorOf(err)
	if err == nil || qq.custom == "" || qq.reference != "" || e.Kind != web.Invalid {
		return "", false
	}
	i := slices.IndexFunc(e.Fields, func(v fault.FieldViolation) bool { return v.Field == "filter" })
	if i < 0 {
		return "", false
	}
	// The field's hint describes the language; the parser's long list of
	// it is for API callers, who have no hint.
	d := strings.TrimSuffix(e.Fields[i].Description, " ("+usecase.FilterFields+")")
	if strings.HasPrefix(d, "column ") {
		return "The filter does not make sense at " + d, true
	}
	return "The filter " + d, true
}

// showing says in words which cases the page lists and in what order.
func (h *handler) showing(ctx context.Context, qq queueQuery) string {
	if qq.reference != "" {
		return "The case with reference " + cases.NormaliseReference(qq.reference) + ", open or closed"
	}
	s := qq.view.label
	switch {
	case qq.custom != "":
		s = "Cases matching your filter"
	case qq.view.value == "all":
		s = "All open cases"
	}
	if qq.assignee != "" {
		if names, err := h.names(ctx); err == nil {
			s += " assigned to " + names.of(qq.assignee)
		}
	}
	switch {
	case qq.sort == "received" && qq.desc:
		return s + ", newest received first"
	case qq.sort == "received":
		return s + ", oldest received first"
	case qq.desc:
		return s + ", latest due first"
	}
	return s + ", soonest due first"
}

func rightOptions() []web.Option {
	out := make([]web.Option, 0, len(notice.Rights))
	for _, r := range notice.Rights {
		out = append(out, web.Option{Value: string(r), Label: report.RightLabel(r)})
	}
	return out
}

// stateOptions are the states an open case can be in.
func stateOptions() []web.Option {
	var out []web.Option
	for _, s := range cases.States {
		if s != cases.StateClosed {
			out = append(out, web.Option{Value: string(s), Label: report.StateLabel(s)})
		}
	}
	return out
}

func (h *handler) noticeOptions(ctx context.Context) ([]web.Option, error) {
	all, err := h.cfg.Notices.All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]web.Option, len(all))
	for i := range all {
		out[i] = web.Option{Value: all[i].ID, Label: all[i].Current().Title}
	}
	return out, nil
}

// exportCSV downloads the cases the queue's filter selects, every page of
// them, without the requesters' personal details.
//
// The response becomes a file only at its first byte: a filter written by
// hand that casework refuses before any row gets an error page, not an
// empty download.
func (h *handler) exportCSV(w http.ResponseWriter, r *http.Request, me *staffer) {
	qq := readQueue(r.URL.Query())
	out := &csvDownload{w: w, name: "rightsdesk-cases-" + h.cfg.Work.Today().String() + ".csv"}
	err := export.CasesCSV(r.Context(), out, h.cfg.Work, qq.filter(me), qq.orderBy(), false)
	switch {
	case err != nil && out.to == nil:
		h.render.Fail(w, err)
	case err != nil:
		h.cfg.Log.ErrorContext(r.Context(), "CSV export failed part way", "error", err)
	case out.to == nil: // no cases: an empty file, still a download
		out.start()
	}
}

// csvDownload is a CSV file's response, its headers set at its first write.
type csvDownload struct {
	w    http.ResponseWriter
	name string
	to   io.Writer // nil until the first write
}

func (d *csvDownload) start() {
	d.w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	d.w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", d.name))
	d.to = web.Download(d.w)
}

func (d *csvDownload) Write(p []byte) (int, error) {
	if d.to == nil {
		d.start()
	}
	return d.to.Write(p)
}

// allowed reports whether the staffer's role may call every one of rpcs.
func (h *handler) allowed(me *staffer, rpcs []string) bool {
	role, err := strictest(rpcs)
	return err == nil && me.can(role)
}
