package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/app/apptest"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/server"
)

// violatedField is the field the first BadRequest violation of err names.
func violatedField(err error) string {
	for _, d := range status.Convert(err).Details() {
		if br, ok := d.(*errdetails.BadRequest); ok && len(br.GetFieldViolations()) > 0 {
			return br.GetFieldViolations()[0].GetField()
		}
	}
	return ""
}

// restViolation is the field the first BadRequest violation of a REST error
// body names.
func restViolation(body map[string]any) string {
	details, _ := body["details"].([]any)
	for _, d := range details {
		m, _ := d.(map[string]any)
		if vs, ok := m["field_violations"].([]any); ok && len(vs) > 0 {
			return str(vs[0].(map[string]any)["field"])
		}
	}
	return ""
}

func TestOverlongInputIsRefusedByFieldOverBothAPIDoors(t *testing.T) {
	logged := &apptest.Log{}
	as := startWithTokensConfig(t, server.Config{Clock: clock.Fixed(lifecycleNow), Logger: logged.Logger()})
	defer func() {
		if logged.Errors() {
			t.Errorf("a refusal was logged as an internal error:\n%s", logged.String())
		}
	}()
	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+as.tokens["caseworker"])
	client := rdv1.NewCaseServiceClient(as.conn)
	c, err := client.CreateCase(ctx, &rdv1.CreateCaseRequest{Case: lifecycleCase()})
	if err != nil {
		t.Fatal(err)
	}
	rc := restClient{t: t, base: as.base, token: as.tokens["caseworker"]}

	for _, tt := range []struct {
		name  string
		call  func() error
		path  string
		body  map[string]any
		field string
	}{
		{"a 20,000-character note", func() error {
			_, err := client.AddNote(ctx, &rdv1.AddNoteRequest{Name: c.GetName(), Text: strings.Repeat("n", 20000)})
			return err
		}, "/v1/" + c.GetName() + ":addNote", map[string]any{"text": strings.Repeat("n", 20000)}, "text"},
		{"a 200-character assignee", func() error {
			_, err := client.AssignCase(ctx, &rdv1.AssignCaseRequest{Name: c.GetName(), Assignee: strings.Repeat("a", 200)})
			return err
		}, "/v1/" + c.GetName() + ":assign", map[string]any{"assignee": strings.Repeat("a", 200)}, "assignee"},
	} {
		if err := tt.call(); status.Code(err) != codes.InvalidArgument || violatedField(err) != tt.field {
			t.Errorf("gRPC, %s: %v, want INVALID_ARGUMENT naming %s", tt.name, err, tt.field)
		}
		if code, body := rc.do("POST", tt.path, tt.body); code != http.StatusBadRequest || restViolation(body) != tt.field {
			t.Errorf("REST, %s: %d %.300v, want 400 naming %s", tt.name, code, body, tt.field)
		}
	}

	longID := strings.Repeat("r", 40000)
	if _, err := client.CreateCase(ctx, &rdv1.CreateCaseRequest{RequestId: longID, Case: lifecycleCase()}); status.Code(err) != codes.InvalidArgument || violatedField(err) != "request_id" {
		t.Errorf("gRPC, a 40,000-character request id: %v, want INVALID_ARGUMENT naming request_id", err)
	}
	body := map[string]any{"notice": lifecycleNoticeName, "rights": []map[string]any{{"right": "RIGHT_ACCESS"}},
		"requester": map[string]any{"person": map[string]any{"name": "Ada Example", "email": "ada@example.org"}}}
	if code, out := rc.do("POST", "/v1/cases?"+url.Values{"request_id": {longID}}.Encode(), body); code != http.StatusBadRequest || restViolation(out) != "request_id" {
		t.Errorf("REST, a 40,000-character request id: %d %.300v, want 400 naming request_id", code, out)
	}

	after, err := client.GetCase(ctx, &rdv1.GetCaseRequest{Name: c.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	if after.GetEtag() != c.GetEtag() || len(after.GetNotes()) != 0 || after.GetAssignee() != "" {
		t.Errorf("a refused change was stored: etag %s → %s", c.GetEtag(), after.GetEtag())
	}
	list, err := client.ListCases(ctx, &rdv1.ListCasesRequest{})
	if err != nil || len(list.GetCases()) != 1 {
		t.Errorf("cases after the refused creates: %d, %v; want 1", len(list.GetCases()), err)
	}
}

func TestACaseWithEveryNoteItMayHoldIsReadableOverBothAPIDoors(t *testing.T) {
	as := startWithTokensConfig(t, server.Config{Clock: clock.Fixed(lifecycleNow)})
	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+as.tokens["caseworker"])
	client := rdv1.NewCaseServiceClient(as.conn)
	c, err := client.CreateCase(ctx, &rdv1.CreateCaseRequest{Case: lifecycleCase()})
	if err != nil {
		t.Fatal(err)
	}
	note := strings.Repeat("é", cases.MaxNote) // two bytes a character
	for i := range cases.MaxNotes {
		if _, err := client.AddNote(ctx, &rdv1.AddNoteRequest{Name: c.GetName(), Text: note}); err != nil {
			t.Fatalf("note %d: %v", i+1, err)
		}
	}
	_, err = client.AddNote(ctx, &rdv1.AddNoteRequest{Name: c.GetName(), Text: "one more"})
	if status.Code(err) != codes.FailedPrecondition {
		t.Errorf("a note beyond the last: %v, want FAILED_PRECONDITION", err)
	}
	// A default client, which refuses messages over 4 MiB, reads it whole.
	got, err := client.GetCase(ctx, &rdv1.GetCaseRequest{Name: c.GetName()}, grpc.MaxCallRecvMsgSize(4<<20))
	if err != nil || len(got.GetNotes()) != cases.MaxNotes {
		t.Fatalf("GetCase of a full case: %d notes, %v", len(got.GetNotes()), err)
	}
	list, err := client.ListCases(context.WithoutCancel(ctx), &rdv1.ListCasesRequest{})
	if err != nil || len(list.GetCases()) != 1 {
		t.Fatalf("ListCases with a full case: %v", err)
	}
	rc := restClient{t: t, base: as.base, token: as.tokens["caseworker"]}
	if out := rc.ok("GET", "/v1/"+c.GetName(), nil); len(out["notes"].([]any)) != cases.MaxNotes {
		t.Errorf("REST: %d notes", len(out["notes"].([]any)))
	}
}
