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

// Drafts: a step that needs a letter shows staff the letter first, written
// from the case as the step would leave it; they may change its words, and
// the step and the letter in their words are then done together. The
// draft is the hook's own work (letterFor) on a case read for the purpose
// and thrown away, so it says what sending would say.

// LettersTo says whether the service writes and sends the letters c's
// steps need, and if not, why not.
func (s *Service) LettersTo(c *cases.Case) (bool, usecase.NoLetters) {
	switch {
	case s.writesTo(c):
		return true, ""
	case s.letters == nil:
		return false, usecase.NoLettersRelay
	}
	return false, usecase.NoLettersAddress
}

// DraftLetter writes the letter cmd would send the requester of case id,
// in staff's words when letterText is not "", from the case as cmd would
// leave it; nothing is stored. It is nil when cmd sends no letter.
func (s *Service) DraftLetter(ctx context.Context, id string, cmd cases.Command, letterText string) (*letters.Letter, error) {
	env := s.env("")
	var draft *letters.Letter
	err := s.store.View(ctx, func(tx store.ReadTx) error {
		c, err := s.load(tx, id) // decoded for this call alone: the command may change it
		if err != nil {
			return err
		}
		env.Notice = noticesIn(tx)
		if _, err := cases.Apply(c, cmd, env); err != nil {
			return err
		}
		l, ok, err := s.letterFor(tx, env, c, cmd, letterText)
		if ok {
			draft = &l
		}
		return err
	})
	return draft, err
}

// ApplyWithLetter runs cmd on a case as Apply does, and queues the letter
// it needs in staff's words, letterText, in the same transaction ("" sends
// the template's letter unchanged).
func (s *Service) ApplyWithLetter(ctx context.Context, actor, id, etag string, cmd cases.Command, letterText string) (*cases.Case, error) {
	env := s.env(actor)
	var updated *cases.Case
	err := s.store.Update(ctx, func(tx store.WriteTx) (err error) {
		updated, err = s.applyWithLetterIn(tx, env, id, etag, cmd, letterText)
		return err
	})
	return updated, err
}

// revise puts staff's wording of a letter in place of the template's. A
// text that says what the template wrote, once normalised, is no edit:
// the letter stays the template's and is not marked edited. Every problem
// with an edited letter is one with staff's words, so it names their field.
func (s *Service) revise(l letters.Letter, text string) (letters.Letter, error) {
	if strings.TrimSpace(text) == "" || letters.Normalise(text) == l.Text {
		return l, nil
	}
	revised, err := s.letters.Revise(l, text)
	var invalid *fault.InvalidArgument
	if errors.As(err, &invalid) {
		for i := range invalid.Violations {
			invalid.Violations[i].Field = usecase.LetterTextField
		}
	}
	if err != nil {
		return letters.Letter{}, err
	}
	body := cases.MessageBody{Subject: revised.Subject, Text: revised.Text, HTML: revised.HTML}
	return revised, cases.CheckLetterBody(usecase.LetterTextField, body)
}
