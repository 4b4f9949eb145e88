package staff

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/letters"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// actionData is what an action's page shows.
type actionData struct {
	Case               *cases.Case
	Slug, Title, Intro string
	Warning, Button    string
	Facts              []fact
	Questions          []field
	// On is the legend of the date the action took effect, and OnHint
	// what dates the domain accepts; On is "" when there is no date.
	On, OnHint string
	// Conflict is set when the save was refused because someone changed
	// the case after the page was drawn; Changes are what they did.
	Conflict bool
	Changes  []eventView
	// Letter is the letter the action sends the requester, for the
	// actions that send one (see drafts.go).
	Letter *letterDraft
	// RecipientLetters are the letters to the recipients a close tells,
	// once Preview is pressed (see recipients.go).
	RecipientLetters []recipientDraft
}

func caseURL(id string) string { return "/staff/cases/" + url.PathEscape(id) }

// showAction draws an action's page: the date defaults to today, and the
// edit pages start from the case as it is.
func (h *handler) showAction(a action) func(http.ResponseWriter, *http.Request, *staffer) {
	return func(w http.ResponseWriter, r *http.Request, me *staffer) {
		c, err := h.cfg.Work.Get(r.Context(), r.PathValue("id"))
		if err != nil {
			h.render.Fail(w, err)
			return
		}
		if !slices.Contains(h.cfg.Work.Actions(c), a.act) {
			h.render.Error(w, http.StatusConflict, web.Problem{
				Heading: "This cannot be done to case " + c.Reference + " now",
				Body:    []string{"“" + a.title + "” is not one of the things its state allows. The case page offers those that are."},
				Link:    &web.Link{Text: "Go to case " + c.Reference, Href: caseURL(c.ID)},
			})
			return
		}
		v := url.Values{"etag": {c.Etag()}}
		if a.on != "" {
			setDate(v, "on", h.cfg.Work.Today())
		}
		if a.fill != nil {
			a.fill(c, v)
		}
		h.renderAction(w, r, me, a, http.StatusOK, web.NewForm(v), "", nil)
	}
}

// doAction runs an action with the etag its page was drawn with and
// sends the browser back to the case page, which says what was done; a
// refusal shows the page again with the problem on its field.
func (h *handler) doAction(a action) func(http.ResponseWriter, *http.Request, *staffer) {
	return func(w http.ResponseWriter, r *http.Request, me *staffer) {
		f := formOf(r)
		c, err := h.cfg.Work.Get(r.Context(), r.PathValue("id"))
		if err != nil {
			h.render.Fail(w, err)
			return
		}
		var on string
		if a.on != "" {
			on = dateOf(f, "on")
		}
		etag, done := f.Get("etag"), a.done
		if a.run != nil {
			switch {
			case a.draft != nil && f.Get(previewField) != "":
				var cmd cases.Command
				if !f.HasErrors() {
					cmd, err = a.draft(h, r, c, f, on)
				}
				if err == nil {
					h.previewLetter(w, r, me, a, c, f, cmd)
					return
				}
			case !f.HasErrors():
				done, err = a.run(h, r, me, c, etag, f, on)
			}
		} else {
			cmd := a.command(f, me, c, on)
			if a.letter != nil && f.Get(previewField) != "" {
				h.previewLetter(w, r, me, a, c, f, cmd)
				return
			}
			// A command that cannot undo anyone's change (a note) is never
			// refused for a stale page, so it needs no version.
			if cmd != nil && cases.Conditional(cmd) && etag == "" {
				f.Fail("etag", a.first, "Reload the case and try again: the page was sent without its version")
			}
			switch {
			case f.HasErrors():
			case cmd == nil:
				done = "unchanged"
			default:
				_, err = h.cfg.Work.ApplyWithLetter(r.Context(), me.actor, c.ID, etag, cmd, a.letterText(f))
				if done == "" {
					done = cmd.Action()
				}
			}
		}
		if f.HasErrors() {
			h.renderAction(w, r, me, a, http.StatusUnprocessableEntity, f, "", nil)
			return
		}
		if err == nil {
			http.Redirect(w, r, caseURL(c.ID)+"?"+url.Values{"done": {done}}.Encode(), http.StatusSeeOther)
			return
		}
		e := web.ErrorOf(err)
		if !e.OnForm() {
			h.render.Fail(w, e)
			return
		}
		if e.Kind == web.Conflict { // the banner says it
			h.renderAction(w, r, me, a, e.Status, f, etag, nil)
			return
		}
		take(f, e, actionFields(a, f), a.first)
		h.renderAction(w, r, me, a, e.Status, f, "", nil)
	}
}

// renderAction draws an action's page for the case as it now is. stale is
// the etag a refused save was sent with: the page then shows what changed
// since, and its form carries the new etag, the input kept to send again
// if it still makes sense. preview is the letter Preview wrote, if any.
func (h *handler) renderAction(w http.ResponseWriter, r *http.Request, me *staffer, a action, status int, f *web.Form, stale string, preview *drafted) {
	c, err := h.cfg.Work.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	names, err := h.names(r.Context())
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	qs, err := a.questions(h, r, me, c)
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	d := actionData{Case: c, Slug: a.slug, Title: a.title, Intro: a.intro, Button: a.button, Questions: qs, On: a.on}
	if a.about != nil {
		d.Facts = a.about(c, names)
	}
	var letter *letters.Letter
	if preview != nil {
		letter, d.RecipientLetters = preview.Letter, preview.Recipients
	}
	if d.Letter = h.letterSection(a, c, f, letter); d.Letter != nil && d.Letter.Sends {
		d.Button = a.letter.button
	}
	if a.warning != nil {
		d.Warning = a.warning(c, h.cfg.Work.Today().String())
	}
	if a.on != "" {
		d.OnHint = fmt.Sprintf("Today, unless it was earlier: not before the request was received on %s. For example, 27 3 2026.", web.LongDate(c.ReceivedOn))
	}
	if stale != "" {
		events, err := h.cfg.Work.Events(r.Context(), c.ID)
		if err != nil {
			h.render.Fail(w, err)
			return
		}
		d.Conflict, d.Changes = true, changesSince(events, stale, names)
		f.Values.Set("etag", c.Etag())
	}
	h.render.Render(w, status, "staff/action", web.View{Title: a.title + " – case " + c.Reference, Back: caseURL(c.ID), Form: f, CSRF: me.csrf, Data: d})
}

// changesSince are the events that made the case what it is since the
// version etag names, newest first: each command adds one version and one
// event, the first event making version 1.
func changesSince(events []audit.Event, etag string, names directory) []eventView {
	v, err := strconv.Atoi(etag)
	if err != nil || v < 0 || v > len(events) {
		v = 0
	}
	out := make([]eventView, 0, len(events)-v)
	for i := len(events) - 1; i >= v; i-- {
		out = append(out, viewEvent(&events[i], names))
	}
	return out
}

// formOf is what the browser sent, trimmed, without the anti-forgery
// token, as a form to show back.
func formOf(r *http.Request) *web.Form {
	f := web.NewForm(url.Values{})
	for k, vs := range r.PostForm {
		if k == "csrf_token" {
			continue
		}
		for _, v := range vs {
			f.Values.Add(k, strings.TrimSpace(v))
		}
	}
	return f
}

// dateOf reads a date input's parts (name-day, name-month, name-year) as
// an ISO date: "" when all three are empty, so the domain's default, today,
// applies. Parts that make no date are an error on the field; whether a real
// date is allowed (not in the future, not before receipt) is the domain's
// rule.
func dateOf(f *web.Form, name string) string {
	day, month, year := f.Get(name+"-day"), f.Get(name+"-month"), f.Get(name+"-year")
	if day == "" && month == "" && year == "" {
		return ""
	}
	d, errD := strconv.Atoi(day)
	m, errM := strconv.Atoi(month)
	y, errY := strconv.Atoi(year)
	if errD == nil && errM == nil && errY == nil && y >= 1000 && y <= 9999 && m >= 0 && d >= 0 {
		if date, err := deadline.ParseDate(fmt.Sprintf("%04d-%02d-%02d", y, m, d)); err == nil {
			return date.String()
		}
	}
	f.Fail(name, name+"-day", "Enter a real date, for example 27 3 2026")
	return ""
}

// setDate fills a date input with a date.
func setDate(v url.Values, name string, d deadline.Date) {
	v.Set(name+"-day", strconv.Itoa(d.Day))
	v.Set(name+"-month", strconv.Itoa(int(d.Month)))
	v.Set(name+"-year", strconv.Itoa(d.Year))
}

// setISODate fills a date input with an ISO date, leaving it empty when
// the date is not one.
func setISODate(v url.Values, name, iso string) {
	if d, err := deadline.ParseDate(iso); err == nil {
		setDate(v, name, d)
	}
}

// dateInputs are the fields drawn as a date input, whose errors link to
// the day.
var dateInputs = map[string]bool{"on": true, "received": true}

var isoDate = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}\b`)

// take puts a use case's error on the form, as web.Form.Take does, with the
// errors of a date input linked to its day and the domain's ISO dates
// written as people write them.
func take(f *web.Form, e *web.Error, fieldFor func(string) string, first string) {
	n := len(f.Errors)
	f.Take(e, fieldFor, first)
	for i := n; i < len(f.Errors); i++ {
		fe := &f.Errors[i]
		if dateInputs[fe.Field] && fe.ID == fe.Field {
			fe.ID = fe.Field + "-day"
		}
		fe.Message = isoDate.ReplaceAllStringFunc(fe.Message, web.LongDate)
	}
}
