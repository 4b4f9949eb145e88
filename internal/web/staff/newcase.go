package staff

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

type newCaseData struct {
	Notices       []web.Option
	Notice        *notice.Version
	NoticeID      string
	Channels      []web.Option
	Contexts      []web.Option
	Audiences     []web.Option
	Rights        []web.Option
	Regions       []web.Option
	Relationships []web.Option
}

var staffChannels = []web.Option{
	{Value: string(cases.ChannelEmail), Label: "Email"},
	{Value: string(cases.ChannelPost), Label: "Post"},
	{Value: string(cases.ChannelPhone), Label: "Phone"},
	{Value: string(cases.ChannelInPerson), Label: "In person"},
}

var regionOptions = []web.Option{
	{Value: deadline.EnglandAndWales, Label: "England and Wales"},
	{Value: deadline.Scotland, Label: "Scotland"},
	{Value: deadline.NorthernIreland, Label: "Northern Ireland"},
}

// showNewCase asks for the notice first, since the contexts and audiences
// to choose from depend on it, then shows the rest of the form.
func (h *handler) showNewCase(w http.ResponseWriter, r *http.Request, me *staffer) {
	values := url.Values{"notice": {r.URL.Query().Get("notice")}, "region": {deadline.EnglandAndWales}, "relationship": {string(cases.RelationshipSelf)}}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		h.render.Fail(w, err)
		return
	}
	// One id per form drawn, so sending it twice opens one case.
	values.Set("request-id", "staff-"+hex.EncodeToString(b))
	h.renderNewCase(w, r, me, http.StatusOK, web.NewForm(values))
}

func (h *handler) renderNewCase(w http.ResponseWriter, r *http.Request, me *staffer, status int, f *web.Form) {
	notices, err := h.noticeOptions(r.Context())
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	d := newCaseData{Notices: notices, Channels: staffChannels, Regions: regionOptions, Rights: rightOptions(), NoticeID: f.Get("notice"),
		Relationships: []web.Option{
			{Value: string(cases.RelationshipSelf), Label: "The data subject, about themselves"},
			{Value: string(cases.RelationshipRepresentative), Label: "Someone acting for the data subject"},
		}}
	if d.NoticeID != "" {
		n, _, err := h.cfg.Notices.Notice(r.Context(), d.NoticeID, 0)
		if err != nil {
			http.Redirect(w, r, "/staff/cases/new", http.StatusSeeOther)
			return
		}
		d.Notice = n.Current()
		d.Contexts = []web.Option{{Value: "", Label: "Not known, or all of it"}}
		for _, c := range d.Notice.Contexts {
			d.Contexts = append(d.Contexts, web.Option{Value: c.ID, Label: c.Name})
		}
		if len(d.Notice.Audiences) > 0 {
			d.Audiences = []web.Option{{Value: "", Label: "Not known"}}
			for _, a := range d.Notice.Audiences {
				d.Audiences = append(d.Audiences, web.Option{Value: a.ID, Label: a.Label})
			}
		}
	}
	h.render.Render(w, status, "staff/new-case", web.View{Title: "Log a request", Back: Prefix, Form: f, CSRF: me.csrf, Data: d})
}

// newCaseFields maps the domain's field names to the form's, longest
// prefix first.
var newCaseFields = []struct{ prefix, id string }{
	{"case.requester.person.name", "name"}, {"case.requester.person.email", "email"},
	{"case.requester.person.phone", "phone"}, {"case.requester.person", "address"},
	{"case.requester.data_subject", "subject-name"}, {"case.requester.authority", "authority"},
	{"case.received_on", "received-day"}, {"case.channel", "channel"}, {"case.context", "context"},
	{"case.audience", "audience"}, {"case.rights", "rights"}, {"case.description", "description"},
	{"case.region", "region"}, {"case.notices[0].context", "context"}, {"case.notices[0].audience", "audience"}, {"case.notices", "notice"},
	// The request id is a hidden field drawn with the form: a bad one was
	// altered on the way, and the summary links to the first question.
	{"request_id", "channel"},
}

func fieldFor(domain string) string {
	for _, p := range newCaseFields {
		if strings.HasPrefix(domain, p.prefix) {
			return p.id
		}
	}
	return "name"
}

func (h *handler) createCase(w http.ResponseWriter, r *http.Request, me *staffer) {
	f := web.NewForm(url.Values{})
	for k, v := range r.PostForm {
		if k != "csrf_token" {
			for _, s := range v {
				f.Values.Add(k, strings.TrimSpace(s))
			}
		}
	}
	if f.Get("notice") == "" || r.PostForm.Has("choose-notice") {
		if f.Get("notice") == "" {
			f.Fail("notice", "", "Choose the privacy notice the request is about")
			h.renderNewCase(w, r, me, http.StatusUnprocessableEntity, f)
			return
		}
		http.Redirect(w, r, "/staff/cases/new?"+url.Values{"notice": {f.Get("notice")}}.Encode(), http.StatusSeeOther)
		return
	}
	req := cases.NewCase{
		Notices:     []cases.NoticeRef{{ID: f.Get("notice"), Context: f.Get("context"), Audience: f.Get("audience")}},
		Description: f.Get("description"),
		Channel:     cases.Channel(required(f, "channel", "Choose how the request arrived")),
		Region:      f.Get("region"), RequestID: f.Get("request-id"),
		Requester: cases.Requester{
			Person:       cases.Person{Name: required(f, "name", "Enter the requester’s name"), Email: f.Get("email"), Phone: f.Get("phone"), PostalAddress: f.Get("address")},
			Relationship: cases.Relationship(f.Get("relationship")),
		},
	}
	req.ReceivedOn = receivedOn(f, h.cfg.Work.Today())
	for _, v := range f.Values["rights"] {
		req.Rights = append(req.Rights, notice.Right(v))
	}
	if len(req.Rights) == 0 {
		f.Fail("rights", "", "Choose at least one right the requester is asking for")
	}
	if req.Requester.Relationship == cases.RelationshipRepresentative {
		req.Requester.DataSubject = &cases.Person{Name: required(f, "subject-name", "Enter the name of the person the request is for")}
		req.Requester.Authority = required(f, "authority", "Say what authority the representative has")
	}
	if f.HasErrors() {
		h.renderNewCase(w, r, me, http.StatusUnprocessableEntity, f)
		return
	}
	res, err := h.cfg.Work.Create(r.Context(), me.actor, req)
	if err != nil {
		e := web.ErrorOf(err)
		if !e.OnForm() {
			h.render.Fail(w, e)
			return
		}
		f.Take(e, fieldFor, "channel")
		h.renderNewCase(w, r, me, e.Status, f)
		return
	}
	http.Redirect(w, r, "/staff/cases/"+url.PathEscape(res.Case.ID), http.StatusSeeOther)
}

// receivedOn reads the date of receipt, which may be in the past but not
// the future: the clock starts from it.
func receivedOn(f *web.Form, today deadline.Date) string {
	day, month, year := f.Get("received-day"), f.Get("received-month"), f.Get("received-year")
	if day == "" && month == "" && year == "" {
		f.Fail("received", "received-day", "Enter the date the request was received")
		return ""
	}
	d, errD := strconv.Atoi(day)
	m, errM := strconv.Atoi(month)
	y, errY := strconv.Atoi(year)
	if errD != nil || errM != nil || errY != nil {
		f.Fail("received", "received-day", "The date received must be a real date, for example 27 3 2026")
		return ""
	}
	date, err := deadline.ParseDate(fmt.Sprintf("%04d-%02d-%02d", y, m, d))
	if err != nil {
		f.Fail("received", "received-day", "The date received must be a real date, for example 27 3 2026")
		return ""
	}
	if date.After(today) {
		f.Fail("received", "received-day", "The date received must be today or in the past")
		return ""
	}
	return date.String()
}
