package casework

import (
	"context"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/letters"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

var _ usecase.Delivery = (*Service)(nil)

// deliveryCodePlaceholder stands for the one-time code in the kept copy of
// its email: the case keeps only the code's keyed hash, and the outbox the
// code itself only until the email is sent.
const deliveryCodePlaceholder = "[one-time code: sent to the requester, not kept]"

// PackOffer is what the status page offers c's requester now.
func (s *Service) PackOffer(c *cases.Case) cases.PackOffer { return c.PackOffer(s.clock.Now()) }

// SendDeliveryCode emails the requester of a released pack, found by
// reference and status code as Status finds it, a new one-time code to
// download it. The code's keyed hash, the email and its outbox entry are
// one transaction; the code itself is in no record but the sealed outbox
// entry, until the email is sent.
func (s *Service) SendDeliveryCode(ctx context.Context, reference, token string) (*cases.Case, error) {
	found, err := s.Status(ctx, reference, token)
	if err != nil {
		return nil, err
	}
	if s.letters == nil {
		return nil, &fault.FailedPrecondition{Subject: found.Name(), Description: "codes cannot be emailed here: no email relay is set up; contact us for your response"}
	}
	code, err := cases.NewDeliveryCode(s.random)
	if err != nil {
		return nil, err
	}
	env := s.env(usecase.RequesterActor)
	var updated *cases.Case
	err = s.store.Update(ctx, func(tx store.WriteTx) error {
		c, err := s.load(tx, found.ID)
		if err != nil {
			return err
		}
		hash, err := store.HashDeliveryCode(tx, c.ID, code)
		if err != nil {
			return err
		}
		before, err := store.IndexOf(tx, c)
		if err != nil {
			return err
		}
		change, err := cases.Apply(c, cases.SendDeliveryCode{Hash: hash}, env)
		if err != nil {
			return err
		}
		l, err := s.letters.Write(letters.KindDeliveryCode, letters.Facts{Case: c, Notice: noticesIn(tx), On: env.Today().String(), DeliveryCode: deliveryCodePlaceholder})
		if err != nil {
			return err
		}
		queued, err := s.queue(tx, env, c, l, []cases.Secret{{Placeholder: deliveryCodePlaceholder, Value: cases.GroupDeliveryCode(code)}})
		if err != nil {
			return err
		}
		if err := s.write(tx, env, before, c, change); err != nil {
			return err
		}
		updated = c
		return s.record(tx, env, c, *queued)
	})
	return updated, err
}

// RedeemDeliveryCode takes a one-time code typed on the status page of the
// request found by reference and status code. A code that works is spent
// and the download recorded; the caller then writes the pack. Any other
// code — wrong, expired, used, spent by wrong tries, or another case's —
// is recorded as refused and answered with cases.ErrDeliveryCodeRefused,
// the same way and by the same steps (hash, compare in constant time, one
// write), so neither the answer nor its timing tells them apart.
func (s *Service) RedeemDeliveryCode(ctx context.Context, reference, token, code string) (*cases.Case, error) {
	found, err := s.Status(ctx, reference, token)
	if err != nil {
		return nil, err
	}
	env := s.env(usecase.RequesterActor)
	var updated *cases.Case
	refused := false
	err = s.store.Update(ctx, func(tx store.WriteTx) (err error) {
		c, err := s.load(tx, found.ID)
		if err != nil {
			return err
		}
		hash, err := store.HashDeliveryCode(tx, c.ID, cases.NormaliseDeliveryCode(code))
		if err != nil {
			return err
		}
		var cmd cases.Command = cases.DownloadPack{Hash: hash}
		refused = !c.DeliveryCodeWorks(hash, env.Now)
		if refused {
			cmd = cases.RefuseDeliveryCode{}
		}
		updated, err = s.applyIn(tx, env, c.ID, "", cmd)
		return err
	})
	if err != nil {
		return nil, err
	}
	if refused {
		return nil, cases.ErrDeliveryCodeRefused
	}
	return updated, nil
}
