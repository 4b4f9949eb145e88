package casework

import (
	"context"
	"errors"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/letters"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// Article 19: a close that names recipients to tell (cases.Close.Notify)
// queues one letter to each, by email, in the close's transaction; the
// domain has already recorded each as told, so the response letter, written
// from the closed case, names them.

// recipientLetters writes the letter to each recipient cmd names, from c
// as cmd left it, in staff's words where they gave some; none for a command
// that names no recipient. Without a relay nothing can be written to them,
// so a close that names some is refused: staff tell them another way and
// complete their tasks.
func (s *Service) recipientLetters(env cases.Env, c *cases.Case, cmd cases.Command) ([]letters.Letter, []cases.RecipientNotice, error) {
	closing, ok := cmd.(cases.Close)
	if !ok || len(closing.Notify) == 0 {
		return nil, nil, nil
	}
	if s.letters == nil {
		return nil, nil, fault.Invalid(cases.RecipientNoticesField,
			"this service has no mail relay, so it cannot write to recipients: tell them another way, and complete their tasks")
	}
	out := make([]letters.Letter, len(closing.Notify))
	for i, n := range closing.Notify {
		task := c.Article19Task(strings.TrimSpace(n.Recipient))
		if task == nil {
			// The domain made a task for every recipient it accepted.
			return nil, nil, errors.New("casework: a recipient told has no Article 19 task")
		}
		l, err := s.letters.Write(letters.KindArticle19, letters.Facts{Case: c, Notice: env.Notice, On: env.Today().String(), Recipient: task.Recipient})
		if err == nil {
			l, err = s.revise(l, n.LetterText)
		}
		if err != nil {
			return nil, nil, onRecipient(err, i)
		}
		out[i] = l
	}
	return out, closing.Notify, nil
}

// onRecipient puts a problem with staff's words for the i-th recipient's
// letter on that recipient's letter field.
func onRecipient(err error, i int) error {
	var invalid *fault.InvalidArgument
	if errors.As(err, &invalid) {
		for j := range invalid.Violations {
			if invalid.Violations[j].Field == usecase.LetterTextField {
				invalid.Violations[j].Field = cases.RecipientNoticeField(i, "letter_text")
			}
		}
	}
	return err
}

// queueRecipientLetters queues the letters recipientLetters writes and
// returns the audit change of each.
func (s *Service) queueRecipientLetters(tx store.WriteTx, env cases.Env, c *cases.Case, cmd cases.Command) ([]cases.Change, error) {
	written, notices, err := s.recipientLetters(env, c, cmd)
	if err != nil {
		return nil, err
	}
	changes := make([]cases.Change, 0, len(written))
	for i, l := range written {
		queued, err := s.queueTo(tx, env, c, l, cases.ChannelEmail, strings.TrimSpace(notices[i].Email), l.To.Name, nil)
		if err != nil {
			return nil, onRecipient(err, i)
		}
		changes = append(changes, *queued)
	}
	return changes, nil
}

// DraftRecipientLetters writes the letters a close would send the
// recipients it names (Article 19), from the case as the close would leave
// it; nothing is stored.
func (s *Service) DraftRecipientLetters(ctx context.Context, id string, cmd cases.Command) ([]letters.Letter, error) {
	env := s.env("")
	var drafts []letters.Letter
	err := s.store.View(ctx, func(tx store.ReadTx) error {
		c, err := s.load(tx, id) // decoded for this call alone: the command changes it
		if err != nil {
			return err
		}
		env.Notice = noticesIn(tx)
		if _, err := cases.Apply(c, cmd, env); err != nil {
			return err
		}
		drafts, _, err = s.recipientLetters(env, c, cmd)
		return err
	})
	return drafts, err
}
