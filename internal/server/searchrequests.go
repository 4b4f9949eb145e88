package server

import (
	"context"
	"strings"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// SendSearchRequest records a search request and emails its owner.
func (s *caseService) SendSearchRequest(ctx context.Context, req *rdv1.SendSearchRequestRequest) (*rdv1.Case, error) {
	if s.searches == nil {
		return nil, &fault.FailedPrecondition{Subject: req.GetName(), Description: "this server sends no search requests"}
	}
	c, err := s.searches.SendSearchRequest(ctx, actor(ctx), caseID(req.GetName()), req.GetEtag(), cases.SendSearchRequest{
		Owner: req.GetOwner(), Email: req.GetEmail(), Source: req.GetSource(), Due: req.GetDue(),
	})
	if err != nil {
		return nil, err
	}
	return s.toProto(c), nil
}

// CancelSearchRequest cancels a search request not yet answered.
func (s *caseService) CancelSearchRequest(ctx context.Context, req *rdv1.CancelSearchRequestRequest) (*rdv1.Case, error) {
	name, id, _ := strings.Cut(req.GetName(), "/searchRequests/")
	return s.apply(ctx, name, req.GetEtag(), cases.CancelSearchRequest{ID: id})
}

func searchRequestsToProto(parent string, requests []cases.SearchRequest) []*rdv1.SearchRequest {
	out := make([]*rdv1.SearchRequest, 0, len(requests))
	for _, r := range requests {
		out = append(out, &rdv1.SearchRequest{
			Name: parent + "/searchRequests/" + r.ID, Id: r.ID, Owner: r.Owner, Email: r.Email, Source: r.Source, Due: r.Due,
			State:  enumFromDomain[rdv1.SearchRequestState](rdv1.SearchRequestState_value, "SEARCH_REQUEST_STATE_", string(r.State)),
			SentBy: r.SentBy, SentOn: r.SentOn, LinkUntil: r.LinkUntil, ChasedOn: r.ChasedOn, AnsweredOn: r.AnsweredOn,
			CancelledOn: r.CancelledOn, SearchId: r.SearchID,
		})
	}
	return out
}
