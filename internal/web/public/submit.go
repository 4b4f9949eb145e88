package public

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/notify"
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
// reader users, since every link reads "Change".
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

func summarise(j *journey) []section {
	a := &j.a
	r := func(slug, key, hidden string, lines ...string) row {
		var kept []string
		for _, l := range lines {
			kept = append(kept, strings.Split(l, "\n")...)
		}
		return row{ID: "answer-" + slug, Key: key, Lines: kept, Href: "/request/" + slug, Hidden: hidden}
	}
	orNone := func(s string) string {
		if s == "" {
			return "Not given"
		}
		return s
	}
	request := section{Heading: "Your request"}
	request.Rows = append(request.Rows, r("notice", "Service or programme", "the service or programme", j.version.Title))
	if asked(j, "audience") {
		request.Rows = append(request.Rows, r("audience", "Your group", "your group", optionLabel(audienceItems(j.version), a.Audience)))
	}
	if asked(j, "about") {
		request.Rows = append(request.Rows, r("about", "Part of the service", "the part of the service", optionLabel(contextItems(j.version), a.Context)))
	}
	var rights []string
	for _, right := range a.Rights {
		rights = append(rights, rightLabel(right))
	}
	request.Rows = append(request.Rows,
		r("rights", "What you are asking for", "what you are asking for", rights...),
		r("details", "Description", "the description", a.Description),
		r("dates", "Dates", "the dates", periodText(a)),
	)
	who := "Me"
	if a.Who == forSomeoneElse {
		who = "Someone else, and I am acting for them"
	}
	you := section{Heading: "About you", Rows: []row{
		r("name", "Full name", "your name", a.Name),
		r("contact", "Email address", "your email address", orNone(a.Email)),
		r("contact", "Postal address", "your postal address", orNone(a.Address)),
		r("region", "Where you live", "where you live", regionLabel(a.Region)),
		r("who", "Who the request is for", "who the request is for", who),
	}}
	// Two rows change the same page; only the first needs the anchor.
	you.Rows[2].ID = ""
	sections := []section{request, you}
	if a.Who == forSomeoneElse {
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
		sections[2].Rows[1].ID, sections[2].Rows[2].ID = "", ""
	}
	return sections
}

func optionLabel(items []web.Option, value string) string {
	for _, o := range items {
		if o.Value == value {
			return o.Label
		}
	}
	return value
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
		h.cfg.Log.Info("web form honeypot filled; no case opened")
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
			f.Fail(v.Field, "answer-"+slugFor(v.Field), "Check your answers: "+v.Description)
		}
		h.renderCheck(w, http.StatusUnprocessableEntity, j, f)
		return
	}
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	done := &submitted{Reference: res.Case.Reference, StatusCode: res.StatusToken, Due: res.Case.Clock.Due, Steps: res.Case.Clock.Steps, Email: j.a.Email}
	if res.Case.OtherController != nil {
		done.PassedTo = res.Case.OtherController.Name
	}
	done.EmailOutcome = h.sendConfirmation(r.Context(), &j.a, done)
	j.a = answers{Submitted: done}
	if err := h.cfg.Sessions.Save(r.Context(), j.sess, j.a); err != nil {
		h.render.Fail(w, err)
		return
	}
	http.Redirect(w, r, "/request/confirmation", http.StatusSeeOther)
}

// newRequest turns the answers into the domain's request.
func newRequest(a *answers) cases.NewCase {
	ref := cases.NoticeRef{ID: a.NoticeID}
	if a.Context != anyContext {
		ref.Context = a.Context
	}
	if a.Audience != anyAudience {
		ref.Audience = a.Audience
	}
	nc := cases.NewCase{
		Notices:     []cases.NoticeRef{ref},
		Rights:      a.Rights,
		Description: a.Description,
		Channel:     cases.ChannelWeb,
		RequestID:   a.RequestID,
		Requester: cases.Requester{
			Person:       cases.Person{Name: a.Name, Email: a.Email, PostalAddress: a.Address},
			Relationship: cases.RelationshipSelf,
		},
	}
	if a.From != "" || a.To != "" {
		nc.Description += "\n\nDates the request covers: " + periodText(a)
	}
	for _, r := range regions {
		if r.key == a.Region {
			nc.Region = r.calendar
		}
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

// slugFor names the question a domain field came from; the longest
// matching prefix wins.
func slugFor(field string) string {
	for _, p := range []struct{ prefix, slug string }{
		{"case.requester.person.name", "name"}, {"case.requester.person", "contact"},
		{"case.requester.data_subject", "their-details"}, {"case.requester.authority", "authority"},
		{"case.notice", "notice"}, {"case.audience", "audience"}, {"case.context", "about"},
		{"case.rights", "rights"}, {"case.description", "details"},
	} {
		if strings.HasPrefix(field, p.prefix) {
			return p.slug
		}
	}
	return "region"
}

// sendConfirmation emails the reference and status link. A failure is
// logged and told to the requester on the confirmation page; the case is
// open either way.
func (h *handler) sendConfirmation(ctx context.Context, a *answers, done *submitted) emailOutcome {
	switch {
	case a.Email == "":
		return emailNoAddress
	case h.cfg.Mailer == nil:
		return emailOff
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Dear %s,\n\n", a.Name)
	fmt.Fprintf(&b, "%s has received your data protection request.\n\n", h.cfg.Organisation)
	fmt.Fprintf(&b, "Your reference number: %s\n", done.Reference)
	fmt.Fprintf(&b, "We must respond by: %s\n\n", web.LongDate(done.Due))
	if done.StatusCode != "" {
		fmt.Fprintf(&b, "Check the progress of your request at:\n%s\n\n", statusURL(h.cfg.PublicURL, done.Reference, done.StatusCode))
		b.WriteString("Keep this link private: anyone who has it can see the progress of your request (but none of your personal details).\n\n")
	}
	b.WriteString("We may contact you to confirm your identity or to ask for more details. The deadline may be paused until you reply.\n\n")
	fmt.Fprintf(&b, "%s\n", h.cfg.Organisation)
	err := h.cfg.Mailer.Send(ctx, notify.Message{To: a.Email, Subject: "Your data protection request " + done.Reference, Text: b.String()})
	if err != nil {
		h.cfg.Log.Error("confirmation email not sent", "reference", done.Reference, "error", err)
		return emailFailed
	}
	return emailSent
}

type confirmationData struct {
	*submitted
	StatusURL    string
	StatusPath   string
	Organisation string
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
	data := confirmationData{submitted: s, Organisation: h.cfg.Organisation}
	if s.StatusCode != "" {
		data.StatusURL = statusURL(h.cfg.PublicURL, s.Reference, s.StatusCode)
		data.StatusPath = statusURL("", s.Reference, s.StatusCode)
	}
	h.render.Render(w, http.StatusOK, "public/confirmation", web.View{Title: "Request sent", Data: data})
}
