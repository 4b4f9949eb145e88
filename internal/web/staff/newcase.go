package staff

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/report"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// Staff log a request that arrived by post, email, phone or in person with
// what the public form captures: any number of notices or none, the
// representative's own details beside the data subject's, and a date of
// receipt in the past. The page after it is the requester's
// acknowledgement, with the status code they need to follow the request:
// it is shown there, in the answer to the form, and nowhere else, since
// the service keeps only its hash.

type newCaseData struct {
	Questions []field
}

// acknowledgement is what the page after logging a request shows.
type acknowledgement struct {
	Case *cases.Case
	// StatusCode is the requester's code, grouped for reading aloud; empty
	// when the form was sent twice and the case had been opened by the first.
	StatusCode string
	// StatusURL is where the requester checks progress with it.
	StatusURL    string
	Organisation string
	Rights       []string
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

func (h *handler) showNewCase(w http.ResponseWriter, r *http.Request, me *staffer) {
	v := url.Values{"relationship": {string(cases.RelationshipSelf)}, "notice": r.URL.Query()["notice"]}
	setDate(v, "received", h.cfg.Work.Today())
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		h.render.Fail(w, err)
		return
	}
	// One id per form drawn, so sending it twice opens one case.
	v.Set("request-id", "staff-"+hex.EncodeToString(b))
	h.renderNewCase(w, r, me, http.StatusOK, web.NewForm(v))
}

func (h *handler) renderNewCase(w http.ResponseWriter, r *http.Request, me *staffer, status int, f *web.Form) {
	choices, err := h.noticeChoices(r.Context(), "")
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	d := newCaseData{Questions: []field{
		{Kind: "radios", Name: "channel", Label: "How did the request arrive?", Items: staffChannels, Inline: true},
		{Kind: "date", Name: "received", Label: "When was it received?", Hint: "The clock starts from this date. For example, 27 3 2026."},
		{Kind: "checkboxes", Name: "rights", Label: "What is the requester asking for?", Items: rightOptions()},
		noticeQuestion(choices, "Tick none when they asked for everything you hold: name the notices when you triage the case."),
		textarea("description", "What did they ask for?", "In their words where you can."),
		requesterQuestions(),
	}}
	h.render.Render(w, status, "staff/new-case", web.View{Title: "Log a request", Back: Prefix, Form: f, CSRF: me.csrf, Data: d})
}

// newCaseFields maps the domain's field names to the form's.
func newCaseFields(f *web.Form, domain string) string {
	for _, of := range []func(*web.Form, string) string{requesterFields, noticeFields, fields(
		"case.received_on", "received", "case.channel", "channel", "case.rights", "rights", "case.description", "description",
		// The request id is a hidden field drawn with the form: a bad one was
		// altered on the way, and the summary links to the first question.
		"request_id", "channel",
	)} {
		if field := of(f, domain); field != "" {
			return field
		}
	}
	return ""
}

func (h *handler) createCase(w http.ResponseWriter, r *http.Request, me *staffer) {
	f := formOf(r)
	req := cases.NewCase{
		Notices:     noticesFrom(f),
		Description: f.Get("description"),
		Channel:     cases.Channel(required(f, "channel", "Choose how the request arrived")),
		RequestID:   f.Get("request-id"),
	}
	if req.ReceivedOn = dateOf(f, "received"); req.ReceivedOn == "" && f.Error("received") == "" {
		f.Fail("received", "received-day", "Enter the date the request was received")
	}
	for _, v := range f.Values["rights"] {
		req.Rights = append(req.Rights, notice.Right(v))
	}
	if len(req.Rights) == 0 {
		f.Fail("rights", "", "Choose at least one right the requester is asking for")
	}
	req.Requester = requesterFrom(f)
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
		take(f, e, func(domain string) string { return newCaseFields(f, domain) }, "channel")
		h.renderNewCase(w, r, me, e.Status, f)
		return
	}
	// The acknowledgement is this response, never a page to come back to:
	// the code is in no URL, so reloading the page (which sends the form
	// again, the same request) shows the case without it. (The API gives
	// it again to a retry within an hour, for a client whose answer was
	// lost; someone at this page has seen it.)
	ack := acknowledgement{
		Case: res.Case, StatusURL: strings.TrimSuffix(h.cfg.BaseURL, "/") + "/status", Organisation: h.cfg.Organisation,
	}
	if res.Created && res.StatusToken != "" {
		ack.StatusCode = cases.GroupStatusCode(res.StatusToken)
	}
	for _, rr := range res.Case.Rights {
		ack.Rights = append(ack.Rights, rightPhrase(rr.Right))
	}
	h.render.Render(w, http.StatusOK, "staff/acknowledgement", web.View{Title: "Request logged: case " + res.Case.Reference, CSRF: me.csrf, Data: ack})
}

// rightPhrase is a right as the acknowledgement tells the requester what
// they asked for.
func rightPhrase(r notice.Right) string { return strings.ToLower(report.RightLabel(r)) }
