package server

import (
	"context"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/cases"
)

// SetLegalHold holds or releases a case; the rule (a reason either way,
// no double hold) is the domain's cases.SetLegalHold, the role the RPC's.
func (s *caseService) SetLegalHold(ctx context.Context, req *rdv1.SetLegalHoldRequest) (*rdv1.Case, error) {
	return s.apply(ctx, req.GetName(), req.GetEtag(), cases.SetLegalHold{Held: req.GetHeld(), Reason: req.GetReason()})
}

// retentionToProto is a case's legal hold and purge marker, nil where it
// has none.
func retentionToProto(c *cases.Case) (*rdv1.LegalHold, *rdv1.Purge) {
	var hold *rdv1.LegalHold
	var purge *rdv1.Purge
	if h := c.LegalHold; h != nil {
		hold = &rdv1.LegalHold{Reason: h.Reason, Since: h.Since, By: h.By}
	}
	if p := c.Purged; p != nil {
		purge = &rdv1.Purge{On: p.On, Reason: string(p.Reason)}
	}
	return hold, purge
}
