package staff

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/export"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/report"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

type caseData struct {
	row
	// Notices are the versions of the case's notices it is pinned to.
	Notices  []*notice.Version
	Rights   []rightView
	Notes    []noteView
	Timeline []eventView
	Searches []cases.Search
	Outcome  string
	// Conflict is set when the save was refused because someone else
	// changed the case first.
	Conflict bool
	// LateExtension warns that the first period is over.
	LateExtension string

	CanAct     bool
	CanReopen  bool
	Assignees  []web.Option
	Outcomes   []web.Option
	Refusals   []web.Option
	Months     []web.Option
	Requests   []web.Option
	TaskStates []web.Option
	Today      string
}

type rightView struct {
	Label     string
	Tag       web.Tag
	Condition string
	Reason    string
}

type noteView struct {
	cases.Note
	AuthorName string
}

type eventView struct {
	audit.Event
	ActorName string
	Changes   []string
}

func (h *handler) showCase(w http.ResponseWriter, r *http.Request, me *staffer) {
	h.renderCase(w, r, me, http.StatusOK, web.NewForm(nil), false)
}

func (h *handler) renderCase(w http.ResponseWriter, r *http.Request, me *staffer, status int, f *web.Form, conflict bool) {
	c, err := h.cfg.Work.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	rows, err := h.describe(r.Context(), []*cases.Case{c})
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	events, err := h.cfg.Work.Events(r.Context(), c.ID)
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	names, err := h.names(r.Context())
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	users, err := h.cfg.Users.List(r.Context())
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	today := h.cfg.Work.Today().String()
	d := caseData{
		row: rows[0], Searches: c.Searches, Conflict: conflict,
		CanAct: me.can(h.actRole), CanReopen: me.can(h.reopenRole), Today: today,
		Assignees:  []web.Option{{Value: "me", Label: "Me (" + me.name + ")"}, {Value: "", Label: "Nobody (unassign)"}},
		Months:     []web.Option{{Value: "1", Label: "1 month"}, {Value: "2", Label: "2 months"}},
		TaskStates: []web.Option{{Value: string(cases.TaskDone), Label: "Done"}, {Value: string(cases.TaskImpossible), Label: "Impossible", Hint: "Say why below."}},
		Requests: []web.Option{
			{Value: string(cases.WaitingForIdentity), Label: "Proof of identity"},
			{Value: string(cases.WaitingForClarification), Label: "Clarification of the request", Hint: "Pauses the clock for an access request."},
			{Value: string(cases.WaitingForFee), Label: "A fee", Hint: "Only for a manifestly unfounded or excessive request, or further copies."},
		},
	}
	for i := range users {
		u := &users[i]
		if !u.Disabled && u.Role.Includes(auth.RoleCaseworker) && u.Actor() != me.actor {
			d.Assignees = append(d.Assignees, web.Option{Value: u.Actor(), Label: u.Name})
		}
	}
	for _, k := range cases.OutcomeKinds {
		d.Outcomes = append(d.Outcomes, web.Option{Value: string(k), Label: outcomeLabel(k)})
	}
	for _, reason := range cases.RefusalReasons {
		d.Refusals = append(d.Refusals, web.Option{Value: string(reason), Label: web.Words(string(reason))})
	}
	for _, ref := range c.Notices {
		if _, v, err := h.cfg.Notices.Notice(r.Context(), ref.ID, ref.Version); err == nil {
			d.Notices = append(d.Notices, v)
		} else { // removed from the catalogue since
			d.Notices = append(d.Notices, &notice.Version{Title: ref.ID, Number: ref.Version})
		}
	}
	if o := c.Outcome; o != nil {
		d.Outcome = outcomeLabel(o.Kind)
		if o.RefusalReason != "" {
			d.Outcome += ": " + web.Words(string(o.RefusalReason))
		}
		d.Outcome += ", " + web.LongDate(o.ClosedOn)
		if o.OnTime {
			d.Outcome += ", on time"
		} else {
			d.Outcome += ", late"
		}
	}
	for _, rr := range c.Rights {
		d.Rights = append(d.Rights, rightView{Label: report.RightLabel(rr.Right), Tag: availabilityTag(rr.Availability), Condition: rr.Condition, Reason: rr.Reason})
	}
	for _, n := range c.Notes {
		d.Notes = append(d.Notes, noteView{Note: n, AuthorName: names.of(n.Author)})
	}
	for i := len(events) - 1; i >= 0; i-- {
		d.Timeline = append(d.Timeline, eventView{Event: events[i], ActorName: names.of(events[i].Actor), Changes: changes(&events[i], names)})
	}
	if c.Open() && c.Extension == nil && c.Clock.ExtensionNoticeBy != "" && today > c.Clock.ExtensionNoticeBy {
		d.LateExtension = fmt.Sprintf("The first period ended on %s. An extension had to be made, and the requester told why, by then.", web.LongDate(c.Clock.ExtensionNoticeBy))
	}
	// After a conflict the page shows the case as it now is, so its forms
	// carry the new etag; the refused input stays for the caseworker to
	// send again if it still makes sense.
	if f.Get("etag") == "" || conflict {
		f.Values.Set("etag", c.Etag())
	}
	h.render.Render(w, status, "staff/case", web.View{Title: "Case " + c.Reference, Back: Prefix, Form: f, CSRF: me.csrf, Data: d})
}

// act runs one action's command with the etag the page was drawn with.
func (h *handler) act(a action) func(http.ResponseWriter, *http.Request, *staffer) {
	return func(w http.ResponseWriter, r *http.Request, me *staffer) {
		f := web.NewForm(url.Values{})
		for k, v := range r.PostForm {
			if k != "csrf_token" {
				f.Values[k] = v
			}
		}
		etag := f.Get("etag")
		cmd := a.command(f, me, h.cfg.Work.Today().String())
		if etag == "" {
			f.Fail("etag", a.first, "Reload the case and try again: the page was sent without its version")
		}
		if f.HasErrors() {
			h.renderCase(w, r, me, http.StatusUnprocessableEntity, f, false)
			return
		}
		id := r.PathValue("id")
		_, err := h.cfg.Work.Apply(r.Context(), me.actor, id, etag, cmd)
		if err == nil {
			http.Redirect(w, r, "/staff/cases/"+url.PathEscape(id), http.StatusSeeOther)
			return
		}
		e := web.ErrorOf(err)
		if !e.OnForm() {
			h.render.Fail(w, e)
			return
		}
		if e.Kind != web.Conflict { // the conflict banner says it
			f.Take(e, func(field string) string { return a.fields[field] }, a.first)
		}
		h.renderCase(w, r, me, e.Status, f, e.Kind == web.Conflict)
	}
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
	if err := export.WriteBundle(w, ev); err != nil {
		h.cfg.Log.Error("evidence bundle failed part way", "case", ev.Case.ID, "error", err)
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
	}
	return web.Words(string(k))
}

// changes lists an event's non-personal changes as "field: before → after".
func nameOrEmpty(names directory, actor string) string {
	if actor == "" {
		return ""
	}
	return names.of(actor)
}

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
