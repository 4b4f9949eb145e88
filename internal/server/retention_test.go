package server_test

import (
	"slices"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
)

func TestSetLegalHoldOverGRPC(t *testing.T) {
	as := startWithTokensAt(t, lifecycleNow)
	caseworker := bearer(t.Context(), as.tokens["caseworker"])
	admin := bearer(t.Context(), as.tokens["admin"])
	client := rdv1.NewCaseServiceClient(as.conn)
	c, err := client.CreateCase(caseworker, &rdv1.CreateCaseRequest{Case: lifecycleCase()})
	mustStep(t, "create", err)

	_, err = client.SetLegalHold(caseworker, &rdv1.SetLegalHoldRequest{Name: c.GetName(), Held: true, Reason: "Tribunal claim"})
	if status.Code(err) != codes.PermissionDenied {
		t.Fatalf("a caseworker's hold: %v, want PERMISSION_DENIED", err)
	}
	_, err = client.SetLegalHold(admin, &rdv1.SetLegalHoldRequest{Name: c.GetName(), Held: true})
	if status.Code(err) != codes.InvalidArgument || !slices.Equal(fieldViolations(err), []string{"reason"}) {
		t.Fatalf("a hold without a reason: %v, fields %v", err, fieldViolations(err))
	}
	held, err := client.SetLegalHold(admin, &rdv1.SetLegalHoldRequest{Name: c.GetName(), Etag: c.GetEtag(), Held: true, Reason: "Tribunal claim"})
	mustStep(t, "hold", err)
	if h := held.GetLegalHold(); h.GetReason() != "Tribunal claim" || h.GetSince() != "2026-05-01" || h.GetBy() == "" || held.GetPurged() != nil {
		t.Errorf("held case: legal hold %v purged %v", h, held.GetPurged())
	}
	_, err = client.SetLegalHold(admin, &rdv1.SetLegalHoldRequest{Name: c.GetName(), Held: true, Reason: "again"})
	if status.Code(err) != codes.FailedPrecondition {
		t.Errorf("holding a held case: %v, want FAILED_PRECONDITION", err)
	}
	released, err := client.SetLegalHold(admin, &rdv1.SetLegalHoldRequest{Name: c.GetName(), Held: false, Reason: "Claim settled"})
	mustStep(t, "release", err)
	if released.GetLegalHold() != nil {
		t.Errorf("released case still held: %v", released.GetLegalHold())
	}
	events, err := client.ListCaseEvents(admin, &rdv1.ListCaseEventsRequest{Name: c.GetName()})
	mustStep(t, "events", err)
	var actions []string
	for _, e := range events.GetEvents() {
		actions = append(actions, e.GetAction())
	}
	if !slices.Contains(actions, "case.legal_hold_set") || !slices.Contains(actions, "case.legal_hold_released") {
		t.Errorf("audit trail %v lacks the hold and its release", actions)
	}
}
