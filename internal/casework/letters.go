package casework

import (
	"fmt"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/letters"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

// SendLetters has the service write the requester's letters with w and
// queue them for the outbox by email, each in the transaction of the change
// that calls for it: the acknowledgement of a request from the public
// pages, and the letter of each step letters.Needed names (asking for
// identity, clarification or a fee; an extension; the close). Without it
// no letter is queued: there is no relay to send them.
func SendLetters(w *letters.Writer) Option { return func(s *Service) { s.letters = w } }

// writesTo reports whether the service writes c's requester letters: it
// has a relay, and they gave an email or a postal address. A letter goes
// by email when there is an address for it, else by post (post.go).
func (s *Service) writesTo(c *cases.Case) bool {
	p := c.Requester.Person
	return s.letters != nil && (p.Email != "" || p.PostalAddress != "")
}

// queueLetterFor queues the letter cmd calls for, written from c as the
// command left it, in staff's words when text is not "" (see letterFor). A
// letter that cannot be written from the case (a refusal with no reasons,
// an access response with no record of where we looked) refuses the
// command with the letter's reason: the step and its letter go together or
// not at all, and no letter goes with a blank.
func (s *Service) queueLetterFor(tx store.WriteTx, env cases.Env, c *cases.Case, cmd cases.Command, text string) (*cases.Change, error) {
	l, ok, err := s.letterFor(tx, env, c, cmd, text)
	if !ok || err != nil {
		return nil, err
	}
	return s.queue(tx, env, c, l, nil)
}

// letterFor writes the letter cmd calls for from c as the command left
// it, and false when the command sends none (it needs no letter, or the
// service does not write to c's requester). A text that is not "" is
// staff's edit of the template's letter and is sent in its place.
func (s *Service) letterFor(tx store.ReadTx, env cases.Env, c *cases.Case, cmd cases.Command, text string) (letters.Letter, bool, error) {
	kind, ok := letters.Needed(cmd)
	if !ok || !s.writesTo(c) {
		return letters.Letter{}, false, nil
	}
	facts := letters.Facts{Case: c, Notice: env.Notice, On: env.Today().String()}
	if merge, ok := cmd.(cases.MergeInto); ok {
		into, err := s.load(tx, merge.Into)
		if err != nil {
			return letters.Letter{}, false, err
		}
		facts.DuplicateOf = into.Reference
	}
	l, err := s.letters.Write(kind, facts)
	if err != nil {
		return letters.Letter{}, false, err
	}
	l, err = s.revise(l, text)
	return l, err == nil, err
}

// queue adds the letter to c's correspondence, its body and outbox entry
// to tx, and returns the audit change recording its template, version and
// hash; the caller writes c and that change after the change that caused
// the letter.
func (s *Service) queue(tx store.WriteTx, env cases.Env, c *cases.Case, l letters.Letter, secrets []cases.Secret) (*cases.Change, error) {
	channel, to := deliveryOf(c, l)
	return s.queueTo(tx, env, c, l, channel, to, "", secrets)
}

// queueTo is queue with the letter sent by channel to the address to
// (an Article 19 letter goes to its recipient, named by recipient).
func (s *Service) queueTo(tx store.WriteTx, env cases.Env, c *cases.Case, l letters.Letter, channel cases.Channel, to, recipient string, secrets []cases.Secret) (*cases.Change, error) {
	out := cases.Outgoing{
		Kind: messageKind[l.Kind], Channel: channel, To: to, Recipient: recipient,
		Template: l.Template, TemplateVersion: l.TemplateVersion, Edited: l.Edited,
		Body:    cases.MessageBody{Subject: l.Subject, Text: l.Text, HTML: l.HTML},
		Secrets: secrets,
	}
	m, queued, err := cases.Queue(c, out, env)
	if err != nil {
		return nil, err
	}
	if m.SHA256 != l.TextHash {
		// Both hash the same text the same way; a difference is a bug that
		// would make the audit trail vouch for words that were not sent.
		return nil, fmt.Errorf("letter %s of case %s: the kept hash %s is not the letter's %s", l.Kind, c.ID, m.SHA256, l.TextHash)
	}
	if err := store.PutMessageBody(tx, c.ID, m.ID, out.Body); err != nil {
		return nil, err
	}
	if channel == cases.ChannelEmail {
		if err := store.PutOutbox(tx, store.OutboxEntry{Due: env.Now, CaseID: c.ID, MessageID: m.ID, Secrets: secrets}); err != nil {
			return nil, err
		}
	}
	return &queued, nil
}

// messageKind is where each letter stands in the correspondence log. Every
// letter that closes a request is its response; the template names which.
var messageKind = map[letters.Kind]cases.MessageKind{
	letters.KindAcknowledgement:      cases.KindAcknowledgement,
	letters.KindIdentityRequest:      cases.KindIdentityRequest,
	letters.KindClarificationRequest: cases.KindClarificationRequest,
	letters.KindFeeRequest:           cases.KindFeeRequest,
	letters.KindExtensionNotice:      cases.KindExtension,
	letters.KindResponse:             cases.KindResponse,
	letters.KindRefusal:              cases.KindResponse,
	letters.KindWithdrawn:            cases.KindResponse,
	letters.KindSelfService:          cases.KindResponse,
	letters.KindDuplicate:            cases.KindResponse,
	letters.KindPassedOn:             cases.KindPassedOn,
	letters.KindSearchRequest:        cases.KindSearchRequest,
	letters.KindSearchChaser:         cases.KindSearchChaser,
	letters.KindArticle19:            cases.KindArticle19,
	letters.KindDeliveryCode:         cases.KindDeliveryCode,
}
