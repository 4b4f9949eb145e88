package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
)

// smallNotice fits the test server's 4 KB body limit once JSON-encoded.
const smallNotice = `Privacy notice for the Example Library

Published 4 April 2024

Legal basis

The legal basis for processing your personal data is our legitimate interests in running the library.

Where you join the reading club, we process your data on the basis of your consent.

Your rights

You have the right to request a copy of your personal data.

You have the right to object to the processing of your personal data.

Retention

We keep your data for 2 years after your last loan.

Complaints

You can complain to the Information Commissioner. The Information Commissioner can be contacted at: casework@ico.org.uk

Contact details

The data controller for your personal data is the Example Library Service. The contact details for our Data Protection Officer are: dpo@library.example.gov.uk
`

func (as *authServer) rest(t *testing.T, method, path, token string, body any) (int, map[string]any) {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(method, as.base+path, strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+as.tokens[token])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s %s: body is not JSON: %v", method, path, err)
	}
	checkErrorBody(t, method+" "+path, resp.StatusCode, out)
	return resp.StatusCode, out
}

func TestImportAndLintOverREST(t *testing.T) {
	as := startWithTokens(t)
	code, body := as.rest(t, "POST", "/v1/notices:import", "admin", map[string]any{"content": smallNotice, "validateOnly": true})
	if code != http.StatusOK || body["created"] == true || body["format"] != "NOTICE_FORMAT_TEXT" {
		t.Fatalf("validate-only import = %d %v", code, body)
	}
	n := body["notice"].(map[string]any)
	if n["name"] != "notices/example-library" || n["version"] != float64(1) || len(body["facts"].([]any)) == 0 {
		t.Fatalf("draft = %v", n)
	}
	if code, _ := as.rest(t, "GET", "/v1/notices/example-library", "viewer", nil); code != http.StatusNotFound {
		t.Fatalf("a validate-only import stored the notice: GET = %d", code)
	}

	code, body = as.rest(t, "POST", "/v1/notices:import", "admin", map[string]any{"content": smallNotice, "format": "NOTICE_FORMAT_TEXT"})
	if code != http.StatusOK || body["created"] != true {
		t.Fatalf("import = %d %v", code, body)
	}
	code, body = as.rest(t, "POST", "/v1/notices:import", "admin", map[string]any{"content": smallNotice})
	if code != http.StatusOK || body["created"] == true || body["unchanged"] != true {
		t.Fatalf("re-import of the same document = %d %v, want unchanged", code, body)
	}

	code, body = as.rest(t, "GET", "/v1/notices/example-library:lint", "viewer", nil)
	if code != http.StatusOK || body["version"] != float64(1) {
		t.Fatalf("lint = %d %v", code, body)
	}
	var got []string
	for _, f := range body["findings"].([]any) {
		f := f.(map[string]any)
		got = append(got, f["code"].(string)+" "+f["subject"].(string)+" "+f["severity"].(string))
	}
	want := []string{"withdrawal-missing contexts/join-reading-club LINT_SEVERITY_WARNING", "portability-missing contexts/join-reading-club LINT_SEVERITY_WARNING"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Fatalf("findings = %q, want %q", got, want)
	}
	if code, _ := as.rest(t, "GET", "/v1/notices/it-service-desk:lint?version=2", "viewer", nil); code != http.StatusNotFound {
		t.Errorf("lint of a version that does not exist = %d, want 404", code)
	}
}

func TestImportErrorsOverGRPC(t *testing.T) {
	as := startWithTokens(t)
	client := rdv1.NewNoticeServiceClient(as.conn)
	admin := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+as.tokens["admin"])
	fieldOf := func(err error) string {
		for _, d := range status.Convert(err).Details() {
			if br, ok := d.(*errdetails.BadRequest); ok && len(br.GetFieldViolations()) > 0 {
				return br.GetFieldViolations()[0].GetField()
			}
		}
		return ""
	}

	// A notice stating no lawful basis is stored as published (lint reports
	// it); one with no title cannot be stored at all.
	_, err := client.ImportNotice(admin, &rdv1.ImportNoticeRequest{Content: "nothing here has a title.", NoticeId: "notes"})
	if status.Code(err) != codes.InvalidArgument || fieldOf(err) != "content" {
		t.Errorf("a document with no title: %v, want INVALID_ARGUMENT on content", err)
	}
	_, err = client.ImportNotice(admin, &rdv1.ImportNoticeRequest{Content: smallNotice, NoticeId: "Not An Id"})
	if status.Code(err) != codes.InvalidArgument || fieldOf(err) != "notice_id" {
		t.Errorf("a bad id: %v, want INVALID_ARGUMENT on notice_id", err)
	}

	raw, err := os.ReadFile(filepath.Join("..", "notice", "importer", "testdata", "saved-page.html"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.ImportNotice(admin, &rdv1.ImportNoticeRequest{Content: string(raw), NoticeId: "it-service-desk"})
	if err != nil || !resp.GetCreated() || resp.GetNotice().GetVersion() != 2 || len(resp.GetNotice().GetVersions()) != 2 || resp.GetFormat() != rdv1.NoticeFormat_NOTICE_FORMAT_HTML {
		t.Fatalf("importing a new version of a built-in notice: %v, %v", resp, err)
	}
	got, err := client.GetNotice(admin, &rdv1.GetNoticeRequest{Name: "notices/it-service-desk", Version: 1})
	if err != nil || got.GetSource().GetKind() != "built-in" || got.GetEffectiveFrom() != "2018-12-17" {
		t.Errorf("version 1 after the import: %v, %v", got, err)
	}

	_, err = client.ImportNotice(admin, &rdv1.ImportNoticeRequest{Content: smallNotice, NoticeId: "it-service-desk"})
	if status.Code(err) != codes.FailedPrecondition || !strings.Contains(status.Convert(err).Message(), "date order") {
		t.Errorf("a version dated before the current one: %v, want FAILED_PRECONDITION", err)
	}
	resp, err = client.ImportNotice(admin, &rdv1.ImportNoticeRequest{Content: smallNotice, NoticeId: "it-service-desk", EffectiveFrom: "2026-03-01"})
	if err != nil || resp.GetNotice().GetVersion() != 3 || resp.GetNotice().GetEffectiveFrom() != "2026-03-01" {
		t.Errorf("with effective_from: %v, %v", resp, err)
	}
}
