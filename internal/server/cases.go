package server

import (
	"context"
	"strconv"
	"strings"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// caseService is the CaseService: each method parses, calls casework once
// and converts the result.
type caseService struct {
	rdv1.UnimplementedCaseServiceServer
	work usecase.Cases
	// searches sends search requests to data owners (searchrequests.go).
	searches usecase.SearchRequests
}

func actor(ctx context.Context) string {
	if p, ok := auth.FromContext(ctx); ok {
		return p.Actor()
	}
	return "public"
}

func caseID(name string) string { return strings.TrimPrefix(name, "cases/") }

func (s *caseService) CreateCase(ctx context.Context, req *rdv1.CreateCaseRequest) (*rdv1.Case, error) {
	res, err := s.work.Create(ctx, actor(ctx), newCaseFromProto(req.GetCase(), req.GetRequestId()))
	if err != nil {
		return nil, err
	}
	out := s.toProto(res.Case)
	out.StatusToken = res.StatusToken
	return out, nil
}

func (s *caseService) GetCase(ctx context.Context, req *rdv1.GetCaseRequest) (*rdv1.Case, error) {
	c, err := s.work.Get(ctx, caseID(req.GetName()))
	if err != nil {
		return nil, err
	}
	return s.toProto(c), nil
}

func (s *caseService) ListCases(ctx context.Context, req *rdv1.ListCasesRequest) (*rdv1.ListCasesResponse, error) {
	query := req.GetFilter() + "\x00" + req.GetOrderBy()
	after, err := decodePageToken(req.GetPageToken(), query)
	if err != nil {
		return nil, err
	}
	q := usecase.Query{Filter: req.GetFilter(), OrderBy: req.GetOrderBy(), Limit: pageSize(req.GetPageSize(), 50, 500)}
	if after != "" {
		q.After = []byte(after)
	}
	page, err := s.work.List(ctx, q)
	if err != nil {
		return nil, err
	}
	resp := &rdv1.ListCasesResponse{}
	standings := s.work.Standings(page.Cases)
	for i, c := range page.Cases {
		resp.Cases = append(resp.Cases, caseToProto(c, standings[i]))
	}
	if page.Next != nil {
		resp.NextPageToken = encodePageToken(string(page.Next), query)
	}
	return resp, nil
}

func (s *caseService) UpdateCase(ctx context.Context, req *rdv1.UpdateCaseRequest) (*rdv1.Case, error) {
	cmd := cases.Update{Paths: req.GetUpdateMask().GetPaths(), From: caseFieldsFromProto(req.GetCase())}
	return s.apply(ctx, req.GetCase().GetName(), req.GetCase().GetEtag(), cmd)
}

func (s *caseService) AssignCase(ctx context.Context, req *rdv1.AssignCaseRequest) (*rdv1.Case, error) {
	return s.apply(ctx, req.GetName(), req.GetEtag(), cases.Assign{Assignee: req.GetAssignee(), On: req.GetOn()})
}

func (s *caseService) RequestIdentity(ctx context.Context, req *rdv1.RequestIdentityRequest) (*rdv1.Case, error) {
	return s.applyWithLetter(ctx, req.GetName(), req.GetEtag(), cases.RequestFromRequester{What: cases.WaitingForIdentity, On: req.GetOn(), Detail: req.GetDetail()}, req.GetLetterText())
}

func (s *caseService) ConfirmIdentity(ctx context.Context, req *rdv1.ConfirmIdentityRequest) (*rdv1.Case, error) {
	return s.apply(ctx, req.GetName(), req.GetEtag(), cases.ConfirmIdentity{On: req.GetOn(), Detail: req.GetDetail()})
}

func (s *caseService) RequestClarification(ctx context.Context, req *rdv1.RequestClarificationRequest) (*rdv1.Case, error) {
	return s.applyWithLetter(ctx, req.GetName(), req.GetEtag(), cases.RequestFromRequester{What: cases.WaitingForClarification, On: req.GetOn(), Detail: req.GetDetail()}, req.GetLetterText())
}

func (s *caseService) RequestFee(ctx context.Context, req *rdv1.RequestFeeRequest) (*rdv1.Case, error) {
	return s.applyWithLetter(ctx, req.GetName(), req.GetEtag(), cases.RequestFromRequester{What: cases.WaitingForFee, On: req.GetOn(), Detail: req.GetDetail()}, req.GetLetterText())
}

func (s *caseService) RecordRequesterResponse(ctx context.Context, req *rdv1.RecordRequesterResponseRequest) (*rdv1.Case, error) {
	return s.apply(ctx, req.GetName(), req.GetEtag(), cases.RecordResponse{On: req.GetOn(), Detail: req.GetDetail()})
}

func (s *caseService) ExtendCase(ctx context.Context, req *rdv1.ExtendCaseRequest) (*rdv1.Case, error) {
	return s.applyWithLetter(ctx, req.GetName(), req.GetEtag(), cases.Extend{On: req.GetOn(), Reason: req.GetReason(), Months: int(req.GetMonths())}, req.GetLetterText())
}

func (s *caseService) CloseCase(ctx context.Context, req *rdv1.CloseCaseRequest) (*rdv1.Case, error) {
	cmd := cases.Close{
		On: req.GetOn(), Detail: req.GetDetail(),
		Outcome:        cases.OutcomeKind(enumToDomain(req.GetOutcome(), "OUTCOME_KIND_")),
		RefusalReason:  cases.RefusalReason(enumToDomain(req.GetRefusalReason(), "REFUSAL_REASON_")),
		OverrideReason: req.GetOverrideReason(),
		ActionTaken:    req.GetActionTaken(),
	}
	for _, n := range req.GetRecipientNotices() {
		cmd.Notify = append(cmd.Notify, cases.RecipientNotice{Recipient: n.GetRecipient(), Email: n.GetEmail(), LetterText: n.GetLetterText()})
	}
	return s.applyWithLetter(ctx, req.GetName(), req.GetEtag(), cmd, req.GetLetterText())
}

func (s *caseService) ReopenCase(ctx context.Context, req *rdv1.ReopenCaseRequest) (*rdv1.Case, error) {
	return s.apply(ctx, req.GetName(), req.GetEtag(), cases.Reopen{Reason: req.GetReason(), On: req.GetOn()})
}

func (s *caseService) AddNote(ctx context.Context, req *rdv1.AddNoteRequest) (*rdv1.Case, error) {
	return s.apply(ctx, req.GetName(), req.GetEtag(), cases.AddNote{Text: req.GetText(), On: req.GetOn(), RequestID: req.GetRequestId()})
}

func (s *caseService) CompleteTask(ctx context.Context, req *rdv1.CompleteTaskRequest) (*rdv1.Case, error) {
	return s.apply(ctx, req.GetName(), req.GetEtag(), cases.CompleteTask{
		TaskID: req.GetTaskId(), State: cases.TaskState(enumToDomain(req.GetState(), "TASK_STATE_")), Resolution: req.GetResolution(), On: req.GetOn(),
	})
}

func (s *caseService) RecordSearch(ctx context.Context, req *rdv1.RecordSearchRequest) (*rdv1.Case, error) {
	return s.apply(ctx, req.GetName(), req.GetEtag(), cases.RecordSearch{Source: req.GetSource(), On: req.GetOn(), By: req.GetBy(), Found: req.GetFound(), RequestID: req.GetRequestId()})
}

func (s *caseService) RecordNotSearched(ctx context.Context, req *rdv1.RecordNotSearchedRequest) (*rdv1.Case, error) {
	return s.apply(ctx, req.GetName(), req.GetEtag(), cases.RecordNotSearched{Source: req.GetSource(), Reason: req.GetReason(), On: req.GetOn(), RequestID: req.GetRequestId()})
}

func (s *caseService) LinkCases(ctx context.Context, req *rdv1.LinkCasesRequest) (*rdv1.Case, error) {
	c, err := s.work.Link(ctx, actor(ctx), caseID(req.GetName()), caseID(req.GetOther()))
	if err != nil {
		return nil, err
	}
	return s.toProto(c), nil
}

func (s *caseService) MergeCase(ctx context.Context, req *rdv1.MergeCaseRequest) (*rdv1.Case, error) {
	c, err := s.work.Merge(ctx, actor(ctx), caseID(req.GetName()), req.GetEtag(), caseID(req.GetInto()), req.GetOn(), req.GetLetterText())
	if err != nil {
		return nil, err
	}
	return s.toProto(c), nil
}

// A case's events come a page at a time, oldest first (AIP-158).
const (
	eventPageDefault = 100
	eventPageMax     = 1000
)

func (s *caseService) ListCaseEvents(ctx context.Context, req *rdv1.ListCaseEventsRequest) (*rdv1.ListCaseEventsResponse, error) {
	after, err := decodePageToken(req.GetPageToken(), req.GetName())
	if err != nil {
		return nil, err
	}
	events, err := s.work.Events(ctx, caseID(req.GetName()))
	if err != nil {
		return nil, err
	}
	sequence := func(e audit.Event) string { return strconv.FormatUint(e.Seq, 10) }
	page, next, err := pageAfter(events, sequence, after, pageSize(req.GetPageSize(), eventPageDefault, eventPageMax))
	if err != nil {
		return nil, err
	}
	resp := &rdv1.ListCaseEventsResponse{}
	for i := range page {
		resp.Events = append(resp.Events, eventToProto(&page[i]))
	}
	if next != "" {
		resp.NextPageToken = encodePageToken(next, req.GetName())
	}
	return resp, nil
}

func (s *caseService) apply(ctx context.Context, name, etag string, cmd cases.Command) (*rdv1.Case, error) {
	return s.applyWithLetter(ctx, name, etag, cmd, "")
}

// applyWithLetter runs a command whose letter to the requester the caller
// may word themselves: letterText in place of the template's ("" keeps it).
func (s *caseService) applyWithLetter(ctx context.Context, name, etag string, cmd cases.Command, letterText string) (*rdv1.Case, error) {
	c, err := s.work.ApplyWithLetter(ctx, actor(ctx), caseID(name), etag, cmd, letterText)
	if err != nil {
		return nil, err
	}
	return s.toProto(c), nil
}

// toProto converts a case with how much time it has left today.
func (s *caseService) toProto(c *cases.Case) *rdv1.Case {
	return caseToProto(c, s.work.Standings([]*cases.Case{c})[0])
}
