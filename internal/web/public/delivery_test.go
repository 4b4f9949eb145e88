package public_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
	"github.com/rightsdesk/rightsdesk/internal/web"
	"github.com/rightsdesk/rightsdesk/internal/web/public"
)

// fakePacks writes a stand-in for a case's pack: what is tested here is
// who may have it and how it is sent, not what is in it.
type fakePacks struct {
	// fail fails the pack before its first byte, or with partly after
	// a few.
	fail   error
	partly bool
	// written are the cases whose packs were written whole.
	written []string
}

func (p *fakePacks) WritePack(_ context.Context, caseID string, w io.Writer) error {
	if p.fail != nil && !p.partly {
		return p.fail
	}
	if _, err := io.WriteString(w, "PK\x03\x04 the pack of "+caseID); err != nil || p.fail != nil {
		return errors.Join(err, p.fail)
	}
	p.written = append(p.written, caseID)
	return nil
}

// deliverySite is a site that writes letters and hands out packs, with a
// released access request whose requester gave an email address.
type deliverySite struct {
	*site
	packs *fakePacks
	c     *cases.Case
	code  string
}

var ada = cases.Person{Name: "Ada Lovelace", Email: "ada@example.org"}

func newDeliverySite(t *testing.T, configure func(*public.Config)) *deliverySite {
	t.Helper()
	packs := &fakePacks{}
	s := newSite(t, options{
		casework: []casework.Option{casework.SendLetters(caseworktest.Letters(t))},
		configure: func(cfg *public.Config) {
			cfg.Delivery, cfg.Packs = cfg.Work.(usecase.Delivery), packs
			if configure != nil {
				configure(cfg)
			}
		},
	})
	d := &deliverySite{site: s, packs: packs}
	d.c, d.code = s.released(ada)
	return d
}

// released opens an access request for person and has two caseworkers
// release its response pack.
func (s *site) released(person cases.Person) (*cases.Case, string) {
	s.t.Helper()
	ctx := context.Background()
	res, err := s.work.Create(ctx, "test", cases.NewCase{
		Notices: []cases.NoticeRef{{ID: "it-service-desk", Context: "employment"}}, Rights: []notice.Right{notice.RightAccess},
		Requester: cases.Requester{Person: person, Relationship: cases.RelationshipSelf},
	})
	if err != nil {
		s.t.Fatal(err)
	}
	for _, step := range []struct {
		actor string
		cmd   cases.Command
	}{{"token:alice", cases.SubmitForReview{}}, {"token:bob", cases.ApproveReview{}}, {"token:alice", cases.ReleasePack{}}} {
		if _, err := s.work.Apply(ctx, step.actor, res.Case.ID, "", step.cmd); err != nil {
			s.t.Fatalf("%s: %v", step.cmd.Action(), err)
		}
	}
	return res.Case, res.StatusToken
}

// askForCode presses "Send me a code" and expects the page to type it on.
func (s *site) askForCode() {
	s.t.Helper()
	if p := s.post("/status/response/code", nil); p.status != http.StatusSeeOther || p.header.Get("Location") != "/status/response/code" {
		s.t.Fatalf("asking for a code: %d to %q\n%s", p.status, p.header.Get("Location"), p.body)
	}
}

// emailed is the code of the latest code email queued for c, read from
// its outbox entry as the sender reads it (no relay runs here).
func (s *site) emailed(c *cases.Case) string {
	s.t.Helper()
	current, err := s.work.Get(context.Background(), c.ID)
	if err != nil {
		s.t.Fatal(err)
	}
	var latest string
	for _, m := range current.Messages {
		if m.Kind == cases.KindDeliveryCode {
			latest = m.ID
		}
	}
	var code string
	if err := s.st.View(context.Background(), func(tx store.ReadTx) error {
		entries, err := store.OutboxEntries(tx)
		for _, e := range entries {
			if e.CaseID == c.ID && e.MessageID == latest && len(e.Secrets) == 1 {
				code = e.Secrets[0].Value
			}
		}
		return err
	}); err != nil {
		s.t.Fatal(err)
	}
	if !regexp.MustCompile(`^\d{4} \d{4}$`).MatchString(code) {
		s.t.Fatalf("no code queued for %s: %q", c.Reference, code)
	}
	return code
}

func (s *site) download(code string) page {
	s.t.Helper()
	return s.post("/status/response/download", url.Values{"code": {code}})
}

func TestResponseIsDownloadedWithAOneTimeCode(t *testing.T) {
	s := newDeliverySite(t, nil)
	status := s.lookup(s.c.Reference, s.code)
	assertContains(t, "status page", status.text(), `id="response"`, "Your response is ready", "You can download it until", `href="/status/response"`)
	offer := s.get("/status/response")
	assertContains(t, "response page", offer.text(), "Send me a code", `action="/status/response/code"`, "for 15 minutes")
	s.askForCode()
	form := s.get("/status/response/code")
	assertContains(t, "code page", form.text(), `name="code"`, `autocomplete="one-time-code"`, `inputmode="numeric"`, `action="/status/response/download"`)
	code := s.emailed(s.c)
	assertLacks(t, "code page", form.body, code, strings.ReplaceAll(code, " ", ""), ada.Email)

	p := s.download(code)
	if p.status != http.StatusOK || !strings.HasPrefix(p.body, "PK\x03\x04") {
		t.Fatalf("download: %d\n%s", p.status, p.body)
	}
	for header, want := range map[string]string{
		"Content-Type":           "application/zip",
		"Content-Disposition":    "attachment; filename=response-" + s.c.Reference + ".zip",
		"Cache-Control":          "no-store",
		"X-Content-Type-Options": "nosniff",
	} {
		if got := p.header.Get(header); got != want {
			t.Errorf("%s: %q, want %q", header, got, want)
		}
	}
	c, err := s.work.Get(context.Background(), s.c.ID)
	if err != nil || len(c.Delivery.Downloads) != 1 || len(s.packs.written) != 1 || s.packs.written[0] != s.c.ID {
		t.Fatalf("after the download: %v, %d downloads recorded, packs written %v", err, len(c.Delivery.Downloads), s.packs.written)
	}
}

// refusal is the code page's answer with what differs from one visit to
// the next (the session's anti-forgery token) taken out.
func refusal(p page) string {
	return tokenField.ReplaceAllString(p.body, "TOKEN")
}

func TestEveryCodeThatDoesNotWorkGetsTheSameAnswer(t *testing.T) {
	s := newDeliverySite(t, nil)
	other, otherCode := s.released(cases.Person{Name: "Grace Hopper", Email: "grace@example.org"})
	s.lookup(other.Reference, otherCode)
	s.askForCode()
	othersCode := s.emailed(other)

	s.lookup(s.c.Reference, s.code)
	s.askForCode()
	code := s.emailed(s.c)
	answers := map[string]page{
		"wrong":          s.download(wrongDigits(code)),
		"another case's": s.download(othersCode),
	}
	if p := s.download(code); p.status != http.StatusOK {
		t.Fatalf("the right code: %d\n%s", p.status, p.body)
	}
	answers["used"] = s.download(code)
	s.askForCode()
	expiring := s.emailed(s.c)
	s.clock.Advance(cases.DeliveryCodeLife)
	answers["expired"] = s.download(expiring)

	want := refusal(answers["wrong"])
	for name, p := range answers {
		if p.status != http.StatusUnprocessableEntity {
			t.Errorf("%s code: %d, want 422", name, p.status)
		}
		if got := refusal(p); got != want {
			t.Errorf("the %s code's page differs from the wrong code's:\n%s\n---\n%s", name, got, want)
		}
	}
	assertContains(t, "refusal", answers["wrong"].text(), `<a href="#code">That code does not work.`, `id="code-error"`, "Send me a new code")
	if len(s.packs.written) != 1 {
		t.Errorf("packs written %v; want only the right code's", s.packs.written)
	}
	if p := s.download(""); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.text(), "Enter the code we emailed you") {
		t.Errorf("no code: %d\n%s", p.status, p.body)
	}
}

// wrongDigits is another code of the same shape.
func wrongDigits(code string) string {
	if code[0] == '9' {
		return "1" + code[1:]
	}
	return string(code[0]+1) + code[1:]
}

func TestCodeAttemptsAndCodesAreRateLimited(t *testing.T) {
	// The lookup spends one of the three; two tries more, and the fourth
	// post is refused before it is tried.
	s := newDeliverySite(t, func(cfg *public.Config) { cfg.Lookups = web.NewLimiter(time.Hour, 4) })
	s.lookup(s.c.Reference, s.code)
	s.askForCode()
	for i := range 2 {
		if p := s.download("00000000"); p.status != http.StatusUnprocessableEntity {
			t.Fatalf("try %d: %d", i+1, p.status)
		}
	}
	p := s.download(s.emailed(s.c))
	if p.status != http.StatusTooManyRequests || p.header.Get("Retry-After") == "" {
		t.Fatalf("a try over the limit: %d, Retry-After %q\n%s", p.status, p.header.Get("Retry-After"), p.body)
	}
	if len(s.packs.written) != 0 {
		t.Error("a rate-limited try downloaded the pack")
	}

	// Codes are limited per request, whoever asks.
	s = newDeliverySite(t, nil)
	s.lookup(s.c.Reference, s.code)
	for range cases.DeliveryCodesPerHour {
		s.askForCode()
	}
	p = s.post("/status/response/code", nil)
	if p.status != http.StatusTooManyRequests || p.header.Get("Retry-After") != "3600" {
		t.Fatalf("a code over the hourly limit: %d, Retry-After %q\n%s", p.status, p.header.Get("Retry-After"), p.body)
	}
}

func TestResponseByPostAndAfterItsWindowIsNotOfferedOnline(t *testing.T) {
	s := newDeliverySite(t, nil)
	byPost, code := s.released(cases.Person{Name: "Grace Hopper", PostalAddress: "1 High Street, Exampleton"})
	status := s.lookup(byPost.Reference, code)
	assertContains(t, "postal requester's status page", status.text(), `id="response-by-post"`, "coming to you by post")
	assertLacks(t, "postal requester's status page", status.body, `href="/status/response"`, "Send me a code")
	if p := s.get("/status/response"); p.status != http.StatusOK || strings.Contains(p.body, "Send me a code") {
		t.Errorf("postal requester's response page: %d\n%s", p.status, p.body)
	}
	if p := s.post("/status/response/code", nil); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.text(), "post") {
		t.Errorf("asking for a code by post: %d\n%s", p.status, p.body)
	}

	s.lookup(s.c.Reference, s.code)
	s.askForCode()
	late := s.emailed(s.c)
	s.clock.Advance(cases.PackAvailableFor)
	status = s.lookup(s.c.Reference, s.code)
	assertContains(t, "status page after the window", status.text(), `id="response-expired"`, "no longer available to download")
	assertLacks(t, "status page after the window", status.body, `href="/status/response"`)
	if p := s.download(late); p.status != http.StatusUnprocessableEntity || len(s.packs.written) != 0 {
		t.Errorf("a code after the window: %d, packs written %v", p.status, s.packs.written)
	}
}

func TestAPackThatCannotBeWrittenGetsAnErrorPage(t *testing.T) {
	s := newDeliverySite(t, nil)
	s.packs.fail = errors.New("the document store is out of reach")
	s.lookup(s.c.Reference, s.code)
	s.askForCode()
	p := s.download(s.emailed(s.c))
	if p.status != http.StatusInternalServerError || p.header.Get("Content-Disposition") != "" || strings.Contains(p.body, "out of reach") {
		t.Fatalf("a pack that fails before its first byte: %d, %q\n%s", p.status, p.header.Get("Content-Disposition"), p.body)
	}
}

// A pack that fails part way is cut short, so the browser reports the
// download failed rather than saving a broken file as the response.
func TestAPackThatFailsPartWayIsCutShort(t *testing.T) {
	s := newDeliverySite(t, nil)
	s.packs.fail, s.packs.partly = errors.New("a document no longer matches its hash"), true
	s.lookup(s.c.Reference, s.code)
	s.askForCode()
	form := url.Values{"csrf_token": {s.token}, "code": {s.emailed(s.c)}}
	req, err := http.NewRequest(http.MethodPost, s.url+"/status/response/download", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// Cut before the buffered headers went out, the answer never comes;
	// after, its body ends early. Either way it never reads to its end.
	resp, err := s.client.Do(req)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Fatalf("a download cut short read to its end: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestResponsePagesNeedALookup(t *testing.T) {
	s := newDeliverySite(t, nil)
	for _, path := range []string{"/status/response", "/status/response/code"} {
		if p := s.get(path); p.status != http.StatusSeeOther || p.header.Get("Location") != "/status" {
			t.Errorf("GET %s without a lookup: %d to %q", path, p.status, p.header.Get("Location"))
		}
	}
	if p := s.download("12345678"); p.status != http.StatusSeeOther || len(s.packs.written) != 0 {
		t.Errorf("download without a lookup: %d", p.status)
	}
}
