package staff

import (
	"net/http"
	"slices"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// The case page's Correspondence section lists every letter sent to the
// requester and every reply they sent in, each with its own page showing
// what it said; a letter the relay refused puts a warning at the top of
// the case page. Addresses carry only the case's and the message's ids.

// messageRPCs are the API calls a message's page stands for.
var messageRPCs = []string{"CaseService/GetCase", "CaseService/GetCaseMessage"}

func messageURL(caseID, messageID string) string { return caseURL(caseID) + "/messages/" + messageID }

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

func viewMessage(caseID string, m *cases.Message) messageView {
	v := messageView{
		Href: messageURL(caseID, m.ID), Date: web.LongDate(m.On), Sent: m.Direction == cases.DirectionOut,
		Kind: kindText(m.Kind), Channel: messageChannel(m), Subject: m.Subject,
	}
	if d := m.Delivery; d != nil {
		tag, ok := deliveryTags[d.State]
		if !ok {
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
// delivered, for the warning at the top of the page.
func correspondence(c *cases.Case) (all, undelivered []messageView) {
	for _, m := range c.Correspondence() {
		v := viewMessage(c.ID, &m)
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
func (h *handler) showMessage(w http.ResponseWriter, r *http.Request, _ *staffer) {
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
	d := messageData{Case: c, messageView: viewMessage(c.ID, m), DateKey: "Date received", To: m.To, Template: m.Template, SHA256: m.SHA256, Text: m.Reply}
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
