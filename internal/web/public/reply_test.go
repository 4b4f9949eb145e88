package public_test

import (
	"bytes"
	"context"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/blob"
	"github.com/rightsdesk/rightsdesk/internal/blob/fsblob"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
	"github.com/rightsdesk/rightsdesk/internal/web/public"
)

// replySite is a test site whose requester has looked up their request.
type replySite struct {
	*site
	docs blob.Store
	log  *bytes.Buffer
	c    *cases.Case
	code string
}

func newReplySite(t *testing.T) *replySite {
	t.Helper()
	docs, err := fsblob.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	s := newSite(t, options{
		casework:  []casework.Option{casework.WithDocuments(docs)},
		configure: func(cfg *public.Config) { cfg.Log = slog.New(slog.NewTextHandler(&log, nil)) },
	})
	c, code := s.created(cases.NoticeRef{ID: "it-service-desk", Context: "employment"})
	return &replySite{site: s, docs: docs, log: &log, c: c, code: code}
}

// lookUp looks the request up, as the requester does before answering.
func (s *replySite) lookUp() page {
	s.t.Helper()
	p := s.lookup(s.c.Reference, s.code)
	if p.status != http.StatusOK {
		s.t.Fatalf("lookup: %d\n%s", p.status, p.body)
	}
	return p
}

type part struct {
	name    string
	content []byte
}

// postFiles sends a form as a browser sends one with files: multipart,
// with the session's anti-forgery token.
func (s *replySite) postFiles(path string, fields url.Values, files ...part) page {
	s.t.Helper()
	m := tokenField.FindStringSubmatch(s.get("/status").body)
	if m == nil {
		s.t.Fatal("the status page has no anti-forgery token")
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf_token", m[1])
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		w, err := mw.CreateFormFile("files", f.name)
		if err != nil {
			s.t.Fatal(err)
		}
		_, _ = w.Write(f.content)
	}
	_ = mw.Close()
	req, err := http.NewRequest(http.MethodPost, s.url+path, &body)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return s.do(req)
}

func (s *replySite) current() *cases.Case {
	s.t.Helper()
	c, err := s.work.Get(context.Background(), s.c.ID)
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

func (s *replySite) storedKeys() []string {
	s.t.Helper()
	var keys []string
	if err := s.docs.List(context.Background(), "", func(i blob.Info) error { keys = append(keys, i.Key); return nil }); err != nil {
		s.t.Fatal(err)
	}
	return keys
}

var pdfBytes = []byte("%PDF-1.4\n% a tiny test document\n%%EOF\n")

func TestReplyWithAFileRestartsTheClock(t *testing.T) {
	s := newReplySite(t)
	if _, err := s.work.Apply(context.Background(), "token:test", s.c.ID, "", cases.RequestFromRequester{What: cases.WaitingForIdentity}); err != nil {
		t.Fatal(err)
	}
	before := s.client.Jar.Cookies(mustURL(t, s.url))
	s.get("/status") // a session exists before the lookup, as it would
	planted := s.client.Jar.Cookies(mustURL(t, s.url))
	result := s.lookUp().text()
	assertContains(t, "status page", result, `href="/status/reply"`, `href="/status/withdraw"`, "Send us what we are waiting for")
	if after := s.client.Jar.Cookies(mustURL(t, s.url)); len(planted) == 0 || len(after) == 0 || after[0].Value == planted[0].Value {
		t.Errorf("the session id did not change at the lookup (before %v, planted %v, after %v)", before, planted, after)
	}

	form := s.get("/status/reply")
	assertContains(t, "reply page", form.text(), `enctype="multipart/form-data"`, `type="file"`, "Proof of your identity", "PDF, JPEG or PNG")
	assertLacks(t, "reply page", form.body, s.code, cases.GroupStatusCode(s.code))

	sent := s.postFiles("/status/reply", url.Values{"reply": {"Here is my passport, Ada Unique-Words."}}, part{`C:\Users\ada\passport scan.pdf`, pdfBytes})
	if sent.status != http.StatusSeeOther || sent.header.Get("Location") != "/status/reply/sent" {
		t.Fatalf("reply: %d to %q\n%s", sent.status, sent.header.Get("Location"), sent.body)
	}
	c := s.current()
	if c.State != cases.StateInProgress || c.Clock.Start != "2026-03-02" || !c.NewReply {
		t.Errorf("state %s, clock start %s, new reply %v; want the clock started again on the reply's date", c.State, c.Clock.Start, c.NewReply)
	}
	if f, ok := c.File("d1"); !ok || f.Name != "passport scan.pdf" || f.MediaType != cases.MediaPDF {
		t.Errorf("file %+v, %v", f, ok)
	}
	if keys := s.storedKeys(); len(keys) != 1 {
		t.Errorf("stored documents %v; want one", keys)
	}
	confirmation := s.get("/status/reply/sent").text()
	assertContains(t, "reply sent page", confirmation, "Reply sent", c.Reference, "We received 1 file", "starts again from today", "2 April 2026")
	assertLacks(t, "reply sent page", confirmation, "passport", "Ada")
	assertLacks(t, "the log", s.log.String(), "Unique-Words", "passport", s.code, s.c.Reference, "ada@example.org")
}

func TestReplyAtAnotherTimeIsJustAMessage(t *testing.T) {
	s := newReplySite(t)
	s.lookUp()
	if p := s.postFiles("/status/reply", url.Values{"reply": {"Please include the old HR system."}}); p.status != http.StatusSeeOther {
		t.Fatalf("reply: %d\n%s", p.status, p.body)
	}
	c := s.current()
	if c.Clock.Due != s.c.Clock.Due || !c.NewReply || c.Exchanges[len(c.Exchanges)-1].Detail != "Please include the old HR system." {
		t.Errorf("due %s (was %s), new reply %v, exchanges %+v", c.Clock.Due, s.c.Clock.Due, c.NewReply, c.Exchanges)
	}
	assertContains(t, "reply sent page", s.get("/status/reply/sent").text(), "We have added your reply to your request")
}

func TestReplyRefusalsLinkToTheField(t *testing.T) {
	tooBig := append(bytes.Clone(pdfBytes), make([]byte, cases.MaxFileSize)...)
	tests := []struct {
		name   string
		fields url.Values
		files  []part
		status int
		link   string
	}{
		{"nothing sent", url.Values{"reply": {"  "}}, nil, http.StatusUnprocessableEntity, `<a href="#reply">Write your reply, or choose a file to send</a>`},
		{"wrong type", nil, []part{{"holiday.pdf", []byte("GIF89a not really a pdf")}}, http.StatusUnprocessableEntity, `<a href="#files">Holiday.pdf is not a PDF, JPEG or PNG file</a>`},
		{"too large", nil, []part{{"big.pdf", tooBig}}, http.StatusRequestEntityTooLarge, `<a href="#files">Big.pdf is larger than 10 MB</a>`},
		{"too many", nil, []part{{"1.pdf", pdfBytes}, {"2.pdf", pdfBytes}, {"3.pdf", pdfBytes}, {"4.pdf", pdfBytes}}, http.StatusUnprocessableEntity, `<a href="#files">Send at most 3 files at a time</a>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newReplySite(t)
			s.lookUp()
			p := s.postFiles("/status/reply", tt.fields, tt.files...)
			if p.status != tt.status || !strings.Contains(p.text(), tt.link) {
				t.Fatalf("%d; want %d with the error %s\n%s", p.status, tt.status, tt.link, p.body)
			}
			if c := s.current(); c.Version != s.c.Version {
				t.Errorf("the case changed: version %d → %d", s.c.Version, c.Version)
			}
			if keys := s.storedKeys(); len(keys) != 0 {
				t.Errorf("documents stored after a refused reply: %v", keys)
			}
		})
	}
}

func TestReplyFormOverTheLimitIs413(t *testing.T) {
	s := newReplySite(t)
	s.lookUp()
	huge := make([]byte, cases.MaxFileSize)
	copy(huge, pdfBytes)
	files := []part{{"1.pdf", huge}, {"2.pdf", huge}, {"3.pdf", huge}, {"4.pdf", huge}}
	p := s.postFiles("/status/reply", nil, files...)
	if p.status != http.StatusRequestEntityTooLarge || !strings.Contains(p.text(), "send fewer or smaller files") {
		t.Fatalf("%d\n%s", p.status, p.body)
	}
}

func TestReplyNeedsALookup(t *testing.T) {
	s := newReplySite(t)
	// A failed lookup remembers nothing.
	if p := s.lookup(s.c.Reference, strings.Repeat("A", len(s.code))); p.status != http.StatusNotFound {
		t.Fatalf("wrong code: %d", p.status)
	}
	for _, path := range []string{"/status/reply", "/status/withdraw", "/status/request", "/status/reply/sent", "/status/withdrawn"} {
		if p := s.get(path); p.status != http.StatusSeeOther || p.header.Get("Location") != "/status" {
			t.Errorf("GET %s without a lookup: %d to %q; want to be sent to look the request up", path, p.status, p.header.Get("Location"))
		}
	}
	if p := s.post("/status/reply", url.Values{"reply": {"hello"}}); p.status != http.StatusSeeOther || p.header.Get("Location") != "/status" {
		t.Errorf("POST /status/reply without a lookup: %d to %q", p.status, p.header.Get("Location"))
	}
	if c := s.current(); c.Version != s.c.Version {
		t.Error("a reply without a lookup changed the case")
	}
}

func TestWithdrawFromTheStatusPage(t *testing.T) {
	s := newReplySite(t)
	s.lookUp()
	confirm := s.get("/status/withdraw").text()
	assertContains(t, "withdraw page", confirm, "Are you sure you want to withdraw your request?", "govuk-button--warning", `href="/status/request"`)
	p := s.post("/status/withdraw", url.Values{"reason": {"I have what I needed."}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/status/withdrawn" {
		t.Fatalf("withdraw: %d to %q\n%s", p.status, p.header.Get("Location"), p.body)
	}
	c := s.current()
	if c.State != cases.StateClosed || c.Outcome.Kind != cases.OutcomeWithdrawn || c.Exchanges[len(c.Exchanges)-1].By != usecase.RequesterActor {
		t.Errorf("state %s outcome %+v exchanges %+v", c.State, c.Outcome, c.Exchanges)
	}
	assertContains(t, "withdrawn page", s.get("/status/withdrawn").text(), "Request withdrawn", c.Reference, "What happens next")
	result := s.get("/status/request").text()
	assertContains(t, "status page", result, "You withdrew your request.")
	assertLacks(t, "status page", result, `href="/status/reply"`, `href="/status/withdraw"`)
	if p := s.get("/status/reply"); p.status != http.StatusConflict || !strings.Contains(p.text(), "Your request is closed") {
		t.Errorf("reply page of a closed request: %d\n%s", p.status, p.body)
	}
	assertLacks(t, "the log", s.log.String(), "what I needed", s.code)
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
