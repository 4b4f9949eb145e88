package server

import (
	"context"
	"fmt"
	"strings"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// NewDeadlineService returns the DeadlineService, for the command line to
// call in process with exactly the behaviour of the RPC.
func NewDeadlineService(engine *deadline.Engine, c clock.Clock) rdv1.DeadlineServiceServer {
	return &deadlineService{engine: engine, clock: c}
}

type deadlineService struct {
	rdv1.UnimplementedDeadlineServiceServer
	engine *deadline.Engine
	clock  clock.Clock
}

func (s *deadlineService) CalculateDeadline(_ context.Context, req *rdv1.CalculateDeadlineRequest) (*rdv1.CalculateDeadlineResponse, error) {
	in, err := deadlineRequestFromProto(req)
	if err != nil {
		return nil, err
	}
	res, err := s.engine.Calculate(in)
	if err != nil {
		return nil, err
	}
	asOf := deadline.DateOf(s.clock.Now())
	if req.GetAsOf() != "" {
		if asOf, err = parseDateField("as_of", req.GetAsOf()); err != nil {
			return nil, err
		}
	}
	standing, err := s.engine.StandingOn(in.Region, res.Due(), asOf)
	if err != nil {
		return nil, err
	}
	return deadlineResultToProto(req.GetRegime(), res, standing), nil
}

func deadlineRequestFromProto(req *rdv1.CalculateDeadlineRequest) (deadline.Request, error) {
	in := deadline.Request{
		Regime:             regimeName(req.GetRegime()),
		Region:             req.GetRegion(),
		CautiousPauses:     req.GetCautiousPauses(),
		InternalTargetDays: int(req.GetInternalTargetDays()),
	}
	var err error
	if in.Received, err = parseDateField("received", req.GetReceived()); err != nil {
		return in, err
	}
	if in.IdentityReceived, err = optionalDateField("identity_received", req.GetIdentityReceived()); err != nil {
		return in, err
	}
	if in.FeeReceived, err = optionalDateField("fee_received", req.GetFeeReceived()); err != nil {
		return in, err
	}
	for i, p := range req.GetPauses() {
		field := fmt.Sprintf("pauses[%d]", i)
		asked, err := parseDateField(field+".asked", p.GetAsked())
		if err != nil {
			return in, err
		}
		answered, err := parseDateField(field+".answered", p.GetAnswered())
		if err != nil {
			return in, err
		}
		in.Pauses = append(in.Pauses, deadline.Pause{Asked: asked, Answered: answered})
	}
	if ext := req.GetExtension(); ext != nil {
		granted, err := parseDateField("extension.granted_on", ext.GetGrantedOn())
		if err != nil {
			return in, err
		}
		in.Extension = &deadline.Extension{GrantedOn: granted, Reason: ext.GetReason(), Months: int(ext.GetMonths())}
	}
	return in, nil
}

func regimeName(r rdv1.Regime) string {
	return strings.ReplaceAll(enumToDomain(r, "REGIME_"), "_", "-")
}

func parseDateField(field, value string) (deadline.Date, error) {
	d, err := deadline.ParseDate(value)
	if err != nil {
		return d, fault.Invalid(field, "%q is not a valid date (want YYYY-MM-DD): %v", value, err)
	}
	return d, nil
}

func optionalDateField(field, value string) (*deadline.Date, error) {
	if value == "" {
		return nil, nil
	}
	d, err := parseDateField(field, value)
	return &d, err
}

func deadlineResultToProto(regime rdv1.Regime, res deadline.Result, st deadline.Standing) *rdv1.CalculateDeadlineResponse {
	if regime == rdv1.Regime_REGIME_UNSPECIFIED {
		regime = rdv1.Regime_REGIME_UK_GDPR
	}
	out := &rdv1.CalculateDeadlineResponse{
		Regime:            regime,
		RuleSet:           res.RuleSet,
		ClockStart:        res.ClockStart.String(),
		StatutoryDue:      res.StatutoryDue.String(),
		ExtendedDue:       optionalDate(res.ExtendedDue),
		ExtensionNoticeBy: res.ExtensionNoticeBy.String(),
		ConfirmBy:         optionalDate(res.ConfirmBy),
		InternalTarget:    optionalDate(res.InternalTarget),
		PausedDays:        int32(res.PausedDays),
		Due:               res.Due().String(),
		Standing: &rdv1.Standing{
			CalendarDaysLeft: int32(st.CalendarDaysLeft), WorkingDaysLeft: int32(st.WorkingDaysLeft),
			Overdue: st.Overdue, Rag: string(st.RAG),
		},
	}
	for _, step := range res.Steps {
		out.Steps = append(out.Steps, &rdv1.ExplanationStep{Text: step.Text, Date: dateOrEmpty(step.Date)})
	}
	return out
}

func optionalDate(d *deadline.Date) string {
	if d == nil {
		return ""
	}
	return d.String()
}

func dateOrEmpty(d deadline.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}
