package casework

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/leader"
	"github.com/rightsdesk/rightsdesk/internal/letters"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

// Letter is one email as the outbox hands it to a Sender. ID is its
// idempotency key, the same on every attempt: a Sender uses it as the
// Message-ID, so a letter sent twice is recognisably one letter.
type Letter struct {
	ID      string
	To      string
	Subject string
	Text    string
	HTML    string
}

// Sender delivers letters (SMTP through internal/notify in production). An
// error whose Permanent method reports true is a refusal that trying again
// cannot cure; any other error is tried again later.
type Sender interface {
	Send(ctx context.Context, l Letter) error
}

// OutboxOptions tune the outbox sender; zero fields take the defaults.
type OutboxOptions struct {
	// Poll is how often the outbox is read for letters that fell due (1s).
	Poll time.Duration
	// Claim is how long a letter being sent is held back from another try
	// (2 minutes): longer than a send can take, so only a sender that died
	// mid-send leaves a letter to be tried again when it runs out.
	Claim time.Duration
	// Retry is the backoff after a refusal (cases.DefaultRetry).
	Retry cases.RetryPolicy
	// Batch bounds the letters read per poll (50).
	Batch int
	Log   *slog.Logger
}

func (o *OutboxOptions) defaults() {
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Claim <= 0 {
		o.Claim = 2 * time.Minute
	}
	if o.Retry.MaxAttempts <= 0 {
		o.Retry = cases.DefaultRetry
	}
	if o.Batch <= 0 {
		o.Batch = 50
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
}

// OutboxJob is the leader's job that sends the letters queued in the
// outbox; see the package documentation for what it promises.
func (s *Service) OutboxJob(sender Sender, o OutboxOptions) leader.Job {
	o.defaults()
	return leader.Job{Name: "outbox", Run: func(ctx context.Context, lead *leader.Lead) error {
		for {
			if err := s.sendDue(ctx, lead, sender, o); err != nil {
				return err
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(o.Poll):
			}
		}
	}}
}

// sendDue sends every letter due now, one at a time.
func (s *Service) sendDue(ctx context.Context, lead *leader.Lead, sender Sender, o OutboxOptions) error {
	for {
		var due []store.OutboxEntry
		err := lead.View(ctx, func(tx store.ReadTx) (err error) {
			due, err = store.DueOutbox(tx, s.clock.Now(), o.Batch)
			return err
		})
		if err != nil || len(due) == 0 {
			return err
		}
		for _, e := range due {
			if err := s.sendOne(ctx, lead, sender, o, e); err != nil {
				return err
			}
		}
	}
}

// sendOne claims the entry, sends it and records the outcome. The claim is
// committed before the letter leaves: it moves the entry Claim into the
// future, so a sender that dies while sending (or a leader deposed
// meanwhile) leaves it to be tried again only once the claim runs out.
func (s *Service) sendOne(ctx context.Context, lead *leader.Lead, sender Sender, o OutboxOptions, e store.OutboxEntry) error {
	env := s.env("system:outbox")
	claimed := e
	claimed.Due = env.Now.Add(o.Claim)
	var letter Letter
	var attempt int
	var gone bool
	err := lead.Update(ctx, func(tx store.WriteTx) error {
		gone = false
		if !store.OutboxHolds(tx, e) {
			gone = true // taken meanwhile
			return nil
		}
		c, err := s.load(tx, e.CaseID)
		if err != nil {
			return err
		}
		m, ok := c.Message(e.MessageID)
		body, berr := store.GetMessageBody(tx, e.CaseID, e.MessageID)
		if !ok || m.Delivery == nil || berr != nil {
			// Nothing can ever send it: drop it rather than block the queue.
			o.Log.Error("outbox entry without its message; dropped", "case", e.CaseID, "message", e.MessageID, "error", berr)
			gone = true
			return store.DeleteOutbox(tx, e)
		}
		attempt = m.Delivery.Attempts + 1
		letter = compose(m, body, e.Secrets)
		if err := store.DeleteOutbox(tx, e); err != nil {
			return err
		}
		return store.PutOutbox(tx, claimed)
	})
	if err != nil || gone {
		return err
	}
	sendCtx, cancel := context.WithTimeout(ctx, o.Claim/2)
	sendErr := sender.Send(sendCtx, letter)
	cancel()
	if sendErr != nil && ctx.Err() != nil {
		return ctx.Err() // stopping: the claim runs out and the letter is tried again
	}
	result := cases.Attempt{Err: scrubbed(sendErr, letter.To), Permanent: permanent(sendErr)}
	env = s.env("system:outbox")
	err = lead.Update(ctx, func(tx store.WriteTx) error {
		if !store.OutboxHolds(tx, claimed) {
			return nil
		}
		c, err := s.load(tx, e.CaseID)
		if err != nil {
			return err
		}
		before, err := store.IndexOf(tx, c)
		if err != nil {
			return err
		}
		retryAt, change, err := cases.RecordAttempt(c, e.MessageID, attempt, result, o.Retry, env)
		if err != nil {
			return err
		}
		if err := store.DeleteOutbox(tx, claimed); err != nil {
			return err
		}
		if !retryAt.IsZero() {
			again := e
			again.Due = retryAt
			if err := store.PutOutbox(tx, again); err != nil {
				return err
			}
		}
		return s.write(tx, env, before, c, change)
	})
	if err != nil {
		return fmt.Errorf("record the delivery of message %s of case %s: %w", e.MessageID, e.CaseID, err)
	}
	if sendErr != nil {
		o.Log.Warn("letter not delivered", "case", e.CaseID, "message", e.MessageID, "attempt", attempt, "error", result.Err)
	}
	return nil
}

// compose is the letter as sent: the kept body with its secrets restored,
// and its text part laid out for reading from the kept text's markup.
func compose(m *cases.Message, body *cases.MessageBody, secrets []cases.Secret) Letter {
	text, html := body.Text, body.HTML
	for _, sec := range secrets {
		text = strings.ReplaceAll(text, sec.Placeholder, sec.Value)
		html = strings.ReplaceAll(html, sec.Placeholder, sec.Value)
	}
	return Letter{ID: m.ID, To: m.To, Subject: body.Subject, Text: letters.Letter{Text: text}.PlainText(), HTML: html}
}

func permanent(err error) bool {
	var p interface{ Permanent() bool }
	return errors.As(err, &p) && p.Permanent()
}

// emailAddress finds addresses in a relay's reply ("550 <ada@example.org>:
// unknown user"), which must not reach the case, the audit trail or logs.
var emailAddress = regexp.MustCompile(`[^\s<>"'(),;:]+@[^\s<>"'(),;:]+`)

// scrubbed is err with the recipient's and any other address taken out.
func scrubbed(err error, to string) error {
	if err == nil {
		return nil
	}
	text := err.Error()
	if to != "" {
		text = strings.ReplaceAll(text, to, "[recipient]")
	}
	return errors.New(emailAddress.ReplaceAllString(text, "[address]"))
}

// writeCreated writes a new case with its audit event and, for a request
// from the public pages with an email address, queues its acknowledgement:
// the letter's body, its outbox entry and the audit event recording its
// template, version and hash, all in the transaction that opens the case.
func (s *Service) writeCreated(tx store.WriteTx, env cases.Env, created *cases.Created, prepared *preparedCreate) error {
	if prepared != nil {
		if err := store.PutNewCase(tx, prepared.record); err != nil {
			return err
		}
		return store.AppendPrepared(tx, prepared.event)
	}
	c := created.Case
	c.Messages = nil // the store may run the transaction again: queue afresh
	if !s.AcknowledgesByEmail(c) {
		return s.write(tx, env, nil, c, created.Change)
	}
	l, secrets, err := s.acknowledgement(c, env, created.StatusToken)
	if err != nil {
		return err
	}
	queued, err := s.queue(tx, env, c, l, secrets)
	if err != nil {
		return err
	}
	if err := s.write(tx, env, nil, c, created.Change); err != nil {
		return err
	}
	return s.record(tx, env, c, *queued)
}

// Messages is the correspondence of a case, oldest first.
func (s *Service) Messages(ctx context.Context, id string) ([]cases.Message, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return c.Correspondence(), nil
}

// MessageBody reads what a letter of a case says.
func (s *Service) MessageBody(ctx context.Context, caseID, messageID string) (body *cases.MessageBody, err error) {
	err = s.store.View(ctx, func(tx store.ReadTx) error {
		c, err := s.load(tx, caseID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(c.Messages, func(m cases.Message) bool { return m.ID == messageID }) {
			return &fault.NotFound{Resource: "message", Name: c.Name() + "/messages/" + messageID}
		}
		body, err = store.GetMessageBody(tx, caseID, messageID)
		return err
	})
	return body, err
}
