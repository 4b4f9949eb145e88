package casework

import (
	"context"
	"errors"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

// Evidence is everything recorded about one case, read in one transaction
// so the case, its events and the chain's head agree: the material of an
// evidence bundle for a regulator or a complaint (see package export).
type Evidence struct {
	Case *cases.Case
	// Notice is the notice version the request was received under, nil if
	// the notice has since been removed from the catalogue.
	Notice   *notice.Version
	NoticeID string
	// Events are the case's audit events, oldest first, with their personal
	// payloads (nil where there was none or it was erased).
	Events   []audit.Event
	Payloads []*audit.Payload
	// Proof holds the same events and the head of the whole chain, for
	// audit.VerifyProof.
	Proof     audit.Proof
	Generated time.Time
}

// Evidence gathers a case's evidence.
func (s *Service) Evidence(ctx context.Context, id string) (*Evidence, error) {
	ev := &Evidence{Generated: s.clock.Now().UTC()}
	err := s.store.View(ctx, func(tx store.ReadTx) error {
		c, err := s.load(tx, id)
		if err != nil {
			return err
		}
		ev.Case, ev.NoticeID = c, c.NoticeID
		n, err := store.GetNotice(tx, c.NoticeID)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		default:
			if v, ok := n.Version(c.NoticeVersion); ok {
				ev.Notice = v
			}
		}
		if ev.Events, ev.Payloads, err = store.CaseEvents(tx, id); err != nil {
			return err
		}
		seq, head, err := store.AuditHead(tx)
		if err != nil {
			return err
		}
		ev.Proof = audit.Proof{Events: ev.Events, Head: head, HeadSeq: seq}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ev, nil
}
