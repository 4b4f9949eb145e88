package casework

import (
	"context"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/letters"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

// deliveryOf is how letter l reaches c's requester: by email when they
// gave an address for it, else by post to the letter's addressee, whose
// block the message keeps so the letter prints the same whatever becomes
// of the case's copy of the address.
func deliveryOf(c *cases.Case, l letters.Letter) (cases.Channel, string) {
	if email := c.Requester.Person.Email; email != "" {
		return cases.ChannelEmail, email
	}
	return cases.ChannelPost, cases.PostalBlock(l.To.Name, l.To.PostalAddress)
}

// LetterPDF is a posted letter of a case as it is printed. It is made
// afresh from what the case keeps (the text, the addressee's block, the
// date) rather than stored: the same letter gives the same bytes, so the
// kept text and its hash vouch for the paper too.
func (s *Service) LetterPDF(ctx context.Context, caseID, messageID string) ([]byte, error) {
	var l letters.Letter
	err := s.store.View(ctx, func(tx store.ReadTx) error {
		c, err := s.load(tx, caseID)
		if err != nil {
			return err
		}
		name := c.Name() + "/messages/" + messageID
		m, ok := c.Message(messageID)
		switch {
		case !ok:
			return &fault.NotFound{Resource: "message", Name: name}
		case m.Channel != cases.ChannelPost:
			return &fault.FailedPrecondition{Subject: name, Description: "only a letter sent by post is printed; this one went by " + string(m.Channel)}
		case s.letters == nil:
			return &fault.FailedPrecondition{Subject: name, Description: "letters are not written on this server (no relay is configured), so it has no sender's address to print"}
		}
		body, err := store.GetMessageBody(tx, caseID, messageID)
		if err != nil {
			return err
		}
		to, address := cases.SplitPostalBlock(m.To)
		l = letters.Letter{
			Template: m.Template, Reference: c.Reference, Date: m.On,
			To: letters.Addressee{Name: to, PostalAddress: address}, From: s.letters.Organisation(),
			Subject: body.Subject, Text: body.Text,
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	pdf, err := letters.PDF(l)
	if err != nil {
		// What the letter lacks (the organisation's address, an address that
		// overflows the envelope's window) is for staff to put right.
		return nil, &fault.FailedPrecondition{Subject: "cases/" + caseID + "/messages/" + messageID, Description: err.Error()}
	}
	return pdf, nil
}

// MarkPosted records that staff posted a letter of the case today: it is
// sent, with its audit event, in one transaction.
func (s *Service) MarkPosted(ctx context.Context, actor, caseID, messageID string) (*cases.Case, error) {
	env := s.env(actor)
	var updated *cases.Case
	err := s.store.Update(ctx, func(tx store.WriteTx) error {
		c, err := s.load(tx, caseID)
		if err != nil {
			return err
		}
		before, err := store.IndexOf(tx, c)
		if err != nil {
			return err
		}
		change, err := cases.MarkPosted(c, messageID, env)
		if err != nil {
			return err
		}
		updated = c
		return s.write(tx, env, before, c, change)
	})
	return updated, err
}
