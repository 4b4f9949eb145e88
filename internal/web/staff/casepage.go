package staff

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/export"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/report"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// The case page says what to do next: the actions the case's state allows
// now and the staffer's role permits, the likely next one first, each a
// link to a page of its own; then the request in the requester's words and
// every exchange with them, the notes (with a form to add one), and the
// record: details, notices and rights, clock, tasks, searches, links and
// the audit timeline.

type caseData struct {
	row
	// Done says what the last action did, once, after its redirect.
	Done string
	// Next is the likely next action, when the staffer may do it; More are
	// the other actions allowed now, in the domain's order.
	Next *actionLink
	More []actionLink
	// CanNote shows the note form; CanEdit and CanTriage the links that
	// change the details, rights, region and notices.
	CanNote, CanEdit, CanTriage bool
	// ReadOnly says the staffer's role allows no action on cases at all.
	ReadOnly bool
	// NewReply flags a reply (or withdrawal) from the requester no one has
	// acknowledged yet; CanAcknowledge offers the button that does.
	NewReply, CanAcknowledge bool

	// Details are the request's details, with links to change them.
	Details []detailRow
	Notices []noticeView
	// Evaluations are the rights asked for and what the notices say of each.
	Evaluations []rightView
	Exchanges   []exchangeView
	// Correspondence is every message in and out, oldest first;
	// Undelivered the letters the relay refused, warned of at the top.
	Correspondence, Undelivered []messageView
	// Notes are the latest notes, newest first; EarlierNotes the rest.
	Notes, EarlierNotes []noteView
	Tasks               []taskView
	Searches            []cases.Search
	Links               []linkView
	Timeline            []eventView
	// Delivery is how the released pack reached the requester online.
	Delivery *deliveryView
	// Review is where the response pack stands in its four-eyes review.
	Review *reviewView
	// Documents are the case's documents and the decisions on them
	// (disclosure.go).
	Documents *documentsView
	// Pack is the response pack as the requester will get it (pack.go).
	Pack *packView
	// SearchRequests are the requests to data owners (searchrequests.go).
	SearchRequests *searchRequestsView
}

// detailRow is a row of the case's details: Href, when set, changes it,
// and Hidden says what, for screen readers, since every link reads "Change".
type detailRow struct{ Key, Value, Href, Hidden string }

type actionLink struct{ Slug, Title string }

type noticeView struct {
	Title                    string
	Version                  int
	EffectiveFrom            string
	Context, Audience        string
	OtherController, Missing bool
}

type rightView struct {
	Label     string
	Tag       web.Tag
	Condition string
	Reason    string
	PerNotice []evaluationView
}

type evaluationView struct {
	Notice    string
	Tag       web.Tag
	Condition string
	Reason    string
}

type exchangeView struct {
	Text, Detail string
	Files        []fileView
}

type noteView struct {
	cases.Note
	AuthorName string
	// Written is when it was written, in UK time.
	Written string
}

type taskView struct {
	cases.Task
	Text string
}

type linkView struct {
	ID, Reference, State string
	// MergedInto marks the case this one was merged into.
	MergedInto bool
}

type eventView struct {
	audit.Event
	ActorName string
	// On is the date the action took effect as staff stated it, which
	// Recorded, when the event was written (in UK time), may follow.
	On, Recorded string
	Changes      []string
}

// recentNotes is how many notes the top of the case page shows open.
const recentNotes = 3

func (h *handler) showCase(w http.ResponseWriter, r *http.Request, me *staffer) {
	ctx := r.Context()
	c, err := h.cfg.Work.Get(ctx, r.PathValue("id"))
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	rows, err := h.describe(ctx, []*cases.Case{c})
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	events, err := h.cfg.Work.Events(ctx, c.ID)
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	names, err := h.names(ctx)
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	d := caseData{row: rows[0], Searches: c.Searches}
	if msg, ok := doneMessages[r.URL.Query().Get("done")]; ok {
		d.Done = msg(c, names)
	}
	h.offer(&d, c, me)
	if d.Notices, err = h.noticeViews(r, c); err != nil {
		h.render.Fail(w, err)
		return
	}
	d.Details = details(c, d.Assignee, d.CanEdit)
	d.Evaluations = rightViews(c, d.Notices)
	documentRole, _ := strictest(documentRPCs) // checked when the route was made
	d.NewReply, d.CanAcknowledge = c.NewReply, c.NewReply && me.can(h.roles["reply-seen"])
	for _, e := range c.Exchanges {
		d.Exchanges = append(d.Exchanges, exchangeView{Text: exchangeText(e, names), Detail: e.Detail, Files: fileViews(c.ID, e.Files, me.can(documentRole))})
	}
	d.Correspondence, d.Undelivered = correspondence(c, h.mayMarkPosted(me))
	d.Delivery = deliveryViewOf(c, c.PackOffer(h.cfg.Clock.Now()))
	d.Review = reviewViewOf(c, me, names)
	d.Documents = h.documentsFor(c, me, names)
	packRole, _ := strictest(packRPCs) // checked when the route was made
	d.Pack = packViewOf(c, me.can(packRole))
	d.SearchRequests = h.searchRequestsViewOf(c, me)
	for i := len(c.Notes) - 1; i >= 0; i-- {
		n := noteView{Note: c.Notes[i], AuthorName: names.of(c.Notes[i].Author), Written: ukTime(c.Notes[i].Created)}
		if len(d.Notes) < recentNotes {
			d.Notes = append(d.Notes, n)
		} else {
			d.EarlierNotes = append(d.EarlierNotes, n)
		}
	}
	for _, t := range c.Tasks {
		d.Tasks = append(d.Tasks, taskView{Task: t, Text: taskText(t)})
	}
	for _, id := range c.Links {
		l := linkView{ID: id, Reference: id, MergedInto: c.Outcome != nil && c.Outcome.DuplicateOf == id}
		if other, err := h.cfg.Work.Get(ctx, id); err == nil {
			l.Reference, l.State = other.Reference, stateText(other)
		} else if web.ErrorOf(err).Kind != web.Missing {
			h.render.Fail(w, err)
			return
		}
		d.Links = append(d.Links, l)
	}
	for i := len(events) - 1; i >= 0; i-- {
		d.Timeline = append(d.Timeline, viewEvent(&events[i], names))
	}
	// The note form's date starts at today.
	v := url.Values{}
	setDate(v, "on", h.cfg.Work.Today())
	h.render.Render(w, http.StatusOK, "staff/case", web.View{Title: "Case " + c.Reference, Back: Prefix, Form: web.NewForm(v), CSRF: me.csrf, Data: d})
}

// offer lists the actions the case allows now that the staffer's role
// permits, the likely next one apart.
func (h *handler) offer(d *caseData, c *cases.Case, me *staffer) {
	next := h.cfg.Work.NextActions([]*cases.Case{c})[0]
	mayAny := false
	for _, a := range actions {
		mayAny = mayAny || me.can(h.roles[a.slug])
	}
	d.ReadOnly = !mayAny
	for _, act := range h.cfg.Work.Actions(c) {
		a, ok := byAct[act]
		if !ok || !me.can(h.roles[a.slug]) {
			continue
		}
		switch {
		case act == cases.ActNote:
			d.CanNote = true // its form is on the page
			continue
		case act == cases.ActEdit:
			d.CanEdit = true
		case act == cases.ActTriage:
			d.CanTriage = true
		case (act == cases.ActApproveReview || act == cases.ActReturnReview) && !c.MayReview(me.actor):
			continue // the submitter: someone else reviews it
		}
		link := actionLink{Slug: a.slug, Title: a.title}
		if act == next {
			d.Next = &link
		} else {
			d.More = append(d.More, link)
		}
	}
}

// details are the rows of the case's details; canEdit adds the links that
// change them.
func details(c *cases.Case, assignee string, canEdit bool) []detailRow {
	change := func(slug string) string {
		if !canEdit {
			return ""
		}
		return caseURL(c.ID) + "/" + slug
	}
	p := c.Requester.Person
	out := []detailRow{
		{"Requester", p.Name, change("details"), "the requester"},
		{"Contact", lines(p.Email, p.Phone, p.PostalAddress), change("details"), "the requester’s contact details"},
	}
	if s := c.Requester.DataSubject; s != nil {
		out = append(out,
			detailRow{"Acting for", lines(s.Name, s.Email, s.PostalAddress), change("details"), "who the request is for"},
			detailRow{"Authority to act", c.Requester.Authority, change("details"), "the authority to act"})
	}
	out = append(out,
		detailRow{"Received", web.LongDate(c.ReceivedOn) + " by " + strings.ToLower(channelLabel(c.Channel)), change("details"), "when and how it was received"},
		detailRow{"Rights asked for", rightsText(c), change("rights"), "the rights asked for"},
		detailRow{"Calendar", lines(regionLabel(c.Region)+" bank holidays", c.RegionReason), change("region"), "the calendar"},
		detailRow{Key: "Assigned to", Value: assignee},
		detailRow{Key: "Identity", Value: identityText(c)},
		detailRow{Key: "Fee", Value: web.Words(string(c.FeeStatus))},
	)
	if o := outcomeText(c); o != "" {
		out = append(out, detailRow{Key: "Outcome", Value: o})
	}
	return out
}

// identityText says where the requester's identity stands, and for proof
// that arrived but is not yet checked, when it came.
func identityText(c *cases.Case) string {
	if c.IdentityStatus == cases.IdentityReceived {
		return identityReceivedText + " (arrived " + web.LongDate(c.IdentityReceivedOn) + ")"
	}
	return web.Words(string(c.IdentityStatus))
}

// lines joins the parts that are there, one to a line.
func lines(parts ...string) string {
	return strings.Join(slices.DeleteFunc(parts, func(s string) bool { return s == "" }), "\n")
}

func (h *handler) noticeViews(r *http.Request, c *cases.Case) ([]noticeView, error) {
	out := make([]noticeView, 0, len(c.Notices))
	for _, ref := range c.Notices {
		_, v, err := h.cfg.Notices.Notice(r.Context(), ref.ID, ref.Version)
		if web.ErrorOf(err).Kind == web.Missing { // removed from the catalogue since
			out = append(out, noticeView{Title: ref.ID, Version: ref.Version, Context: ref.Context, Audience: ref.Audience, Missing: true})
			continue
		}
		if err != nil {
			return nil, err
		}
		n := noticeView{Title: v.Title, Version: v.Number, EffectiveFrom: v.EffectiveFrom, Context: ref.Context, Audience: ref.Audience}
		if ctx, ok := v.Context(ref.Context); ok {
			n.Context = ctx.Name
		}
		for _, a := range v.Audiences {
			if a.ID == ref.Audience {
				n.Audience = a.Label
				n.OtherController = a.Role == notice.RoleProcessor
			}
		}
		out = append(out, n)
	}
	return out, nil
}

// rightViews are the rights asked for with what the notices say of each:
// the most favourable answer, then each notice's.
func rightViews(c *cases.Case, notices []noticeView) []rightView {
	out := make([]rightView, 0, len(c.Rights))
	for _, rr := range c.Rights {
		v := rightView{Label: report.RightLabel(rr.Right), Tag: availabilityTag(rr.Availability), Condition: rr.Condition, Reason: rr.Reason}
		if len(c.Notices) == 0 {
			v.Tag = web.Tag{Text: "Not assessed yet", Colour: "grey"}
		}
		for _, e := range rr.PerNotice {
			title := e.NoticeID
			if i := slices.IndexFunc(c.Notices, func(n cases.CaseNotice) bool { return n.ID == e.NoticeID }); i >= 0 && i < len(notices) {
				title = notices[i].Title
			}
			v.PerNotice = append(v.PerNotice, evaluationView{Notice: title, Tag: availabilityTag(e.Availability), Condition: e.Condition, Reason: e.Reason})
		}
		out = append(out, v)
	}
	return out
}

func viewEvent(e *audit.Event, names directory) eventView {
	return eventView{Event: *e, ActorName: names.of(e.Actor), On: e.After["on"], Recorded: ukTime(e.Time), Changes: changes(e, names)}
}

// waitingWords say what was asked of the requester, and what their answer
// was, for each thing a case waits for.
var waitingWords = map[cases.WaitingFor][2]string{
	cases.WaitingForIdentity:      {"Asked for proof of identity", "Proof of identity received"},
	cases.WaitingForClarification: {"Asked for clarification", "Clarification received"},
	cases.WaitingForFee:           {"Asked for a fee", "Fee paid"},
}

// exchangeText says what one exchange with the requester was, when and,
// for what was asked, by whom.
func exchangeText(e cases.Exchange, names directory) string {
	words := waitingWords[e.What]
	switch {
	case e.Kind == cases.ExchangeWithdrew:
		return fmt.Sprintf("The requester withdrew the request on %s", web.LongDate(e.On))
	case e.Kind == cases.ExchangeReplied && e.What == cases.WaitingForNothing:
		return fmt.Sprintf("Message from the requester on %s", web.LongDate(e.On))
	case e.Kind == cases.ExchangeReplied && e.By == cases.RequesterActor:
		return fmt.Sprintf("%s on %s, sent from the status page", words[1], web.LongDate(e.On))
	case e.Kind == cases.ExchangeReplied:
		return fmt.Sprintf("%s on %s", words[1], web.LongDate(e.On))
	}
	return fmt.Sprintf("%s on %s by %s", words[0], web.LongDate(e.On), names.of(e.By))
}

// doneMessages say what an action did, in the banner after it, keyed by
// the action's audit action or its own name.
var doneMessages = map[string]func(*cases.Case, directory) string{
	"case.assigned": func(c *cases.Case, names directory) string {
		if c.Assignee == "" {
			return "Case unassigned"
		}
		return "Case assigned to " + names.of(c.Assignee)
	},
	"case.message_posted":          say("Letter marked as posted today"),
	"case.document_added":          say("Document added"),
	"case.disclosure_decided":      say("Decision saved"),
	"case.identity_confirmed":      say("Identity confirmed from the request: work on the case has started"),
	"case.requested_identity":      say("Proof of identity asked for: the clock is stopped until it arrives"),
	"case.requested_clarification": say("Clarification asked for: the clock is paused until the requester answers"),
	"case.requested_fee":           say("Fee asked for: the clock is stopped until it is paid"),
	"case.requester_responded":     say("Reply recorded: the clock runs again"),
	"case.search_recorded":         say("Search recorded"),
	"case.not_searched_recorded":   say("Source not searched recorded, with the reason"),
	"case.task_completed":          say("Task completed"),
	"case.extended": func(c *cases.Case, _ directory) string {
		return "Deadline extended to " + web.LongDate(c.Clock.Due) + ": tell the requester why by " + web.LongDate(c.Clock.ExtensionNoticeBy)
	},
	"case.closed":     func(c *cases.Case, _ directory) string { return "Case closed: " + outcomeText(c) },
	"case.reopened":   say("Case reopened"),
	"case.note_added": say("Note added"),
	"case.linked":     say("Cases linked: each now shows the other"),
	"case.merged":     say("Case merged: it is closed as a duplicate, and the other case goes on in its place"),
	"details":         say("Details saved"),
	"rights":          say("Rights saved, and each evaluated again"),
	"notices":         say("Notices saved: each right is evaluated under them, and the Article 19 tasks follow their recipients"),
	"region":          say("Calendar changed, and the due date worked out again"),
	"unchanged":       say("Nothing was changed"),

	"case.reply_acknowledged": say("The requester’s reply is marked as read"),

	"case.legal_hold_set":      say("Case put on legal hold: its personal data is kept until the hold is released"),
	"case.legal_hold_released": say("Legal hold released: the case’s personal data goes once its retention period ends"),

	"case.review_submitted": say("Response pack submitted for review: another member of staff with the caseworker role must approve it"),
	"case.review_approved":  say("Response pack approved: it can be released to the requester"),
	"case.review_returned":  say("Response pack returned to the caseworker with your comments"),
	"case.pack_released":    say("Response pack released to the requester"),

	"case.search_request_sent":      say("Search request sent: the owner gets an email with their link"),
	"case.search_request_cancelled": say("Search request cancelled: its link no longer works"),
}

func say(s string) func(*cases.Case, directory) string {
	return func(*cases.Case, directory) string { return s }
}

// evidence downloads the case's evidence bundle.
func (h *handler) evidence(w http.ResponseWriter, r *http.Request, _ *staffer) {
	ev, err := h.cfg.Work.Evidence(r.Context(), r.PathValue("id"))
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", "evidence-"+ev.Case.Reference+".zip"))
	if err := export.WriteBundle(web.Download(w), ev); err != nil {
		h.cfg.Log.ErrorContext(r.Context(), "evidence bundle failed part way", "case", ev.Case.ID, "error", err)
	}
}

func availabilityTag(a notice.Availability) web.Tag {
	switch a {
	case notice.Declared:
		return web.Tag{Text: "Offered by the notice", Colour: "green"}
	case notice.DeclaredConditionally:
		return web.Tag{Text: "Offered with a condition", Colour: "yellow"}
	case notice.StatutoryNotDeclared:
		return web.Tag{Text: "Given by law, notice silent", Colour: "blue"}
	}
	return web.Tag{Text: "Likely not available", Colour: "grey"}
}

func outcomeLabel(k cases.OutcomeKind) string {
	switch k {
	case cases.OutcomePassedToController:
		return "Passed to the controller"
	case cases.OutcomeSelfService:
		return "Requester pointed to self-service"
	case cases.OutcomeDuplicate:
		return "Duplicate, merged into another case"
	}
	return web.Words(string(k))
}

// outcomeText says how a closed case ended, when and whether in time.
func outcomeText(c *cases.Case) string {
	o := c.Outcome
	if o == nil {
		return ""
	}
	s := outcomeLabel(o.Kind)
	if o.RefusalReason != "" {
		s += ": " + web.Words(string(o.RefusalReason))
	}
	s += ", " + web.LongDate(o.ClosedOn)
	if o.OnTime {
		return s + ", on time"
	}
	return s + ", late"
}

func regionLabel(region string) string {
	for _, o := range regionOptions {
		if o.Value == region {
			return o.Label
		}
	}
	return region
}

func nameOrEmpty(names directory, actor string) string {
	if actor == "" {
		return ""
	}
	return names.of(actor)
}

// changes lists an event's non-personal changes as "field: before → after",
// leaving out the date it took effect, which the timeline shows apart.
func changes(e *audit.Event, names directory) []string {
	keys := make([]string, 0, len(e.After)+len(e.Before))
	for k := range e.After {
		keys = append(keys, k)
	}
	for k := range e.Before {
		if _, ok := e.After[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if k == "on" {
			continue
		}
		before, after := e.Before[k], e.After[k]
		if k == "assignee" { // an actor id: show the person
			before, after = nameOrEmpty(names, before), nameOrEmpty(names, after)
		}
		switch {
		case before == "":
			out = append(out, fmt.Sprintf("%s: %s", web.Words(k), after))
		case after == "":
			out = append(out, fmt.Sprintf("%s: was %s", web.Words(k), before))
		default:
			out = append(out, fmt.Sprintf("%s: %s → %s", web.Words(k), before, after))
		}
	}
	return out
}

// Left says how much time the case has, in working and calendar days.
func (r row) Left() string {
	st := r.Standing
	if st == nil {
		return ""
	}
	if st.Overdue {
		return fmt.Sprintf("%d working days overdue (%d calendar days)", -st.WorkingDaysLeft, -st.CalendarDaysLeft)
	}
	return fmt.Sprintf("%d working days left (%d calendar days)", st.WorkingDaysLeft, st.CalendarDaysLeft)
}
