package server

import (
	"context"
	"errors"
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
	in, asOf, unreadable := deadlineRequestFromProto(req, deadline.DateOf(s.clock.Now()))
	if len(unreadable) > 0 {
		return nil, s.everyBadField(in, unreadable)
	}
	res, err := s.engine.Calculate(in)
	if err != nil {
		return nil, err
	}
	standing, err := s.engine.StandingOn(in.Region, res.Due(), asOf)
	if err != nil {
		return nil, err
	}
	return deadlineResultToProto(req.GetRegime(), res, standing), nil
}

// everyBadField answers a request with dates it could not read by naming
// those and, in the same answer, every other field the engine refuses.
func (s *deadlineService) everyBadField(in deadline.Request, unreadable []fault.FieldViolation) error {
	bad := map[string]bool{}
	for _, v := range unreadable {
		bad[v.Field] = true
	}
	violations := unreadable
	var fields deadline.FieldErrors
	var field *deadline.FieldError
	err := s.engine.Validate(in)
	switch {
	case errors.As(err, &fields):
	case errors.As(err, &field):
		fields = deadline.FieldErrors{field}
	}
	for _, f := range fields {
		if !bad[f.Field] { // an unreadable date is also "required" to the engine
			violations = append(violations, fault.FieldViolation{Field: f.Field, Description: f.Description})
		}
	}
	return &fault.InvalidArgument{Violations: violations}
}

// deadlineRequestFromProto reads the request, and the day to measure the
// time left on (today unless as_of says), naming every date it cannot read.
func deadlineRequestFromProto(req *rdv1.CalculateDeadlineRequest, today deadline.Date) (in deadline.Request, asOf deadline.Date, unreadable []fault.FieldViolation) {
	in = deadline.Request{
		Regime:             regimeName(req.GetRegime()),
		Region:             req.GetRegion(),
		CautiousPauses:     req.GetCautiousPauses(),
		InternalTargetDays: int(req.GetInternalTargetDays()),
	}
	date := func(field, value string) deadline.Date {
		d, err := deadline.ParseDate(value)
		if err != nil {
			unreadable = append(unreadable, fault.FieldViolation{Field: field, Description: fmt.Sprintf("%q is not a valid date (want YYYY-MM-DD): %v", value, err)})
		}
		return d
	}
	optional := func(field, value string) *deadline.Date {
		if value == "" {
			return nil
		}
		d := date(field, value)
		return &d
	}
	in.Received = date("received", req.GetReceived())
	in.IdentityReceived = optional("identity_received", req.GetIdentityReceived())
	in.FeeReceived = optional("fee_received", req.GetFeeReceived())
	for i, p := range req.GetPauses() {
		field := fmt.Sprintf("pauses[%d]", i)
		in.Pauses = append(in.Pauses, deadline.Pause{Asked: date(field+".asked", p.GetAsked()), Answered: date(field+".answered", p.GetAnswered())})
	}
	if ext := req.GetExtension(); ext != nil {
		in.Extension = &deadline.Extension{GrantedOn: date("extension.granted_on", ext.GetGrantedOn()), Reason: ext.GetReason(), Months: int(ext.GetMonths())}
	}
	asOf = today
	if req.GetAsOf() != "" {
		asOf = date("as_of", req.GetAsOf())
	}
	return in, asOf, unreadable
}

func regimeName(r rdv1.Regime) string {
	return strings.ReplaceAll(enumToDomain(r, "REGIME_"), "_", "-")
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
