package public

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// honeypot is a field people never see (the stylesheet hides it, and with
// it the label asking to leave it empty); a bot that fills in every field
// fills it in too.
const honeypot = "website"

type checkData struct {
	Action      string
	Sections    []section
	Declaration []web.Option
	Honeypot    string
}

var declaration = []web.Option{{Value: "yes",
	Label: "I confirm that the information I have given is correct, and that the request is about my own data or I have the authority to make it"}}

type section struct {
	Heading string
	Rows    []row
}

// row is one answer; Href changes it, and Hidden says what to screen
// reader users, since every link reads "Change". The first row that
// changes a question carries the ID an error about that answer links to.
type row struct {
	ID     string
	Key    string
	Lines  []string
	Href   string
	Hidden string
}

func (h *handler) showCheck(w http.ResponseWriter, r *http.Request) {
	if j := h.openCheck(w, r); j != nil {
		h.renderCheck(w, http.StatusOK, j, web.NewForm(nil))
	}
}

// openCheck loads a journey whose every question is answered, or sends
// the visitor to the first one that is not. nil means the response is
// written.
func (h *handler) openCheck(w http.ResponseWriter, r *http.Request) *journey {
	j := h.open(w, r, true)
	if j != nil && next(j) != "/request/check" {
		http.Redirect(w, r, next(j), http.StatusSeeOther)
		return nil
	}
	return j
}

func (h *handler) renderCheck(w http.ResponseWriter, status int, j *journey, f *web.Form) {
	h.render.Render(w, status, "public/check", web.View{
		Title: "Check your answers before sending your request", Back: back(j, nil), Form: f, CSRF: j.csrf,
		Data: checkData{Action: "/request/check", Sections: summarise(j), Declaration: declaration, Honeypot: honeypot},
	})
}

// answerID is the check page's anchor for the answers to a question.
func answerID(slug string) string { return "answer-" + slug }

func summarise(j *journey) []section {
	a := &j.a
	anchored := map[string]bool{}
	r := func(slug, key, hidden string, lines ...string) row {
		var kept []string
		for _, l := range lines {
			kept = append(kept, strings.Split(l, "\n")...)
		}
		out := row{Key: key, Lines: kept, Href: "/request/" + slug, Hidden: hidden}
		if !anchored[slug] {
			out.ID, anchored[slug] = answerID(slug), true
		}
		return out
	}
	orNone := func(s string) string {
		if s == "" {
			return "Not given"
		}
		return s
	}
	self := !actingForSomeone(j)
	var rights []string
	for _, right := range a.Rights {
		rights = append(rights, rightLabel(right))
	}
	whom := "Myself"
	if !self {
		whom = "Someone else"
	}
	request := section{Heading: "Your request", Rows: []row{
		r("rights", "What you want", "what you want", rights...),
		r("services", "Services", "the services", servicesText(j)...),
		r("who", "Who it is for", "who the request is for", whom),
	}}
	you := section{Heading: "Your details", Rows: []row{
		r("details", "Full name", "your name", a.Name),
		r("details", "Email address", "your email address", orNone(a.Email)),
		r("details", "Postal address", "your postal address", orNone(a.Address)),
	}}
	sections := []section{request, you}
	if !self {
		authority := authorityLabel(a.AuthorityKind)
		if a.AuthorityDetail != "" {
			authority += "\n" + a.AuthorityDetail
		}
		sections = append(sections, section{Heading: "The person you are acting for", Rows: []row{
			r("their-details", "Full name", "their name", a.SubjectName),
			r("their-details", "Email address", "their email address", orNone(a.SubjectEmail)),
			r("their-details", "Postal address", "their postal address", orNone(a.SubjectAddress)),
			r("authority", "Your authority", "your authority to act for them", authority),
		}})
	}
	find := stepFor("find").heading(j)
	sections = append(sections, section{Heading: find, Rows: []row{
		r("find", "Names or references", "the names or references", orNone(a.Identifiers)),
		r("find", "Dates", "the dates", periodText(a)),
		r("find", "Anything else", "anything else", orNone(a.Description)),
	}})
	return sections
}

// servicesText names each service chosen, with the group given, or says
// the request is about everything held.
func servicesText(j *journey) []string {
	if len(j.a.Services) == 0 {
		if actingForSomeone(j) {
			return []string{"Not sure, or everything you hold about them"}
		}
		return []string{"Not sure, or everything you hold about me"}
	}
	var lines []string
	for _, s := range j.a.Services {
		v := j.versions[s.NoticeID]
		line := v.Title
		for _, a := range v.Audiences {
			if a.ID == s.Audience {
				line += " (" + a.Label + ")"
			}
		}
		lines = append(lines, line)
	}
	return lines
}

func periodText(a *answers) string {
	switch {
	case a.From != "" && a.To != "":
		return fmt.Sprintf("From %s to %s", web.LongDate(a.From), web.LongDate(a.To))
	case a.From != "":
		return "From " + web.LongDate(a.From)
	case a.To != "":
		return "Up to " + web.LongDate(a.To)
	}
	return "All dates"
}

// submit opens the case. A client over its submission limit gets the 429
// page before anything else is looked at; a filled-in honeypot gets a
// page that says nothing of why.
func (h *handler) submit(w http.ResponseWriter, r *http.Request) {
	if ok, wait := h.cfg.Submissions.Allow(r); !ok {
		h.site.TooManyRequests(w, wait)
		return
	}
	j := h.openCheck(w, r)
	if j == nil {
		return
	}
	if r.PostForm.Get(honeypot) != "" {
		h.cfg.Log.InfoContext(r.Context(), "web form honeypot filled; no case opened")
		h.render.Error(w, http.StatusBadRequest, web.Problem{
			Heading: "Sorry, we could not send your request",
			Body:    []string{"Try again later, or contact the organisation’s data protection officer."},
		})
		return
	}
	f := web.NewForm(trimmed(r.PostForm))
	if f.Get("declaration") != "yes" {
		f.Fail("declaration", "", "Confirm that the information you have given is correct")
		h.renderCheck(w, http.StatusUnprocessableEntity, j, f)
		return
	}
	res, err := h.cfg.Work.Create(r.Context(), actor, newRequest(&j.a))
	if e := web.ErrorOf(err); err != nil && e.Kind == web.Invalid {
		for _, v := range e.Fields {
			f.Fail(v.Field, answerID(slugFor(v.Field)), "Check your answers: "+v.Description)
		}
		h.renderCheck(w, http.StatusUnprocessableEntity, j, f)
		return
	}
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	c := res.Case
	done := &submitted{Reference: c.Reference, StatusCode: res.StatusToken, Notices: c.Notices, Due: c.Clock.Due, Steps: c.Clock.Steps, Email: j.a.Email}
	if c.OtherController != nil {
		done.PassedTo = c.OtherController.Name
	}
	done.EmailOutcome = emailOutcomeOf(&j.a, c)
	j.a = answers{Submitted: done}
	if err := h.cfg.Sessions.Save(r.Context(), j.sess, j.a); err != nil {
		h.render.Fail(w, err)
		return
	}
	http.Redirect(w, r, "/request/confirmation", http.StatusSeeOther)
}

// newRequest turns the answers into the domain's request. The region is
// left to the organisation's configuration: the working days counted are
// the handling office's, wherever the person lives.
func newRequest(a *answers) cases.NewCase {
	nc := cases.NewCase{
		Rights:      a.Rights,
		Description: description(a),
		Channel:     cases.ChannelWeb,
		RequestID:   a.RequestID,
		Requester: cases.Requester{
			Person:       cases.Person{Name: a.Name, Email: a.Email, PostalAddress: a.Address},
			Relationship: cases.RelationshipSelf,
		},
	}
	for _, s := range a.Services {
		ref := cases.NoticeRef{ID: s.NoticeID}
		if s.Audience != anyAudience {
			ref.Audience = s.Audience
		}
		nc.Notices = append(nc.Notices, ref)
	}
	if a.Who == forSomeoneElse {
		nc.Requester.Relationship = cases.RelationshipRepresentative
		nc.Requester.DataSubject = &cases.Person{Name: a.SubjectName, Email: a.SubjectEmail, PostalAddress: a.SubjectAddress}
		nc.Requester.Authority = authorityLabel(a.AuthorityKind)
		if a.AuthorityDetail != "" {
			nc.Requester.Authority += ": " + a.AuthorityDetail
		}
	}
	return nc
}

// description is the request in the person's words, with what they gave
// to help find the data, each under a heading a caseworker can scan.
func description(a *answers) string {
	var parts []string
	if a.Description != "" {
		parts = append(parts, a.Description)
	}
	if a.Identifiers != "" {
		parts = append(parts, "Names or references the data may be held under: "+a.Identifiers)
	}
	if a.From != "" || a.To != "" {
		parts = append(parts, "Dates the request covers: "+periodText(a))
	}
	return strings.Join(parts, "\n\n")
}

// slugFor names the question a domain field came from; the longest
// matching prefix wins.
func slugFor(field string) string {
	for _, p := range []struct{ prefix, slug string }{
		{"case.requester.data_subject", "their-details"}, {"case.requester.authority", "authority"},
		{"case.requester", "details"}, {"case.notices", "services"}, {"case.rights", "rights"},
		{"case.description", "find"},
	} {
		if strings.HasPrefix(field, p.prefix) {
			return p.slug
		}
	}
	return steps[0].slug
}

// emailOutcomeOf says whether the case opened with an acknowledgement
// queued to the requester's email address: the use case decides, and
// queues it in the transaction that opened the case.
func emailOutcomeOf(a *answers, c *cases.Case) emailOutcome {
	switch {
	case a.Email == "":
		return emailNoAddress
	case slices.ContainsFunc(c.Messages, func(m cases.Message) bool { return m.Kind == cases.KindAcknowledgement }):
		return emailQueued
	}
	return emailOff
}

// deliveryOutcome is what became of a queued acknowledgement by now, read
// from the case so the page says what happened rather than what was meant
// to; emailQueued while it waits, and when the case cannot be read.
func (h *handler) deliveryOutcome(ctx context.Context, s *submitted) emailOutcome {
	if s.EmailOutcome != emailQueued || s.StatusCode == "" {
		return s.EmailOutcome
	}
	c, err := h.cfg.Work.Status(ctx, s.Reference, s.StatusCode)
	if err != nil {
		return emailQueued
	}
	for _, m := range c.Messages {
		if m.Kind != cases.KindAcknowledgement || m.Delivery == nil {
			continue
		}
		switch m.Delivery.State {
		case cases.DeliverySent:
			return emailSent
		case cases.DeliveryRetrying:
			return emailRetrying
		case cases.DeliveryUndeliverable:
			return emailFailed
		}
	}
	return emailQueued
}

type confirmationData struct {
	*submitted
	// GroupedCode is the status code as people read it.
	GroupedCode string
	StatusPath  string
	// PublicSteps explain the due date without the rule-set names and
	// caveats written for staff.
	PublicSteps  []cases.Step
	Organisation string
	Help         help
}

func (h *handler) confirmation(w http.ResponseWriter, r *http.Request) {
	j := h.open(w, r, false)
	if j == nil {
		return
	}
	if j.a.Submitted == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s := j.a.Submitted
	help, err := h.helpFor(r.Context(), s.Notices)
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	shown := *s
	shown.EmailOutcome = h.deliveryOutcome(r.Context(), s)
	data := confirmationData{submitted: &shown, Organisation: h.cfg.Organisation, Help: help,
		StatusPath: statusURL("", s.Reference), PublicSteps: publicSteps(s.Steps)}
	if s.StatusCode != "" {
		data.GroupedCode = cases.GroupStatusCode(s.StatusCode)
	}
	h.render.Render(w, http.StatusOK, "public/confirmation", web.View{Title: "Request sent", Data: data})
}

// publicSteps are the steps of a deadline explanation that fall on a date:
// receipt, the clock's start, the month counted and any move past a
// weekend or bank holiday. The undated ones name the rule set and note
// caveats for staff.
func publicSteps(steps []cases.Step) []cases.Step {
	var out []cases.Step
	for _, s := range steps {
		if s.Date != "" {
			out = append(out, s)
		}
	}
	return out
}
