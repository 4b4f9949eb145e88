package server_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/server"
)

var documentPDF = []byte("%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")

func TestDocumentsAndDisclosureOverTheAPI(t *testing.T) {
	as := startWithTokensConfig(t, server.Config{MaxBodyBytes: 1 << 20, Clock: clock.Fixed(lifecycleNow)})
	bearer := func(role string) context.Context {
		return metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+as.tokens[role])
	}
	caseworker, viewer := bearer("caseworker"), bearer("viewer")
	client := rdv1.NewCaseServiceClient(as.conn)
	c, err := client.CreateCase(caseworker, &rdv1.CreateCaseRequest{Case: &rdv1.Case{
		Notices: []*rdv1.CaseNotice{{Notice: lifecycleNoticeName}}, Rights: []*rdv1.RequestedRight{{Right: rdv1.Right_RIGHT_ACCESS}},
		Requester:  &rdv1.Requester{Person: &rdv1.Person{Name: "Ada Example", Email: "ada@example.org"}, Relationship: rdv1.Relationship_RELATIONSHIP_SELF},
		Channel:    rdv1.ReceivedChannel_RECEIVED_CHANNEL_EMAIL,
		ReceivedOn: "2026-04-27",
	}})
	mustStep(t, "create", err)
	add := func(ctx context.Context, edit func(*rdv1.AddDocumentRequest)) (*rdv1.Case, error) {
		req := &rdv1.AddDocumentRequest{Name: c.GetName(), Kind: rdv1.DocumentKind_DOCUMENT_KIND_COLLECTED_RECORD, Source: "HR system", FileName: "letters.pdf", Content: documentPDF}
		if edit != nil {
			edit(req)
		}
		return client.AddDocument(ctx, req)
	}

	_, err = add(viewer, nil)
	assertCode(t, err, codes.PermissionDenied, "caseworker")
	_, err = add(caseworker, func(r *rdv1.AddDocumentRequest) { r.Kind = rdv1.DocumentKind_DOCUMENT_KIND_UNSPECIFIED })
	assertFieldViolation(t, err, "kind")
	_, err = add(caseworker, func(r *rdv1.AddDocumentRequest) { r.Source = "" })
	assertFieldViolation(t, err, "source")
	_, err = add(caseworker, func(r *rdv1.AddDocumentRequest) { r.Content = []byte("PK\x03\x04zip") })
	assertFieldViolation(t, err, "file")

	added, err := add(caseworker, nil)
	mustStep(t, "add", err)
	docs := added.GetDocuments()
	if len(docs) != 1 || docs[0].GetName() != c.GetName()+"/documents/d1" || docs[0].GetMediaType() != "application/pdf" ||
		docs[0].GetSizeBytes() != int64(len(documentPDF)) || len(docs[0].GetSha256()) != 64 || docs[0].GetAddedBy() != "token:caseworker" {
		t.Fatalf("documents %v; want the one added", docs)
	}

	decide := &rdv1.DecideDisclosureRequest{Name: docs[0].GetName(), Decision: rdv1.DisclosureDecision_DISCLOSURE_DECISION_WITHHOLD}
	_, err = client.DecideDisclosure(viewer, decide)
	assertCode(t, err, codes.PermissionDenied, "caseworker")
	_, err = client.DecideDisclosure(caseworker, decide)
	assertFieldViolation(t, err, "exemption")
	_, err = client.DecideDisclosure(caseworker, &rdv1.DecideDisclosureRequest{Name: c.GetName() + "/documents/x1", Decision: rdv1.DisclosureDecision_DISCLOSURE_DECISION_DISCLOSE})
	assertFieldViolation(t, err, "name")
	_, err = client.DecideDisclosure(caseworker, &rdv1.DecideDisclosureRequest{Name: c.GetName() + "/documents/d9", Decision: rdv1.DisclosureDecision_DISCLOSURE_DECISION_DISCLOSE})
	assertCode(t, err, codes.NotFound, "d9")
	decide.Exemption, decide.Reason = "legal_privilege", "advice from counsel"
	decided, err := client.DecideDisclosure(caseworker, decide)
	mustStep(t, "decide", err)
	if d := decided.GetDocuments()[0].GetDisclosure(); d.GetDecision() != rdv1.DisclosureDecision_DISCLOSURE_DECISION_WITHHOLD || d.GetExemption() != "legal_privilege" || d.GetDecidedBy() != "token:caseworker" {
		t.Errorf("disclosure %v; want withheld under legal privilege", d)
	}
}

// Over REST the content is base64 in JSON, at the documented routes.
func TestDocumentsOverREST(t *testing.T) {
	as := startWithTokensAt(t, lifecycleNow)
	rc := restClient{t: t, base: as.base, token: as.tokens["caseworker"]}
	c := rc.ok("POST", "/v1/cases", map[string]any{
		"notices":     []map[string]any{{"notice": lifecycleNoticeName}},
		"rights":      []map[string]any{{"right": "RIGHT_ACCESS"}},
		"requester":   map[string]any{"person": map[string]any{"name": "Ada Example", "email": "ada@example.org"}, "relationship": "RELATIONSHIP_SELF"},
		"channel":     "RECEIVED_CHANNEL_EMAIL",
		"received_on": "2026-04-27",
	})
	name := str(c["name"])
	added := rc.ok("POST", "/v1/"+name+"/documents", map[string]any{
		"kind": "DOCUMENT_KIND_COLLECTED_RECORD", "source": "HR system", "file_name": "letters.pdf",
		"content": base64.StdEncoding.EncodeToString(documentPDF),
	})
	docs, _ := added["documents"].([]any)
	if len(docs) != 1 {
		t.Fatalf("documents %v; want the one added", added["documents"])
	}
	code, out := rc.do("POST", "/v1/"+name+"/documents/d1:decide", map[string]any{"decision": "DISCLOSURE_DECISION_WITHHOLD"})
	if code != http.StatusBadRequest {
		t.Errorf("withholding without an exemption: %d %v; want 400", code, out)
	}
	decided := rc.ok("POST", "/v1/"+name+"/documents/d1:decide", map[string]any{"decision": "DISCLOSURE_DECISION_WITHHOLD", "exemption": "third_party"})
	doc, _ := decided["documents"].([]any)[0].(map[string]any)
	if disclosure, _ := doc["disclosure"].(map[string]any); str(disclosure["exemption"]) != "third_party" {
		t.Errorf("document after the decision: %v", doc)
	}
}
