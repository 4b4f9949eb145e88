package staff

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// The case page's Correspondence section lists every letter sent to the
// requester and every reply they sent in, each with its own page showing
// what it said; a letter the relay refused puts a warning at the top of
// the case page. Addresses carry only the case's and the message's ids.
// A letter that goes by post waits "to print": staff download its PDF,
// print and post it, and mark it posted.

// messageRPCs are the API calls a message's page stands for.
var messageRPCs = []string{"CaseService/GetCase", "CaseService/GetCaseMessage"}

// postedRPCs are what marking a letter posted stands for: the API has no
// call for it yet; who may change a case may record that its letter went.
var postedRPCs = []string{"CaseService/GetCaseMessage", "CaseService/UpdateCase"}

func messageURL(caseID, messageID string) string { return caseURL(caseID) + "/messages/" + messageID }

func letterPDFURL(caseID, messageID string) string {
	return messageURL(caseID, messageID) + "/letter.pdf"
}

func postedURL(caseID, messageID string) string { return messageURL(caseID, messageID) + "/posted" }

// messageView is one message as the case page and its own page show it.
type messageView struct {
	Href string
	// Date is the day it was sent or arrived.
	Date string
	// Sent says it went to the requester rather than came from them.
	Sent    bool
	Kind    string
	Channel string
	Subject string
	// Delivery is an outgoing message's delivery state as a tag; Problem
	// what the relay last said when it refused it, and GivenUp that it
	// will not be tried again.
	Delivery *web.Tag
	Problem  string
	GivenUp  bool
	Attempts int
	// PDF downloads a posted letter as printed; Posted, set while it waits
	// to be printed and the staffer may say it went, is the action that
	// marks it posted.
	PDF, Posted string
}

// kindWords say what each kind of message is for.
var kindWords = map[cases.MessageKind]string{
	cases.KindAcknowledgement:      "Acknowledgement",
	cases.KindIdentityRequest:      "Request for proof of identity",
	cases.KindClarificationRequest: "Request for clarification",
	cases.KindFeeRequest:           "Request for a fee",
	cases.KindExtension:            "Extension notice",
	cases.KindResponse:             "Response",
	cases.KindArticle19:            "Article 19 notice to a recipient",
	cases.KindPassedOn:             "Request passed to its controller",
	cases.KindReply:                "Reply from the requester",
	cases.KindDeliveryCode:         "Code to download the response",
	cases.KindSearchRequest:        "Search request to a data owner",
	cases.KindSearchChaser:         "Reminder to a data owner",
}

func kindText(k cases.MessageKind) string {
	if w, ok := kindWords[k]; ok {
		return w
	}
	return web.Words(string(k))
}

// deliveryTags word each delivery state so the words say what the colour says.
var deliveryTags = map[cases.DeliveryState]web.Tag{
	cases.DeliveryQueued:        {Text: "Queued", Colour: "grey"},
	cases.DeliverySent:          {Text: "Sent", Colour: "green"},
	cases.DeliveryRetrying:      {Text: "Not delivered — retrying", Colour: "orange"},
	cases.DeliveryUndeliverable: {Text: "Not delivered", Colour: "red"},
}

// Posted letters are words apart: "to print" until staff post them.
var (
	toPrintTag = web.Tag{Text: "To print", Colour: "yellow"}
	postedTag  = web.Tag{Text: "Posted", Colour: "green"}
)

// messageChannel says how a message went or came: a reply staff recorded
// does not say.
func messageChannel(m *cases.Message) string {
	switch {
	case m.Channel == cases.ChannelWeb:
		return "Status page"
	case m.Channel != "":
		return channelLabel(m.Channel)
	}
	return "Recorded by staff"
}

// viewMessage is m as the staffer sees it; canPost says they may mark a
// letter posted.
func viewMessage(caseID string, m *cases.Message, canPost bool) messageView {
	v := messageView{
		Href: messageURL(caseID, m.ID), Date: web.LongDate(m.On), Sent: m.Direction == cases.DirectionOut,
		Kind: kindText(m.Kind), Channel: messageChannel(m), Subject: m.Subject,
	}
	if m.Recipient != "" {
		v.Kind = "Article 19 notice to " + m.Recipient
	}
	if m.Direction == cases.DirectionOut && m.Channel == cases.ChannelPost {
		v.PDF = letterPDFURL(caseID, m.ID)
		if m.ToPrint() && canPost {
			v.Posted = postedURL(caseID, m.ID)
		}
	}
	if d := m.Delivery; d != nil {
		tag, ok := deliveryTags[d.State]
		switch {
		case m.ToPrint():
			tag = toPrintTag
		case v.PDF != "" && d.State == cases.DeliverySent:
			tag = postedTag
		case !ok:
			tag = web.Tag{Text: web.Words(string(d.State)), Colour: "grey"}
		}
		v.Delivery, v.Attempts = &tag, d.Attempts
		if m.Undelivered() {
			v.Problem, v.GivenUp = d.LastError, d.State == cases.DeliveryUndeliverable
		}
	}
	return v
}

// correspondence is the case's messages, oldest first, and those not
// delivered, for the warning at the top of the page; canPost offers to
// mark a letter waiting to be printed posted.
func correspondence(c *cases.Case, canPost bool) (all, undelivered []messageView) {
	for _, m := range c.Correspondence() {
		v := viewMessage(c.ID, &m, canPost)
		all = append(all, v)
		if m.Undelivered() {
			undelivered = append(undelivered, v)
		}
	}
	return all, undelivered
}

type messageData struct {
	Case *cases.Case
	messageView
	// DateKey labels Date, sent or received.
	DateKey string
	// To, Template (with its version) and SHA256 are an outgoing letter's;
	// SentAt the time the relay took it, in UK time.
	To, Template, SHA256, SentAt string
	// Text is what it said as kept; HasHTML says an HTML part went with it.
	Text    string
	HasHTML bool
}

// showMessage is one message of a case with what it said.
func (h *handler) showMessage(w http.ResponseWriter, r *http.Request, me *staffer) {
	ctx := r.Context()
	c, err := h.cfg.Work.Get(ctx, r.PathValue("id"))
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	all := c.Correspondence()
	i := slices.IndexFunc(all, func(m cases.Message) bool { return m.ID == r.PathValue("msg") })
	if i < 0 {
		h.render.Fail(w, &fault.NotFound{Resource: "message", Name: c.Name() + "/messages/" + r.PathValue("msg")})
		return
	}
	m := &all[i]
	d := messageData{Case: c, messageView: viewMessage(c.ID, m, h.mayMarkPosted(me)), DateKey: "Date received", To: m.To, Template: m.Template, SHA256: m.SHA256, Text: m.Reply}
	if d.Sent {
		d.DateKey = "Date sent"
	}
	if m.TemplateVersion != "" {
		d.Template += ", version " + m.TemplateVersion
	}
	if m.Delivery != nil && m.Delivery.SentAt != nil {
		d.SentAt = ukTime(*m.Delivery.SentAt)
	}
	if m.Direction == cases.DirectionOut {
		body, err := h.cfg.Work.MessageBody(ctx, c.ID, m.ID)
		if err != nil {
			h.render.Fail(w, err)
			return
		}
		d.Text, d.HasHTML = body.Text, body.HTML != ""
	}
	title := d.Kind
	if d.Subject != "" {
		title = d.Subject
	}
	h.render.Render(w, http.StatusOK, "staff/message", web.View{Title: title + " – case " + c.Reference, Back: caseURL(c.ID) + "#correspondence", Data: d})
}

// mayMarkPosted says whether me may mark a letter posted.
func (h *handler) mayMarkPosted(me *staffer) bool {
	role, _ := strictest(postedRPCs) // checked when the route was made
	return me.can(role)
}

// letterPDF downloads a posted letter as it is printed, as an attachment.
func (h *handler) letterPDF(w http.ResponseWriter, r *http.Request, _ *staffer) {
	pdf, err := h.cfg.Work.LetterPDF(r.Context(), r.PathValue("id"), r.PathValue("msg"))
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	web.Attachment(w, cases.MediaPDF, "letter-"+r.PathValue("msg")+".pdf", int64(len(pdf)))
	if _, err := w.Write(pdf); err != nil {
		h.cfg.Log.ErrorContext(r.Context(), "letter download failed part way", "case", r.PathValue("id"), "message", r.PathValue("msg"), "error", err)
	}
}

// markPosted records that the staffer posted a printed letter today, and
// goes back to the case's correspondence.
func (h *handler) markPosted(w http.ResponseWriter, r *http.Request, me *staffer) {
	c, err := h.cfg.Work.MarkPosted(r.Context(), me.actor, r.PathValue("id"), r.PathValue("msg"))
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	http.Redirect(w, r, caseURL(c.ID)+"?"+url.Values{"done": {"case.message_posted"}}.Encode()+"#correspondence", http.StatusSeeOther)
}
