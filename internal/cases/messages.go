package cases

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// Direction says whether a message went to the requester or came from them.
type Direction string

const (
	DirectionOut Direction = "out"
	DirectionIn  Direction = "in"
)

// MessageKind is what a message is for.
type MessageKind string

const (
	KindAcknowledgement      MessageKind = "acknowledgement"
	KindIdentityRequest      MessageKind = "identity_request"
	KindClarificationRequest MessageKind = "clarification_request"
	KindFeeRequest           MessageKind = "fee_request"
	KindExtension            MessageKind = "extension"
	KindResponse             MessageKind = "response"
	KindArticle19            MessageKind = "art19"
	KindPassedOn             MessageKind = "passed_on"
	KindReply                MessageKind = "reply"
	// KindSearchRequest and KindSearchChaser go to a data owner, not the
	// requester (searchrequest.go).
	KindSearchRequest MessageKind = "search_request"
	KindSearchChaser  MessageKind = "search_chaser"
	// KindDeliveryCode is a one-time code to download the response pack.
	KindDeliveryCode MessageKind = "delivery_code"
)

// MessageKinds lists the kinds of letter a case may send.
var MessageKinds = []MessageKind{
	KindAcknowledgement, KindIdentityRequest, KindClarificationRequest, KindFeeRequest,
	KindExtension, KindResponse, KindArticle19, KindPassedOn, KindDeliveryCode,
	KindSearchRequest, KindSearchChaser,
}

// DeliveryState is where an outgoing message's delivery stands.
type DeliveryState string

const (
	DeliveryQueued DeliveryState = "queued"
	DeliverySent   DeliveryState = "sent"
	// DeliveryRetrying is a message the relay refused for now; the outbox
	// tries again after a pause.
	DeliveryRetrying DeliveryState = "failed_retrying"
	// DeliveryUndeliverable is a message the relay refused for good, or
	// that failed too many times; staff must reach the requester another way.
	DeliveryUndeliverable DeliveryState = "undeliverable"
)

// Delivery is how sending an outgoing message has gone. LastError says
// what the relay answered, never to whom or what was sent.
type Delivery struct {
	State     DeliveryState `json:"state"`
	Attempts  int           `json:"attempts,omitempty"`
	LastError string        `json:"last_error,omitempty"`
	SentAt    *time.Time    `json:"sent_at,omitempty"`
}

// Message is one entry of a case's correspondence: a letter sent (or being
// sent) to the requester, or what they sent in. Only what the case page and
// queue need is kept on the case; the body is in a MessageBody stored apart
// (see internal/store), since letters can run to tens of kilobytes each and
// the case record is read for every queue page. To is personal data.
type Message struct {
	ID              string      `json:"id"`
	Direction       Direction   `json:"direction"`
	Channel         Channel     `json:"channel"`
	Kind            MessageKind `json:"kind"`
	Subject         string      `json:"subject,omitempty"`
	Template        string      `json:"template,omitempty"`
	TemplateVersion string      `json:"template_version,omitempty"`
	// SHA256 is the hex SHA-256 of the body's text as kept, which the
	// audit event of the send records in place of the text.
	SHA256 string `json:"sha256,omitempty"`
	// Edited is true when staff changed the words the template wrote
	// before the letter was sent.
	Edited bool      `json:"edited,omitempty"`
	To     string    `json:"to,omitempty"`
	On     string    `json:"on"`
	At     time.Time `json:"at"`
	By     string    `json:"by,omitempty"`
	// Delivery is nil for a message that came in.
	Delivery *Delivery `json:"delivery,omitempty"`
	// Recipient is, for an Article 19 letter, the recipient told; To is
	// where it went.
	Recipient string `json:"recipient,omitempty"`
	// Reply is what the requester said, and Files the documents they sent
	// with it, for a message read from the case's exchanges by
	// Correspondence; they are never stored here.
	Reply string `json:"-"`
	Files []File `json:"-"`
}

// Undelivered reports whether an outgoing message has yet to reach the
// requester after the relay refused it: retrying or given up.
func (m *Message) Undelivered() bool {
	return m.Delivery != nil && (m.Delivery.State == DeliveryRetrying || m.Delivery.State == DeliveryUndeliverable)
}

// MessageBody is what a message says. It is personal data.
type MessageBody struct {
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html,omitempty"`
}

// Secret is a value a letter must carry to the requester but the kept copy
// must not (the status code of an acknowledgement, whose hash alone is kept
// on the case): the kept text holds Placeholder, and the sender puts Value
// in its place. The outbox holds Value only until the message is sent or
// given up.
type Secret struct {
	Placeholder string `json:"placeholder"`
	Value       string `json:"value"`
}

// Outgoing is a rendered letter to send to the requester.
type Outgoing struct {
	Kind    MessageKind
	Channel Channel
	To      string
	// Recipient is, for an Article 19 letter, the recipient written to.
	Recipient       string
	Template        string
	TemplateVersion string
	// Edited is true when the body is staff's edit of what the template wrote.
	Edited  bool
	Body    MessageBody
	Secrets []Secret
}

// Limits on correspondence. A case keeps only each message's envelope, so
// MaxMessages bounds the case record; the bodies are bounded one by one.
const (
	MaxMessages    = 200
	MaxLetterText  = 200_000
	MaxLetterHTML  = 400_000
	MaxDeliveryErr = 300
)

// Queue adds an outgoing letter to the case's correspondence, queued for
// delivery, and returns it and the audit change that records its template,
// version and hash (never its text or address). The caller writes the body
// and an outbox entry in the same transaction as the case.
func Queue(c *Case, out Outgoing, env Env) (*Message, Change, error) {
	if err := checkOutgoing(out); err != nil {
		return nil, Change{}, err
	}
	if err := c.checkRoom(len(c.Messages), MaxMessages, "messages"); err != nil {
		return nil, Change{}, err
	}
	id, err := NewID(env.Now, env.Random)
	if err != nil {
		return nil, Change{}, err
	}
	m := Message{
		ID: id, Direction: DirectionOut, Channel: out.Channel, Kind: out.Kind, Subject: out.Body.Subject,
		Template: out.Template, TemplateVersion: out.TemplateVersion, SHA256: TextHash(out.Body.Text), Edited: out.Edited,
		To: out.To, Recipient: out.Recipient, On: env.Today().String(), At: env.Now, By: env.Actor,
		Delivery: &Delivery{State: DeliveryQueued},
	}
	c.Messages = append(c.Messages, m)
	return &c.Messages[len(c.Messages)-1], Change{Action: "case.message_queued", Before: map[string]string{}, After: messageFacts(&m)}, nil
}

// CheckLetterBody checks a letter made from staff's own words against the
// limits every letter is held to, the violations naming field: their
// words are its text, its subject (the first line) and its HTML alike.
func CheckLetterBody(field string, b MessageBody) error {
	var v []fault.FieldViolation
	checkBody(&v, b)
	for i := range v {
		v[i].Description = letterParts[v[i].Field] + v[i].Description
		v[i].Field = field
	}
	return invalidIf(v)
}

// letterParts name the part of a letter a problem is about.
var letterParts = map[string]string{"subject": "the subject line ", "text": "", "html": "the letter set for email "}

func checkBody(v *[]fault.FieldViolation, b MessageBody) {
	checkText(v, "subject", b.Subject, MaxLine, line, "a letter needs a subject")
	checkText(v, "text", b.Text, MaxLetterText, paragraph, "a letter needs some text")
	checkText(v, "html", b.HTML, MaxLetterHTML, paragraph, "")
}

// TextHash is the hex SHA-256 of a letter's text.
func TextHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

func checkOutgoing(out Outgoing) error {
	var v []fault.FieldViolation
	if !slices.Contains(MessageKinds, out.Kind) {
		v = append(v, fault.FieldViolation{Field: "kind", Description: fmt.Sprintf("unknown kind of letter %q", out.Kind)})
	}
	switch out.Channel {
	case ChannelEmail:
		if a, err := mail.ParseAddress(out.To); err != nil || a.Address != out.To {
			v = append(v, fault.FieldViolation{Field: "to", Description: "is not an email address"})
		}
	case ChannelPost:
		// The addressee's block, name first, one line each; a posted
		// letter is printed from what is kept, so it can carry no secret.
		checkText(&v, "to", out.To, 2*MaxLine+1, paragraph, "a posted letter needs the name and postal address")
		if len(out.Secrets) > 0 {
			v = append(v, fault.FieldViolation{Field: "secrets", Description: "a posted letter is printed from its kept text and cannot carry a secret"})
		}
	default:
		v = append(v, fault.FieldViolation{Field: "channel", Description: fmt.Sprintf("letters are sent by email or post; %q is not supported", out.Channel)})
	}
	checkBody(&v, out.Body)
	checkText(&v, "template", out.Template, MaxIdentifier, line, "")
	checkText(&v, "template_version", out.TemplateVersion, MaxIdentifier, line, "")
	for _, s := range out.Secrets {
		if s.Placeholder == "" || !strings.Contains(out.Body.Text, s.Placeholder) {
			v = append(v, fault.FieldViolation{Field: "secrets", Description: "each secret's placeholder must appear in the text"})
			break
		}
	}
	return invalidIf(v)
}

// messageFacts is what the audit trail records of a message.
func messageFacts(m *Message) map[string]string {
	facts := map[string]string{
		"message_id": m.ID, "message_kind": string(m.Kind), "message_channel": string(m.Channel),
		"template": m.Template, "template_version": m.TemplateVersion, "sha256": m.SHA256,
	}
	if m.Edited {
		facts["edited"] = "true"
	}
	if m.Delivery != nil {
		facts["delivery"] = string(m.Delivery.State)
		if m.Delivery.Attempts > 0 {
			facts["attempts"] = strconv.Itoa(m.Delivery.Attempts)
		}
	}
	for k, v := range facts {
		if v == "" {
			delete(facts, k)
		}
	}
	return facts
}

// Message finds a message of the case by id.
func (c *Case) Message(id string) (*Message, bool) {
	i := slices.IndexFunc(c.Messages, func(m Message) bool { return m.ID == id })
	if i < 0 {
		return nil, false
	}
	return &c.Messages[i], true
}

// Undelivered reports whether a letter of the case has yet to reach the
// requester after the relay refused it ("letter not delivered").
func (c *Case) Undelivered() bool {
	return slices.ContainsFunc(c.Messages, func(m Message) bool { return m.Undelivered() })
}

// RetryPolicy is how the outbox retries a letter the relay refused for now:
// First after the first failure, doubling each time up to Cap, until
// MaxAttempts have failed, when the letter is undeliverable.
type RetryPolicy struct {
	First, Cap  time.Duration
	MaxAttempts int
}

// DefaultRetry tries ten times over about a day and a half: a relay that
// is down for a night does not cost a letter.
var DefaultRetry = RetryPolicy{First: time.Minute, Cap: 4 * time.Hour, MaxAttempts: 10}

// Wait is how long to wait after the given number of failed attempts, and
// whether to give up instead.
func (p RetryPolicy) Wait(failed int) (wait time.Duration, giveUp bool) {
	if failed >= p.MaxAttempts {
		return 0, true
	}
	wait = p.First
	for i := 1; i < failed && wait < p.Cap; i++ {
		wait *= 2
	}
	return min(wait, p.Cap), false
}

// Attempt is the outcome of one try at delivering a message.
type Attempt struct {
	// Err is nil when the relay accepted the message.
	Err error
	// Permanent marks a refusal that trying again cannot cure (an SMTP 5xx).
	Permanent bool
}

// RecordAttempt records the outcome of the attempt-th try at delivering
// message id, and says when to try again (zero when not: sent or given
// up). It changes neither the case's version nor its etag: a delivery is
// not a decision staff act on, and a relay's retries must not make their
// forms stale. The change names the message and its state, and the error
// only as the relay's words, which carry no personal data.
func RecordAttempt(c *Case, id string, attempt int, result Attempt, policy RetryPolicy, env Env) (retryAt time.Time, change Change, err error) {
	m, ok := c.Message(id)
	if !ok || m.Delivery == nil {
		return time.Time{}, Change{}, fmt.Errorf("case %s has no outgoing message %s", c.ID, id)
	}
	if m.Delivery.State == DeliverySent || m.Delivery.State == DeliveryUndeliverable {
		return time.Time{}, Change{}, fmt.Errorf("message %s of case %s is already %s", id, c.ID, m.Delivery.State)
	}
	before := messageFacts(m)
	d := m.Delivery
	d.Attempts = attempt
	switch {
	case result.Err == nil:
		now := env.Now
		d.State, d.LastError, d.SentAt = DeliverySent, "", &now
	default:
		d.LastError = truncate(result.Err.Error(), MaxDeliveryErr)
		wait, giveUp := policy.Wait(attempt)
		if result.Permanent || giveUp {
			d.State = DeliveryUndeliverable
		} else {
			d.State, retryAt = DeliveryRetrying, env.Now.Add(wait)
		}
	}
	action := map[DeliveryState]string{
		DeliverySent: "case.message_sent", DeliveryRetrying: "case.message_failed", DeliveryUndeliverable: "case.message_undeliverable",
	}[d.State]
	b, a := diff(before, messageFacts(m))
	a["message_id"] = id
	return retryAt, Change{Action: action, Before: b, After: a}, nil
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// Correspondence is the case's log of messages in and out, oldest first:
// the messages it keeps, and each reply the requester sent, read from its
// exchanges so nothing is stored twice.
func (c *Case) Correspondence() []Message {
	out := slices.Clone(c.Messages)
	for i, e := range c.Exchanges {
		if e.Kind != ExchangeReplied {
			continue
		}
		out = append(out, Message{
			ID: "x" + strconv.Itoa(i+1), Direction: DirectionIn, Channel: replyChannel(e), Kind: KindReply,
			On: e.On, By: e.By, Reply: e.Detail, Files: e.Files,
		})
	}
	slices.SortStableFunc(out, func(a, b Message) int { return strings.Compare(a.On, b.On) })
	return out
}

// RequesterActor is who the audit trail and the exchanges record for what
// a requester does themselves, on the status page.
const RequesterActor = "requester"

// replyChannel is how a reply came in: the status page when the requester
// sent it there, or "" when staff logged it, since the exchange does not
// say whether it came by post, email or phone.
func replyChannel(e Exchange) Channel {
	if e.By == RequesterActor {
		return ChannelWeb
	}
	return ""
}

func (d *Delivery) lastError() string {
	if d == nil {
		return ""
	}
	return d.LastError
}
