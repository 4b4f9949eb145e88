package server

import (
	"context"

	"google.golang.org/protobuf/types/known/timestamppb"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/cases"
)

// The response pack's four-eyes review (cases/review.go): each RPC is one
// domain command; who may call it is the proto's required_role, and that
// the approver is not the submitter is the domain's.

func (s *caseService) SubmitForReview(ctx context.Context, req *rdv1.SubmitForReviewRequest) (*rdv1.Case, error) {
	return s.apply(ctx, req.GetName(), req.GetEtag(), cases.SubmitForReview{})
}

func (s *caseService) ApproveReview(ctx context.Context, req *rdv1.ApproveReviewRequest) (*rdv1.Case, error) {
	return s.apply(ctx, req.GetName(), req.GetEtag(), cases.ApproveReview{Comments: req.GetComments()})
}

func (s *caseService) ReturnReview(ctx context.Context, req *rdv1.ReturnReviewRequest) (*rdv1.Case, error) {
	return s.apply(ctx, req.GetName(), req.GetEtag(), cases.ReturnReview{Comments: req.GetComments()})
}

func (s *caseService) ReleasePack(ctx context.Context, req *rdv1.ReleasePackRequest) (*rdv1.Case, error) {
	return s.apply(ctx, req.GetName(), req.GetEtag(), cases.ReleasePack{})
}

// reviewToProto is the case's review with the pack's state as it stands
// today (an approval undone by a change shows as CHANGED); nil before the
// pack was first submitted.
func reviewToProto(c *cases.Case) *rdv1.Review {
	if c.Review == nil {
		return nil
	}
	out := &rdv1.Review{State: reviewStateToProto(c.PackState())}
	for _, s := range c.Review.Steps {
		out.Steps = append(out.Steps, &rdv1.ReviewStep{
			State: reviewStateToProto(s.State), By: s.By, Time: timestamppb.New(s.On), Comments: s.Comments,
		})
	}
	return out
}

func reviewStateToProto(s cases.ReviewState) rdv1.ReviewState {
	return enumFromDomain[rdv1.ReviewState](rdv1.ReviewState_value, "REVIEW_STATE_", string(s))
}

func overrideToProto(o *cases.ClosureOverride) *rdv1.ClosureOverride {
	if o == nil {
		return nil
	}
	return &rdv1.ClosureOverride{By: o.By, Reason: o.Reason, Missing: o.Missing}
}
