package server_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
)

func TestDataSubjectRequestsOverGRPC(t *testing.T) {
	as := startWithTokensAt(t, lifecycleNow)
	caseworker := bearer(t.Context(), as.tokens["caseworker"])
	admin := bearer(t.Context(), as.tokens["admin"])
	casesClient := rdv1.NewCaseServiceClient(as.conn)
	client := rdv1.NewAdminServiceClient(as.conn)
	var mine []string
	for _, email := range []string{"ada@example.org", "ADA@example.org", "bob@example.org"} {
		c := lifecycleCase()
		c.Requester.Person.Email = email
		created, err := casesClient.CreateCase(caseworker, &rdv1.CreateCaseRequest{Case: c})
		mustStep(t, "create", err)
		if strings.HasPrefix(email, "ADA") || strings.HasPrefix(email, "ada") {
			mine = append(mine, created.GetName())
		}
	}
	ada := &rdv1.DataSubjectQuery{Email: "ada@example.org"}

	_, err := client.ExportDataSubject(caseworker, &rdv1.ExportDataSubjectRequest{Subject: ada})
	if status.Code(err) != codes.PermissionDenied {
		t.Fatalf("a caseworker's export: %v, want PERMISSION_DENIED", err)
	}
	_, err = client.EraseDataSubject(caseworker, &rdv1.EraseDataSubjectRequest{Subject: ada, Cases: mine})
	if status.Code(err) != codes.PermissionDenied {
		t.Fatalf("a caseworker's erasure: %v, want PERMISSION_DENIED", err)
	}

	for _, tt := range []struct {
		name   string
		req    *rdv1.ExportDataSubjectRequest
		fields []string
	}{
		{"no subject", &rdv1.ExportDataSubjectRequest{}, []string{"subject"}},
		{"empty subject", &rdv1.ExportDataSubjectRequest{Subject: &rdv1.DataSubjectQuery{}}, []string{"subject.email", "subject.name", "subject.reference"}},
		{"ambiguous subject", &rdv1.ExportDataSubjectRequest{Subject: &rdv1.DataSubjectQuery{Email: "ada@example.org", Name: "Ada Example"}}, []string{"subject.email", "subject.name"}},
	} {
		_, err := client.ExportDataSubject(admin, tt.req)
		if status.Code(err) != codes.InvalidArgument || !slices.Equal(fieldViolations(err), tt.fields) {
			t.Errorf("%s: %v, fields %v; want INVALID_ARGUMENT naming %v", tt.name, err, fieldViolations(err), tt.fields)
		}
	}

	export, err := client.ExportDataSubject(admin, &rdv1.ExportDataSubjectRequest{Subject: ada})
	mustStep(t, "export", err)
	var doc struct {
		Schema string `json:"schema"`
		Cases  []struct {
			Name      string `json:"name"`
			Requester struct {
				Person struct {
					Email string `json:"email"`
				} `json:"person"`
			} `json:"requester"`
			Events []struct {
				Action string `json:"action"`
			} `json:"events"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(export.GetDocument(), &doc); err != nil {
		t.Fatalf("the document is not JSON: %v", err)
	}
	if doc.Schema != "rightsdesk.data-subject-export/v1" || len(doc.Cases) != 2 || !sameSet(export.GetCases(), mine) ||
		len(doc.Cases[0].Events) == 0 || !strings.EqualFold(doc.Cases[0].Requester.Person.Email, "ada@example.org") {
		t.Fatalf("export of %v: %s", mine, export.GetDocument())
	}

	_, err = client.RectifyDataSubject(admin, &rdv1.RectifyDataSubjectRequest{Subject: ada, Correction: &rdv1.DataSubjectCorrection{Email: "not an address"}, Reason: "asked"})
	if status.Code(err) != codes.InvalidArgument || !slices.Equal(fieldViolations(err), []string{"correction.email"}) {
		t.Fatalf("a bad correction: %v, fields %v", err, fieldViolations(err))
	}
	fixed, err := client.RectifyDataSubject(admin, &rdv1.RectifyDataSubjectRequest{
		Subject: ada, Correction: &rdv1.DataSubjectCorrection{Email: "ada.lovelace@example.org"}, Reason: "She asked by phone.",
	})
	mustStep(t, "rectify", err)
	if !sameSet(fixed.GetCases(), mine) {
		t.Fatalf("rectified %v, want %v", fixed.GetCases(), mine)
	}
	ada = &rdv1.DataSubjectQuery{Email: "ada.lovelace@example.org"}

	check, err := client.CheckDataSubjectErasure(admin, &rdv1.CheckDataSubjectErasureRequest{Subject: ada})
	mustStep(t, "check erasure", err)
	for _, c := range check.GetCases() {
		if c.GetErasable() || !strings.Contains(c.GetReason(), "open") {
			t.Errorf("open case %v: want it refused as open", c)
		}
	}
	first := check.GetCases()[0]
	got, err := casesClient.GetCase(caseworker, &rdv1.GetCaseRequest{Name: first.GetCase()})
	mustStep(t, "get", err)
	_, err = casesClient.CloseCase(caseworker, &rdv1.CloseCaseRequest{Name: got.GetName(), Etag: got.GetEtag(), Outcome: rdv1.OutcomeKind_OUTCOME_KIND_WITHDRAWN})
	mustStep(t, "close", err)
	erased, err := client.EraseDataSubject(admin, &rdv1.EraseDataSubjectRequest{Subject: ada, Cases: []string{first.GetCase(), check.GetCases()[1].GetCase()}})
	mustStep(t, "erase", err)
	if e := erased.GetCases(); !e[0].GetErased() || e[1].GetErased() || e[1].GetReason() == "" {
		t.Fatalf("erasure %v: want the closed case erased and the open one refused with its reason", e)
	}
	_, err = client.EraseDataSubject(admin, &rdv1.EraseDataSubjectRequest{Subject: ada, Cases: []string{"cases/01ARZ3NDEKTSV4RRFFQ69G5FAV"}})
	if status.Code(err) != codes.InvalidArgument || !slices.Equal(fieldViolations(err), []string{"cases"}) {
		t.Fatalf("erasing a case not the person's: %v", err)
	}
}

func TestDataSubjectExportOverREST(t *testing.T) {
	as := startWithTokensAt(t, lifecycleNow)
	c := lifecycleCase()
	_, err := rdv1.NewCaseServiceClient(as.conn).CreateCase(bearer(t.Context(), as.tokens["caseworker"]), &rdv1.CreateCaseRequest{Case: c})
	mustStep(t, "create", err)
	for _, tt := range []struct {
		token string
		body  string
		want  int
	}{
		{as.tokens["viewer"], `{"subject":{"email":"ada@example.org"}}`, http.StatusForbidden},
		{as.tokens["admin"], `{"subject":{}}`, http.StatusBadRequest},
		{as.tokens["admin"], `{"subject":{"email":"ada@example.org"}}`, http.StatusOK},
	} {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, as.base+"/v1/dataSubjects:export", strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tt.token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		_ = resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s: %d %v, want %d", tt.body, resp.StatusCode, body, tt.want)
		}
		if tt.want == http.StatusOK && (body["document"] == nil || len(body["cases"].([]any)) != 1) {
			t.Errorf("export over REST: %v", body)
		}
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
