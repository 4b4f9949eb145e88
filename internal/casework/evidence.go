package casework

import (
	"context"
	"errors"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// Evidence gathers a case's evidence.
func (s *Service) Evidence(ctx context.Context, id string) (*usecase.Evidence, error) {
	ev := &usecase.Evidence{Generated: s.clock.Now().UTC()}
	err := s.store.View(ctx, func(tx store.ReadTx) error {
		c, err := s.load(tx, id)
		if err != nil {
			return err
		}
		ev.Case, ev.Notices = c, map[string]*notice.Version{}
		for _, ref := range c.Notices {
			n, err := store.GetNotice(tx, ref.ID)
			switch {
			case errors.Is(err, store.ErrNotFound):
			case err != nil:
				return err
			default:
				if v, ok := n.Version(ref.Version); ok {
					ev.Notices[ref.ID] = v
				}
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
