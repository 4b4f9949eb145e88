package staff_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/blob/fsblob"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/pack"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

var (
	unredacted = []byte("UNREDACTED appraisal naming a colleague\n")
	redacted   = []byte("REDACTED appraisal naming [removed]\n")
)

// packedCase is an access case with one record disclosed redacted: d1
// the original, d2 its redacted version. letters says whether the site
// writes letters (without, no pack can be made).
func packedCase(t *testing.T, letters bool) (*site, *cases.Case) {
	t.Helper()
	docs, err := fsblob.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	opts := []casework.Option{casework.WithDocuments(docs)}
	if letters {
		opts = append(opts, casework.SendLetters(caseworktest.Letters(t)))
	}
	s := newSiteWith(t, nil, opts...)
	ctx := context.Background()
	res, err := s.work.Create(ctx, "web:public", cases.NewCase{Notices: []cases.NoticeRef{{ID: "it-service-desk"}}, Rights: []notice.Right{notice.RightAccess},
		Requester: cases.Requester{Person: cases.Person{Name: "Ada Lovelace", Email: "ada@example.org"}, Relationship: cases.RelationshipSelf}})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Case.ID
	if _, err := s.work.Apply(ctx, "token:test", id, "", cases.RecordSearch{Source: "HR system", Found: "an appraisal"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.work.AddDocument(ctx, "token:test", id, cases.DocumentSpec{Kind: cases.DocumentCollectedRecord, Source: "HR system", SearchID: "s1"},
		usecase.Upload{Name: "appraisal.txt", Content: bytes.NewReader(unredacted)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.work.AddDocument(ctx, "token:test", id, cases.DocumentSpec{Kind: cases.DocumentRedactedVersion, RedactionOf: "d1"},
		usecase.Upload{Name: "appraisal-redacted.txt", Content: bytes.NewReader(redacted)}); err != nil {
		t.Fatal(err)
	}
	c, err := s.work.Apply(ctx, "token:test", id, "", cases.DecideDisclosure{Document: "d1", Decision: cases.DiscloseRedacted, Exemption: "third_party"})
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func TestCaseworkerDownloadsThePackPreview(t *testing.T) {
	s, c := packedCase(t, true)
	s.user("cw@example.org", auth.RoleCaseworker)
	b := s.browser()
	b.signIn("cw@example.org")
	download := "/staff/cases/" + c.ID + "/response-pack.zip"

	_, page := b.get("/staff/cases/" + c.ID)
	for _, want := range []string{`id="response-pack"`, `href="` + download + `"`, "Download the response pack (preview)", "appraisal-redacted.txt", "Printable pack"} {
		if !strings.Contains(page, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
	if strings.Contains(page[strings.Index(page, `id="pack-documents"`):], "appraisal.txt<") {
		t.Error("the pack section lists the unredacted original")
	}

	resp, body := b.get(download)
	h := resp.Header
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("download: %d\n%s", resp.StatusCode, body)
	}
	if !strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") || h.Get("X-Content-Type-Options") != "nosniff" ||
		h.Get("Content-Type") != "application/zip" || h.Get("Cache-Control") != "no-store" || h.Get("Content-Length") != "" {
		t.Errorf("download headers: %v", h)
	}
	rep, err := pack.Verify(strings.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("the preview does not verify: %v %+v", err, rep)
	}
	if !strings.Contains(body, "appraisal-redacted.txt") || bytes.Contains([]byte(body), unredacted) {
		t.Error("the preview should hold the redacted version and never the original")
	}

	resp, print := b.get("/staff/cases/" + c.ID + "/response-pack/print")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("printable pack: %d %v", resp.StatusCode, resp.Header)
	}
	for _, want := range []string{"Printable response pack", c.Reference, "Ada Lovelace", "appraisal-redacted.txt", "Documents to print and enclose"} {
		if !strings.Contains(print, want) {
			t.Errorf("printable pack lacks %q", want)
		}
	}
	if strings.Contains(print, "appraisal.txt") {
		t.Error("the printable pack lists the unredacted original")
	}
	if log := s.log.String(); strings.Contains(log, "Ada") || strings.Contains(log, "appraisal") {
		t.Errorf("the log holds personal data:\n%s", log)
	}
}

func TestViewerCannotPreviewThePack(t *testing.T) {
	s, c := packedCase(t, true)
	s.user("viewer@example.org", auth.RoleViewer)
	viewer := s.browser()
	viewer.signIn("viewer@example.org")
	if _, page := viewer.get("/staff/cases/" + c.ID); strings.Contains(page, `id="response-pack"`) || strings.Contains(page, "response-pack.zip") {
		t.Error("a viewer's case page offers the pack")
	}
	for _, path := range []string{"/response-pack.zip", "/response-pack/print"} {
		if resp, body := viewer.get("/staff/cases/" + c.ID + path); resp.StatusCode != http.StatusForbidden || strings.Contains(body, "REDACTED") || strings.HasPrefix(body, "PK") {
			t.Errorf("viewer GET %s: %d", path, resp.StatusCode)
		}
	}
	if resp, _ := s.browser().get("/staff/cases/" + c.ID + "/response-pack.zip"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous download: %d; want sent to sign in", resp.StatusCode)
	}
}

// A pack that cannot be made gets an error page, not a broken download.
func TestPackPreviewThatCannotBeMadeIsAPage(t *testing.T) {
	s, c := packedCase(t, false)
	s.user("cw@example.org", auth.RoleCaseworker)
	b := s.browser()
	b.signIn("cw@example.org")
	resp, body := b.get("/staff/cases/" + c.ID + "/response-pack.zip")
	if resp.StatusCode == http.StatusOK || strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") || !strings.Contains(body, "<html") {
		t.Errorf("download without letters: %d %v; want an error page", resp.StatusCode, resp.Header)
	}
	if resp, _ := b.get("/staff/cases/01HZZZZZZZZZZZZZZZZZZZZZZZ/response-pack.zip"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown case: %d", resp.StatusCode)
	}
}
