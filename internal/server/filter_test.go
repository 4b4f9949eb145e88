package server_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
)

// issueFilter is the filter issue 19 asks both API doors to take.
const issueFilter = `state = "IN_PROGRESS" OR (overdue = true AND NOT assignee = "")`

// The filter language (AIP-160, with OR, NOT and parentheses) means the
// same over gRPC and REST; a malformed filter is refused naming the
// column; a page token only pages the filter and order it came from.
func TestListCasesFilterAndPageTokensOverBothAPIDoors(t *testing.T) {
	as := startWithTokensAt(t, lifecycleNow)
	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+as.tokens["caseworker"])
	client := rdv1.NewCaseServiceClient(as.conn)
	rc := restClient{t: t, base: as.base, token: as.tokens["caseworker"]}
	made := make([]*rdv1.Case, 4)
	for i := range made {
		c, err := client.CreateCase(ctx, &rdv1.CreateCaseRequest{Case: lifecycleCase()})
		if err != nil {
			t.Fatal(err)
		}
		made[i] = c
	}
	// Each is overdue on lifecycleNow. 0: in progress, unassigned (in by
	// its state); 1: assigned, so in progress too; 2: new and unassigned
	// (out); 3: waiting for the requester's identity, then assigned (in
	// by the second branch alone).
	steps := []func() (*rdv1.Case, error){
		func() (*rdv1.Case, error) {
			return client.ConfirmIdentity(ctx, &rdv1.ConfirmIdentityRequest{Name: made[0].GetName(), Detail: "seen in person"})
		},
		func() (*rdv1.Case, error) {
			return client.AssignCase(ctx, &rdv1.AssignCaseRequest{Name: made[1].GetName(), Assignee: "user:alex"})
		},
		func() (*rdv1.Case, error) {
			if _, err := client.RequestIdentity(ctx, &rdv1.RequestIdentityRequest{Name: made[3].GetName(), Detail: "photo ID", On: "2026-03-04"}); err != nil {
				return nil, err
			}
			return client.AssignCase(ctx, &rdv1.AssignCaseRequest{Name: made[3].GetName(), Assignee: "user:bea"})
		},
	}
	for _, step := range steps {
		if _, err := step(); err != nil {
			t.Fatal(err)
		}
	}
	today := lifecycleNow.Format("2006-01-02")
	var want []string
	for _, m := range made {
		c, err := client.GetCase(ctx, &rdv1.GetCaseRequest{Name: m.GetName()})
		if err != nil {
			t.Fatal(err)
		}
		if c.GetState() == rdv1.CaseState_CASE_STATE_IN_PROGRESS || (c.GetClock().GetDue() < today && c.GetAssignee() != "") {
			want = append(want, c.GetName())
		}
	}
	if !slices.Contains(want, made[0].GetName()) || !slices.Contains(want, made[3].GetName()) || slices.Contains(want, made[2].GetName()) {
		t.Fatalf("the cases were not set up as the test needs: %v", want)
	}
	slices.Sort(want)

	// gRPC, one case a page, through every page.
	var viaGRPC []string
	req := &rdv1.ListCasesRequest{Filter: issueFilter, PageSize: 1}
	for range len(made) + 1 {
		resp, err := client.ListCases(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.GetCases()) == 0 {
			t.Fatalf("an empty page (next page token %q)", resp.GetNextPageToken())
		}
		for _, c := range resp.GetCases() {
			viaGRPC = append(viaGRPC, c.GetName())
		}
		if req.PageToken = resp.GetNextPageToken(); req.PageToken == "" {
			break
		}
	}
	slices.Sort(viaGRPC)
	if strings.Join(viaGRPC, " ") != strings.Join(want, " ") {
		t.Errorf("gRPC %s: %v, want %v", issueFilter, viaGRPC, want)
	}

	// REST, the same filter in the query string.
	code, body := rc.do("GET", "/v1/cases?"+url.Values{"filter": {issueFilter}}.Encode(), nil)
	var viaREST []string
	listed, _ := body["cases"].([]any)
	for _, c := range listed {
		viaREST = append(viaREST, str(c.(map[string]any)["name"]))
	}
	slices.Sort(viaREST)
	if code != http.StatusOK || strings.Join(viaREST, " ") != strings.Join(want, " ") {
		t.Errorf("REST %s: %d %v, want %v", issueFilter, code, viaREST, want)
	}

	// A malformed filter: INVALID_ARGUMENT / 400 on filter, at its column.
	malformed := `state = "NEW" AND (overdue = true`
	_, err := client.ListCases(ctx, &rdv1.ListCasesRequest{Filter: malformed})
	if status.Code(err) != codes.InvalidArgument || violatedField(err) != "filter" || !strings.Contains(violation(err), "column 34: expected )") {
		t.Errorf("gRPC %s: %v, want INVALID_ARGUMENT on filter at column 34", malformed, err)
	}
	code, body = rc.do("GET", "/v1/cases?"+url.Values{"filter": {malformed}}.Encode(), nil)
	if code != http.StatusBadRequest || restViolation(body) != "filter" || !strings.Contains(restDescription(body), "column 34: expected )") {
		t.Errorf("REST %s: %d %.400v, want 400 on filter at column 34", malformed, code, body)
	}

	// A token from one list, reused with another filter or order.
	first, err := client.ListCases(ctx, &rdv1.ListCasesRequest{Filter: "open = true", PageSize: 1})
	if err != nil || first.GetNextPageToken() == "" {
		t.Fatalf("open cases, one a page: %v, %v; want a next page", first, err)
	}
	token := first.GetNextPageToken()
	if _, err := client.ListCases(ctx, &rdv1.ListCasesRequest{Filter: "open = true", PageSize: 1, PageToken: token}); err != nil {
		t.Fatalf("the token with its own filter: %v", err)
	}
	for _, other := range []*rdv1.ListCasesRequest{
		{Filter: issueFilter, PageToken: token},
		{Filter: "open = true", OrderBy: "received", PageToken: token},
	} {
		_, err := client.ListCases(ctx, other)
		if status.Code(err) != codes.InvalidArgument || violatedField(err) != "page_token" || !strings.Contains(violation(err), "does not belong to this filter") {
			t.Errorf("gRPC, the token with filter %q order %q: %v, want INVALID_ARGUMENT on page_token", other.GetFilter(), other.GetOrderBy(), err)
		}
		q := url.Values{"filter": {other.GetFilter()}, "order_by": {other.GetOrderBy()}, "page_token": {token}}
		code, body := rc.do("GET", "/v1/cases?"+q.Encode(), nil)
		if code != http.StatusBadRequest || restViolation(body) != "page_token" || !strings.Contains(restDescription(body), "does not belong to this filter") {
			t.Errorf("REST, the token with filter %q order %q: %d %.400v, want 400 on page_token", other.GetFilter(), other.GetOrderBy(), code, body)
		}
	}
}

// violation is the description of the first BadRequest violation of err.
func violation(err error) string {
	for _, d := range status.Convert(err).Details() {
		if br, ok := d.(*errdetails.BadRequest); ok && len(br.GetFieldViolations()) > 0 {
			return br.GetFieldViolations()[0].GetDescription()
		}
	}
	return ""
}

// restDescription is the description of the first BadRequest violation of
// a REST error body.
func restDescription(body map[string]any) string {
	details, _ := body["details"].([]any)
	for _, d := range details {
		m, _ := d.(map[string]any)
		if vs, ok := m["field_violations"].([]any); ok && len(vs) > 0 {
			return str(vs[0].(map[string]any)["description"])
		}
	}
	return ""
}
