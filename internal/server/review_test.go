package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/server"
)

// reviewServer is a server with a caseworker, an admin (who is also a
// caseworker: the second pair of eyes) and a viewer.
type reviewServer struct {
	*authServer
	client                    rdv1.CaseServiceClient
	caseworker, admin, viewer context.Context
}

func startReview(t *testing.T) *reviewServer {
	t.Helper()
	as := startWithTokensConfig(t, server.Config{MaxBodyBytes: 1 << 20, Clock: clock.Fixed(lifecycleNow)})
	bearer := func(role string) context.Context {
		return metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+as.tokens[role])
	}
	return &reviewServer{authServer: as, client: rdv1.NewCaseServiceClient(as.conn),
		caseworker: bearer("caseworker"), admin: bearer("admin"), viewer: bearer("viewer")}
}

func (rs *reviewServer) open(t *testing.T, right rdv1.Right) *rdv1.Case {
	t.Helper()
	c, err := rs.client.CreateCase(rs.caseworker, &rdv1.CreateCaseRequest{Case: &rdv1.Case{
		Notices: []*rdv1.CaseNotice{{Notice: lifecycleNoticeName}}, Rights: []*rdv1.RequestedRight{{Right: right}},
		Requester:  &rdv1.Requester{Person: &rdv1.Person{Name: "Ada Example", Email: "ada@example.org"}, Relationship: rdv1.Relationship_RELATIONSHIP_SELF},
		Channel:    rdv1.ReceivedChannel_RECEIVED_CHANNEL_EMAIL,
		ReceivedOn: "2026-04-27",
	}})
	mustStep(t, "create", err)
	return c
}

func assertCode(t *testing.T, err error, code codes.Code, says string) {
	t.Helper()
	st, _ := status.FromError(err)
	if st.Code() != code || !strings.Contains(st.Message(), says) {
		t.Fatalf("got %v; want %v saying %q", err, code, says)
	}
}

func TestFourEyesReviewOverTheAPI(t *testing.T) {
	rs := startReview(t)
	c := rs.open(t, rdv1.Right_RIGHT_ACCESS)
	name := c.GetName()

	_, err := rs.client.SubmitForReview(rs.viewer, &rdv1.SubmitForReviewRequest{Name: name})
	assertCode(t, err, codes.PermissionDenied, "caseworker")

	submitted, err := rs.client.SubmitForReview(rs.caseworker, &rdv1.SubmitForReviewRequest{Name: name, Etag: c.GetEtag()})
	mustStep(t, "submit", err)
	if r := submitted.GetReview(); r.GetState() != rdv1.ReviewState_REVIEW_STATE_SUBMITTED || len(r.GetSteps()) != 1 || r.GetSteps()[0].GetBy() != "token:caseworker" {
		t.Fatalf("after submission the review is %v", r)
	}

	_, err = rs.client.ApproveReview(rs.caseworker, &rdv1.ApproveReviewRequest{Name: name})
	assertCode(t, err, codes.FailedPrecondition, "you submitted this response pack, so you cannot approve it")
	_, err = rs.client.ReturnReview(rs.admin, &rdv1.ReturnReviewRequest{Name: name, Comments: " "})
	assertFieldViolation(t, err, "comments")
	_, err = rs.client.ReleasePack(rs.caseworker, &rdv1.ReleasePackRequest{Name: name})
	assertCode(t, err, codes.FailedPrecondition, "only an approved response pack can be released")

	returned, err := rs.client.ReturnReview(rs.admin, &rdv1.ReturnReviewRequest{Name: name, Comments: "Add the covering letter."})
	mustStep(t, "return", err)
	if steps := returned.GetReview().GetSteps(); returned.GetReview().GetState() != rdv1.ReviewState_REVIEW_STATE_RETURNED || steps[1].GetComments() != "Add the covering letter." {
		t.Fatalf("after the return the review is %v", returned.GetReview())
	}
	_, err = rs.client.SubmitForReview(rs.caseworker, &rdv1.SubmitForReviewRequest{Name: name})
	mustStep(t, "submit again", err)

	// REST: the same RPC through the gateway, by the second caseworker.
	code, body := rs.rest(t, http.MethodPost, "/v1/"+name+":approveReview", "admin", map[string]any{"comments": "Checked."})
	if code != http.StatusOK {
		t.Fatalf("REST approve: %d %v", code, body)
	}

	_, err = rs.client.CloseCase(rs.caseworker, &rdv1.CloseCaseRequest{Name: name, Outcome: rdv1.OutcomeKind_OUTCOME_KIND_FULFILLED})
	assertCode(t, err, codes.FailedPrecondition, "the response pack is not released (approved but not released)")

	released, err := rs.client.ReleasePack(rs.caseworker, &rdv1.ReleasePackRequest{Name: name})
	mustStep(t, "release", err)
	if released.GetReview().GetState() != rdv1.ReviewState_REVIEW_STATE_RELEASED {
		t.Fatalf("after release the review is %v", released.GetReview())
	}
	closed, err := rs.client.CloseCase(rs.caseworker, &rdv1.CloseCaseRequest{Name: name, Outcome: rdv1.OutcomeKind_OUTCOME_KIND_FULFILLED})
	mustStep(t, "close", err)
	if closed.GetState() != rdv1.CaseState_CASE_STATE_CLOSED || closed.GetOutcome().GetOverride() != nil {
		t.Fatalf("closed case %v", closed.GetOutcome())
	}

	// The audit trail names each step and who took it, never the comments.
	events, err := rs.client.ListCaseEvents(rs.viewer, &rdv1.ListCaseEventsRequest{Name: name})
	mustStep(t, "events", err)
	var steps []string
	for _, e := range events.GetEvents() {
		if !strings.Contains(e.GetAction(), "review") && !strings.Contains(e.GetAction(), "pack") {
			continue
		}
		steps = append(steps, e.GetAction()+" by "+e.GetActor()+" -> "+e.GetAfter()["review"])
		for k, v := range e.GetAfter() {
			if strings.Contains(v, "covering letter") || strings.Contains(v, "Checked") {
				t.Errorf("the audit event holds the comments: %s=%s", k, v)
			}
		}
	}
	want := []string{
		"case.review_submitted by token:caseworker -> submitted",
		"case.review_returned by token:admin -> returned",
		"case.review_submitted by token:caseworker -> submitted",
		"case.review_approved by token:admin -> approved",
		"case.pack_released by token:caseworker -> released",
	}
	if strings.Join(steps, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit steps:\n%s\nwant:\n%s", strings.Join(steps, "\n"), strings.Join(want, "\n"))
	}
}

func TestCloseCaseGuardRailsAndTheAdminOverride(t *testing.T) {
	rs := startReview(t)
	access := rs.open(t, rdv1.Right_RIGHT_ACCESS)
	closeAs := func(ctx context.Context, c *rdv1.Case, override string) (*rdv1.Case, error) {
		return rs.client.CloseCase(ctx, &rdv1.CloseCaseRequest{Name: c.GetName(), Outcome: rdv1.OutcomeKind_OUTCOME_KIND_FULFILLED, OverrideReason: override})
	}

	_, err := closeAs(rs.caseworker, access, "")
	assertCode(t, err, codes.FailedPrecondition, "cannot close the case as fulfilled: the response pack is not released (not yet submitted for review)")
	_, err = closeAs(rs.caseworker, access, "Sent by hand.")
	assertCode(t, err, codes.PermissionDenied, "override_reason")
	_, err = closeAs(rs.admin, access, strings.Repeat("x", 2001))
	assertFieldViolation(t, err, "override_reason")

	closed, err := closeAs(rs.admin, access, "Sent by hand on the DPO's instruction.")
	mustStep(t, "override", err)
	o := closed.GetOutcome().GetOverride()
	if closed.GetState() != rdv1.CaseState_CASE_STATE_CLOSED || o.GetBy() != "token:admin" || o.GetReason() != "Sent by hand on the DPO's instruction." ||
		len(o.GetMissing()) != 1 || !strings.Contains(o.GetMissing()[0], "response pack") {
		t.Fatalf("closed with override %v", o)
	}
	events, err := rs.client.ListCaseEvents(rs.admin, &rdv1.ListCaseEventsRequest{Name: access.GetName()})
	mustStep(t, "events", err)
	last := events.GetEvents()[len(events.GetEvents())-1]
	if last.GetAction() != "case.closed" || last.GetActor() != "token:admin" || last.GetAfter()["override_by"] != "token:admin" {
		t.Errorf("the close's audit event is %v", last)
	}

	// Another right needs the action taken stated; nothing to override is
	// a mistake, not a licence.
	erasure := rs.open(t, rdv1.Right_RIGHT_ERASURE)
	_, err = closeAs(rs.caseworker, erasure, "")
	assertCode(t, err, codes.FailedPrecondition, "the action taken on the erasure request is not recorded")
	_, err = rs.client.CloseCase(rs.admin, &rdv1.CloseCaseRequest{Name: erasure.GetName(), Outcome: rdv1.OutcomeKind_OUTCOME_KIND_WITHDRAWN, OverrideReason: "just in case"})
	assertFieldViolation(t, err, "override_reason")
	closed, err = rs.client.CloseCase(rs.caseworker, &rdv1.CloseCaseRequest{Name: erasure.GetName(), Outcome: rdv1.OutcomeKind_OUTCOME_KIND_FULFILLED, ActionTaken: "Erased from the service desk."})
	mustStep(t, "close erasure", err)
	if closed.GetOutcome().GetActionTaken() != "Erased from the service desk." {
		t.Errorf("the outcome records the action taken as %q", closed.GetOutcome().GetActionTaken())
	}
}
