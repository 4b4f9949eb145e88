package staff_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/blob"
	"github.com/rightsdesk/rightsdesk/internal/blob/fsblob"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

var record = []byte("%PDF-1.4\n% letters from the HR file\n%%EOF\n")

// documentSite is a site with a document store and an access case with
// one search recorded, and the store, to see what it holds.
func documentSite(t *testing.T) (*site, blob.Store, *cases.Case) {
	t.Helper()
	docs, err := fsblob.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	s := newSiteWith(t, nil, casework.WithDocuments(docs))
	ctx := context.Background()
	res, err := s.work.Create(ctx, "web:public", cases.NewCase{Notices: []cases.NoticeRef{{ID: "it-service-desk"}}, Rights: []notice.Right{notice.RightAccess},
		Requester: cases.Requester{Person: cases.Person{Name: "Ada Lovelace", Email: "ada@example.org"}, Relationship: cases.RelationshipSelf}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.work.Apply(ctx, "token:test", res.Case.ID, "", cases.RecordSearch{Source: "HR system", Found: "letters"})
	if err != nil {
		t.Fatal(err)
	}
	return s, docs, c
}

func storedKeys(t *testing.T, docs blob.Store) []string {
	t.Helper()
	var keys []string
	if err := docs.List(context.Background(), "", func(i blob.Info) error { keys = append(keys, i.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	return keys
}

// upload sends the add-a-document form as a browser does, the file in the
// "file" field (none when name is "").
func (b *browser) upload(fields url.Values, name string, content []byte) (*http.Response, string) {
	b.s.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	part, err := w.CreateFormFile("file", name)
	if err != nil {
		b.s.t.Fatal(err)
	}
	_, _ = part.Write(content)
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, b.s.srv.URL+"/staff/documents", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := b.client.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	_, _ = out.ReadFrom(resp.Body)
	return resp, out.String()
}

func TestCaseworkerAddsADocumentAndDecidesOnIt(t *testing.T) {
	s, docs, c := documentSite(t)
	s.user("cw@example.org", auth.RoleCaseworker)
	b := s.browser()
	b.signIn("cw@example.org")

	_, page := b.get("/staff/cases/" + c.ID)
	if !strings.Contains(page, `id="documents"`) || !strings.Contains(page, `href="/staff/cases/`+c.ID+`/documents/new"`) {
		t.Fatal("the case page has no Documents section with an Add a document link")
	}
	resp, form := b.get("/staff/cases/" + c.ID + "/documents/new")
	if resp.StatusCode != http.StatusOK || !strings.Contains(form, `enctype="multipart/form-data"`) || !strings.Contains(form, `type="file"`) || !strings.Contains(form, "HR system (searched") {
		t.Fatalf("add page: %d, without its upload form or the search to pick", resp.StatusCode)
	}
	fields := url.Values{"csrf_token": {csrfIn(t, form)}, "case": {c.ID}, "kind": {"collected_record"}, "source": {"HR system"}, "search_id": {"s1"}}
	resp, _ = b.upload(fields, "letters.pdf", record)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d", resp.StatusCode)
	}
	_, page = b.get(resp.Header.Get("Location"))
	for _, want := range []string{"Document added", `id="document-d1"`, "letters.pdf", "Collected record", "HR system", "Not decided", `href="/staff/cases/` + c.ID + `/documents/d1/decide"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the case page lacks %q after the upload", want)
		}
	}
	if keys := storedKeys(t, docs); len(keys) != 1 || !strings.Contains(keys[0], "/documents/") {
		t.Errorf("store holds %v; want the one document", keys)
	}

	decide := "/staff/cases/" + c.ID + "/documents/d1/decide"
	_, form = b.get(decide)
	answers := url.Values{"csrf_token": {csrfIn(t, form)}, "etag": {s.get(c.ID).Etag()}, "decision": {"withhold"}}
	resp, body := b.post(decide, answers)
	s.refusedOnField("withholding without an exemption", resp, body, "exemption")
	answers.Set("exemption", "legal_privilege")
	if resp, _ = b.post(decide, answers); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("decision: %d", resp.StatusCode)
	}
	_, page = b.get(resp.Header.Get("Location"))
	if !strings.Contains(page, "Decision saved") || !strings.Contains(page, "Withhold") || !strings.Contains(page, "Legal professional privilege") {
		t.Error("the case page does not show the decision with its exemption")
	}
	if got := s.get(c.ID).Documents[0].Disclosure; got == nil || got.Exemption != "legal_privilege" {
		t.Errorf("disclosure %+v", got)
	}
}

// Refused uploads come back on the form, the field named in the error
// summary, and nothing is stored; a file over the limit is a 413.
func TestRefusedUploadsStoreNothing(t *testing.T) {
	s, docs, c := documentSite(t)
	s.user("cw@example.org", auth.RoleCaseworker)
	b := s.browser()
	b.signIn("cw@example.org")
	_, form := b.get("/staff/cases/" + c.ID + "/documents/new")
	fields := func(kind, source string) url.Values {
		return url.Values{"csrf_token": {csrfIn(t, form)}, "case": {c.ID}, "kind": {kind}, "source": {source}}
	}

	resp, body := b.upload(fields("collected_record", "Email"), "report.docx", []byte("PK\x03\x04\x14\x00\x06\x00word/document.xml"))
	s.refusedOnField("a zip-based file", resp, body, "file")
	if !strings.Contains(body, "is not a PDF, JPEG, PNG or plain text file") {
		t.Error("a disallowed type does not say which types are accepted")
	}
	resp, body = b.upload(fields("", "Email"), "letters.pdf", record)
	s.refusedOnField("no kind", resp, body, "kind")
	resp, body = b.upload(fields("collected_record", ""), "letters.pdf", record)
	s.refusedOnField("a collected record without a source", resp, body, "source")
	resp, body = b.upload(fields("other", ""), "", nil)
	s.refusedOnField("no file", resp, body, "file")

	big := append(append([]byte{}, record...), bytes.Repeat([]byte{' '}, cases.MaxDocumentSize)...)
	resp, body = b.upload(fields("collected_record", "Email"), "huge.pdf", big)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "uge.pdf is larger than 25 MB") || !strings.Contains(body, `<a href="#file">`) {
		t.Errorf("a file over the limit: %d, want 413 on the form naming the file:\n%s", resp.StatusCode, body)
	}
	resp, body = b.upload(fields("collected_record", "Email"), "huger.pdf", append(big, bytes.Repeat([]byte{' '}, 128<<10)...))
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "What you sent is too large") {
		t.Errorf("a form over the body limit: %d, want the 413 page", resp.StatusCode)
	}
	if keys := storedKeys(t, docs); len(keys) != 0 {
		t.Errorf("store holds %v after refusals", keys)
	}
	if n := len(s.get(c.ID).Documents); n != 0 {
		t.Errorf("the case lists %d documents after refusals", n)
	}
}

func TestViewersSeeDocumentsButCannotAddOrDecide(t *testing.T) {
	s, _, c := documentSite(t)
	if _, err := s.work.AddDocument(context.Background(), "token:test", c.ID, cases.DocumentSpec{Kind: cases.DocumentCollectedRecord, Source: "HR system"},
		usecase.Upload{Name: "letters.pdf", Content: bytes.NewReader(record)}); err != nil {
		t.Fatal(err)
	}
	s.user("viewer@example.org", auth.RoleViewer)
	b := s.browser()
	b.signIn("viewer@example.org")
	_, page := b.get("/staff/cases/" + c.ID)
	if !strings.Contains(page, "letters.pdf") || strings.Contains(page, "/documents/new") || strings.Contains(page, "/decide") {
		t.Error("a viewer's case page should list the document, without add or decide links")
	}
	for _, path := range []string{"/staff/cases/" + c.ID + "/documents/new", "/staff/cases/" + c.ID + "/documents/d1/decide"} {
		if resp, _ := b.get(path); resp.StatusCode != http.StatusForbidden {
			t.Errorf("viewer GET %s: %d, want 403", path, resp.StatusCode)
		}
	}
	resp, _ := b.post("/staff/cases/"+c.ID+"/documents/d1/decide", url.Values{"csrf_token": {csrfIn(t, page)}, "decision": {"disclose"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("viewer decision: %d, want 403", resp.StatusCode)
	}
	if s.get(c.ID).Documents[0].Disclosure != nil {
		t.Error("a viewer's decision was recorded")
	}
}
