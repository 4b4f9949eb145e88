package server_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/app/apptest"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/server"
)

// Refused requests carrying personal data leave none of it in the log:
// the log names codes, reasons and fields, never what was typed into them
// (issue 18, point 5). Each request is refused for a different reason,
// over both doors.
func TestRefusedRequestsLeaveNoPersonalDataInTheLog(t *testing.T) {
	logged := &apptest.Log{}
	as := startWithTokensConfig(t, server.Config{Clock: clock.Fixed(lifecycleNow), Logger: logged.Logger()})
	const (
		name  = "Zebedee Quillfeather-Ngata"
		email = "zebedee.quillfeather@example.org"
		text  = "Please send everything about my grievance hearing in Wolverhampton"
	)
	badEmail := "zebedee-quillfeather.example.org" // no @: refused as an email address
	person := func(email string) *rdv1.Case {
		c := lifecycleCase()
		c.Requester.Person = &rdv1.Person{Name: name, Email: email}
		c.Description = text
		return c
	}
	noRights := person(email)
	noRights.Rights = nil
	unknownNotice := person(email)
	unknownNotice.Notices = []*rdv1.CaseNotice{{Notice: "notices/no-such-notice"}}

	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+as.tokens["caseworker"])
	viewer := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+as.tokens["viewer"])
	client := rdv1.NewCaseServiceClient(as.conn)
	for _, tt := range []struct {
		what   string
		viewer bool
		c      *rdv1.Case
		want   []codes.Code
	}{
		{"a malformed email", false, person(badEmail), []codes.Code{codes.InvalidArgument}},
		{"no rights", false, noRights, []codes.Code{codes.InvalidArgument}},
		{"an unknown notice", false, unknownNotice, []codes.Code{codes.InvalidArgument, codes.NotFound}},
		{"a role that may not create", true, person(email), []codes.Code{codes.PermissionDenied}},
	} {
		callCtx := ctx
		if tt.viewer {
			callCtx = viewer
		}
		_, err := client.CreateCase(callCtx, &rdv1.CreateCaseRequest{Case: tt.c})
		if !slices.Contains(tt.want, status.Code(err)) {
			t.Errorf("gRPC, %s: %v, want %v", tt.what, err, tt.want)
		}
	}
	rc := restClient{t: t, base: as.base, token: as.tokens["caseworker"]}
	body := map[string]any{
		"notices": []map[string]any{{"notice": lifecycleNoticeName}}, "rights": []map[string]any{{"right": "RIGHT_ACCESS"}},
		"description": text, "channel": "RECEIVED_CHANNEL_EMAIL", "received_on": map[string]any{"year": 2026, "month": 3, "day": 2},
		"requester": map[string]any{"person": map[string]any{"name": name, "email": badEmail}, "relationship": "RELATIONSHIP_SELF"},
	}
	if code, resp := rc.do("POST", "/v1/cases", body); code != http.StatusBadRequest {
		t.Errorf("REST, a malformed email: %d %.300v, want 400", code, resp)
	}

	out := logged.String()
	// What the log keeps instead: the code, the reason, the field.
	if !strings.Contains(out, "grpc.code=InvalidArgument") || !strings.Contains(out, "grpc.fields=case.requester.person.email") ||
		!strings.Contains(out, "grpc.reason=") {
		t.Fatalf("the refusals are not logged with their code, reason and field:\n%s", out)
	}
	for _, secret := range []string{name, "Zebedee", "Quillfeather", email, badEmail, text, "Wolverhampton"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds %q", secret)
			for _, l := range strings.Split(out, "\n") {
				if strings.Contains(l, secret) {
					t.Log(l[:min(len(l), 400)])
				}
			}
		}
	}
}
