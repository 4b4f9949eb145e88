package server_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
)

// An "everything you hold" request names no notice; staff triage adds two
// through UpdateCase, and both are evaluated with their recipients told.
func TestTriageOverREST(t *testing.T) {
	as := startWithTokensAt(t, lifecycleNow)
	rc := restClient{t: t, base: as.base, token: as.tokens["caseworker"]}
	c := rc.ok("POST", "/v1/cases", map[string]any{
		"rights":     []map[string]any{{"right": "RIGHT_ERASURE"}},
		"requester":  map[string]any{"person": map[string]any{"name": "Ada Example", "email": "ada@example.org"}},
		"receivedOn": lifecycleReceived,
	})
	name := c["name"].(string)
	if c["notices"] != nil || c["tasks"] != nil {
		t.Fatalf("an everything request came back with notices %v and tasks %v", c["notices"], c["tasks"])
	}

	c = rc.ok("PATCH", "/v1/"+name+"?updateMask=notices", map[string]any{"etag": c["etag"], "notices": []map[string]any{
		{"notice": "notices/it-service-desk", "context": "employment"}, {"notice": "notices/gpg-csep-hub"},
	}})
	var got rdv1.Case
	raw, _ := json.Marshal(c)
	if err := protojson.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 the deprecated field must still mirror the first notice
	mirrored := got.GetNotice()
	if len(got.GetNotices()) != 2 || got.GetNotices()[0].GetVersion() == 0 || mirrored != "notices/it-service-desk" {
		t.Errorf("notices %v, mirrored %q", got.GetNotices(), mirrored)
	}
	if per := got.GetRights()[0].GetPerNotice(); len(per) != 2 || per[1].GetNotice() != "notices/gpg-csep-hub" {
		t.Errorf("per-notice evaluation %v", per)
	}
	if len(got.GetTasks()) == 0 {
		t.Error("no Art 19 tasks after triage to notices with recipients")
	}

	code, body := rc.do("PATCH", "/v1/"+name+"?updateMask=region", map[string]any{"region": "scotland"})
	if code != http.StatusBadRequest {
		t.Errorf("region change without a reason: %d %v", code, body)
	}
}

func TestSingleNoticeClientsStillWork(t *testing.T) {
	as := startWithTokensAt(t, lifecycleNow)
	client := rdv1.NewCaseServiceClient(as.conn)
	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+as.tokens["caseworker"])
	old := lifecycleCase()
	old.Notices = nil
	//lint:ignore SA1019 this test is the client of the deprecated field
	old.Notice, old.Context = lifecycleNoticeName, "employment"
	c, err := client.CreateCase(ctx, &rdv1.CreateCaseRequest{Case: old})
	if err != nil {
		t.Fatal(err)
	}
	if n := c.GetNotices(); len(n) != 1 || n[0].GetNotice() != lifecycleNoticeName || n[0].GetContext() != "employment" {
		t.Errorf("notices %v", n)
	}
}

func TestBackDatedActionsAndMergeOverGRPC(t *testing.T) {
	as := startWithTokensAt(t, lifecycleNow)
	client := rdv1.NewCaseServiceClient(as.conn)
	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+as.tokens["caseworker"])
	a, err := client.CreateCase(ctx, &rdv1.CreateCaseRequest{Case: lifecycleCase()})
	mustStep(t, "create a", err)
	b, err := client.CreateCase(ctx, &rdv1.CreateCaseRequest{Case: lifecycleCase()})
	mustStep(t, "create b", err)

	a, err = client.AssignCase(ctx, &rdv1.AssignCaseRequest{Name: a.GetName(), Assignee: "caseworker", On: "2026-04-29"})
	mustStep(t, "assign", err)
	events, err := client.ListCaseEvents(ctx, &rdv1.ListCaseEventsRequest{Name: a.GetName()})
	mustStep(t, "events", err)
	last := events.GetEvents()[len(events.GetEvents())-1]
	if last.GetAfter()["on"] != "2026-04-29" || !last.GetTime().AsTime().Equal(lifecycleNow) {
		t.Errorf("back-dated assignment recorded on %q at %v", last.GetAfter()["on"], last.GetTime().AsTime())
	}
	_, err = client.AddNote(ctx, &rdv1.AddNoteRequest{Name: a.GetName(), Text: "x", On: "2026-05-02"})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("a note dated tomorrow: %v, want INVALID_ARGUMENT", err)
	}

	b, err = client.MergeCase(ctx, &rdv1.MergeCaseRequest{Name: b.GetName(), Etag: b.GetEtag(), Into: a.GetName()})
	mustStep(t, "merge", err)
	if b.GetOutcome().GetKind() != rdv1.OutcomeKind_OUTCOME_KIND_DUPLICATE || b.GetOutcome().GetDuplicateOf() != a.GetName() || b.GetLinkedCases()[0] != a.GetName() {
		t.Errorf("merged case outcome %v links %v", b.GetOutcome(), b.GetLinkedCases())
	}
	a, err = client.GetCase(ctx, &rdv1.GetCaseRequest{Name: a.GetName()})
	mustStep(t, "get", err)
	if len(a.GetLinkedCases()) != 1 || a.GetLinkedCases()[0] != b.GetName() {
		t.Errorf("the case that goes on links %v", a.GetLinkedCases())
	}
}
