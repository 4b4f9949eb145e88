package public_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/blob/fsblob"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
	"github.com/rightsdesk/rightsdesk/internal/web"
	"github.com/rightsdesk/rightsdesk/internal/web/public"
)

// ownerSite is a test site taking data owners' answers, with one access
// case (due 2 April 2026) and a search request sent for it: the owner's
// link token is read from the email waiting in the outbox, as the owner
// would read it from the email.
type ownerSite struct {
	*replySite
	token string
}

func newOwnerSite(t *testing.T, configure func(*public.Config)) *ownerSite {
	t.Helper()
	docs, err := fsblob.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	s := newSite(t, options{
		casework: []casework.Option{casework.WithDocuments(docs), casework.SendLetters(caseworktest.Letters(t)), casework.PublicSite("https://rights.example.org")},
		configure: func(cfg *public.Config) {
			cfg.Log = slog.New(slog.NewTextHandler(&log, nil))
			cfg.Searches = cfg.Work.(usecase.SearchRequests)
			if configure != nil {
				configure(cfg)
			}
		},
	})
	c, code := s.created(cases.NoticeRef{ID: "it-service-desk", Context: "employment"})
	o := &ownerSite{replySite: &replySite{site: s, docs: docs, log: &log, c: c, code: code}}
	o.token = o.send("HR system")
	return o
}

// send sends a search request for system and returns its link's token.
func (o *ownerSite) send(system string) string {
	o.t.Helper()
	c, err := o.work.SendSearchRequest(context.Background(), "token:test", o.c.ID, "", cases.SendSearchRequest{Owner: "Mary Owner", Email: "mary@example.net", Source: system})
	if err != nil {
		o.t.Fatal(err)
	}
	o.c = c
	var token string
	err = o.st.View(context.Background(), func(tx store.ReadTx) error {
		entries, err := store.OutboxEntries(tx)
		for _, e := range entries {
			for _, sec := range e.Secrets {
				if e.MessageID == c.Messages[len(c.Messages)-1].ID {
					token = strings.TrimPrefix(sec.Value, "https://rights.example.org"+usecase.SearchLinkPath)
				}
			}
		}
		return err
	})
	if err != nil || token == "" {
		o.t.Fatalf("no link in the outbox (%v)", err)
	}
	return token
}

// answer opens the owner's page, as following the link does, and posts
// an answer from it.
func (o *ownerSite) answer(fields url.Values, files ...part) page {
	o.t.Helper()
	if p := o.get(usecase.SearchLinkPath + o.token); p.status != http.StatusOK {
		o.t.Fatalf("the owner's page: %d\n%s", p.status, p.body)
	}
	fields.Set("token", o.token)
	return o.postFiles("/search/answer", fields, files...)
}

// The owner's page names the request by its reference, the system and the
// dates, and nothing of the requester.
func TestOwnersPageShowsTheTaskAndNothingOfTheRequester(t *testing.T) {
	o := newOwnerSite(t, nil)
	p := o.get(usecase.SearchLinkPath + o.token)
	if p.status != http.StatusOK {
		t.Fatalf("%d\n%s", p.status, p.body)
	}
	assertContains(t, "owner's page", p.text(), o.c.Reference, "Search HR system for a data protection request", "26 March 2026", "9 April 2026",
		`action="/search/answer"`, `enctype="multipart/form-data"`, "Answer that nothing is held", `name="csrf_token"`)
	assertLacks(t, "owner's page", p.text(), "Ada", "Lovelace", "ada@example.org", o.code)
	if p.header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("Referrer-Policy %q: the page's address holds the token", p.header.Get("Referrer-Policy"))
	}
}

func TestOwnerSendsFilesThatBecomeCollectedRecords(t *testing.T) {
	o := newOwnerSite(t, nil)
	p := o.answer(url.Values{"answer": {"found"}, "found_note": {"From the 2024 folder"}}, part{"HR file.pdf", pdfBytes}, part{"note.pdf", pdfBytes})
	if p.status != http.StatusOK {
		t.Fatalf("%d\n%s", p.status, p.body)
	}
	assertContains(t, "answer page", p.text(), "Answer sent", o.c.Reference, "We received 2 files from HR system")
	c := o.current()
	if len(c.Documents) != 2 || c.Documents[0].Kind != cases.DocumentCollectedRecord || c.Documents[0].AddedBy != "owner:r1" || c.Documents[0].Source != "HR system" {
		t.Errorf("documents = %+v", c.Documents)
	}
	if len(c.Searches) != 1 || c.Searches[0].Found != "2 file(s): From the 2024 folder" || c.Searches[0].By != "Mary Owner" {
		t.Errorf("searches = %+v", c.Searches)
	}
	if keys := o.storedKeys(); len(keys) != 2 {
		t.Errorf("stored %v, want 2 documents", keys)
	}
	assertLacks(t, "the log", o.log.String(), o.token, "From the 2024 folder", "mary@example.net")
}

func TestOwnerAnswersNothingHeld(t *testing.T) {
	o := newOwnerSite(t, nil)
	p := o.answer(url.Values{"answer": {"nothing"}, "nothing_note": {"Searched by name and staff number"}})
	if p.status != http.StatusOK {
		t.Fatalf("%d\n%s", p.status, p.body)
	}
	assertContains(t, "answer page", p.text(), "Answer sent", "We have recorded that HR system holds nothing")
	c := o.current()
	if len(c.Searches) != 1 || c.Searches[0].Found != "nothing held: Searched by name and staff number" || c.SearchRequests[0].State != cases.SearchRequestAnsweredNothing {
		t.Errorf("searches = %+v, requests = %+v", c.Searches, c.SearchRequests)
	}
}

func TestOwnerAnswerRefusalsLinkToTheField(t *testing.T) {
	tests := []struct {
		name   string
		fields url.Values
		files  []part
		status int
		link   string
	}{
		{"found, but no file", url.Values{"answer": {"found"}}, nil, http.StatusUnprocessableEntity, `<a href="#files">Choose the files you found, or answer that nothing is held</a>`},
		{"a file of the wrong type", url.Values{"answer": {"found"}}, []part{{"notes.pdf", []byte("GIF89a")}}, http.StatusUnprocessableEntity, `<a href="#files">Notes.pdf is not a PDF, JPEG or PNG file</a>`},
		{"too many files", url.Values{"answer": {"found"}}, []part{{"1.pdf", pdfBytes}, {"2.pdf", pdfBytes}, {"3.pdf", pdfBytes}, {"4.pdf", pdfBytes}}, http.StatusUnprocessableEntity, `<a href="#files">Send at most 3 files at a time</a>`},
		{"a note with a control character", url.Values{"answer": {"nothing"}, "nothing_note": {"bell \a"}}, nil, http.StatusUnprocessableEntity, `<a href="#nothing_note">`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOwnerSite(t, nil)
			p := o.answer(tt.fields, tt.files...)
			if p.status != tt.status || !strings.Contains(p.text(), tt.link) {
				t.Fatalf("%d; want %d with the error %s\n%s", p.status, tt.status, tt.link, p.body)
			}
			if c := o.current(); c.Version != o.c.Version || len(c.Documents) != 0 {
				t.Errorf("the case changed: version %d → %d", o.c.Version, c.Version)
			}
			if keys := o.storedKeys(); len(keys) != 0 {
				t.Errorf("documents stored after a refused answer: %v", keys)
			}
		})
	}
}

// Every link that does not work gets the very same 404 page, whether it
// is opened or answered.
func TestInvalidOwnerLinksGetTheSamePage(t *testing.T) {
	o := newOwnerSite(t, nil)
	answered := o.token
	open := o.send("Payroll")
	if p := o.answer(url.Values{"answer": {"nothing"}}); p.status != http.StatusOK {
		t.Fatalf("answer: %d", p.status)
	}
	cancelled := o.send("CRM")
	if _, err := o.work.Apply(context.Background(), "token:test", o.c.ID, "", cases.CancelSearchRequest{ID: "r3"}); err != nil {
		t.Fatal(err)
	}
	caseID, secret, _ := strings.Cut(open, ".")
	altered := "a"
	if strings.HasSuffix(open, "a") {
		altered = "b"
	}
	links := map[string]string{
		"answered":             answered,
		"cancelled":            cancelled,
		"unknown secret":       caseID + "." + strings.Repeat("a", len(secret)),
		"another case":         "01JAAAAAAAAAAAAAAAAAAAAAAA." + secret,
		"not a token":          "hello",
		"an altered character": open[:len(open)-1] + altered,
	}
	var want string
	for name, token := range links {
		p := o.get(usecase.SearchLinkPath + token)
		if p.status != http.StatusNotFound || !strings.Contains(p.text(), "This link is not valid") {
			t.Errorf("%s: %d\n%s", name, p.status, p.body)
		}
		if want == "" {
			want = p.body
		} else if p.body != want {
			t.Errorf("%s: the page differs from another invalid link's", name)
		}
		if p := o.postFiles("/search/answer", url.Values{"token": {token}, "answer": {"nothing"}}); p.status != http.StatusNotFound || p.body != want {
			t.Errorf("%s: answering gives %d\n%s", name, p.status, p.body)
		}
	}
	if p := o.get(usecase.SearchLinkPath + open); p.status != http.StatusOK {
		t.Errorf("the open request's link stopped working: %d", p.status)
	}
	o.clock.Advance(39 * 24 * time.Hour) // 10 April, the day after the link's last day
	if p := o.get(usecase.SearchLinkPath + open); p.status != http.StatusNotFound || p.body != want {
		t.Errorf("an expired link: %d\n%s", p.status, p.body)
	}
	if c := o.current(); len(c.Searches) != 1 {
		t.Errorf("refused answers reached the search record: %+v", c.Searches)
	}
}

func TestOwnerLinksAreRateLimited(t *testing.T) {
	o := newOwnerSite(t, func(cfg *public.Config) { cfg.Lookups = web.NewLimiter(time.Hour, 3) })
	for i := range 4 {
		p := o.get(usecase.SearchLinkPath + "01JAAAAAAAAAAAAAAAAAAAAAAA.x")
		if want := map[bool]int{true: http.StatusNotFound, false: http.StatusTooManyRequests}[i < 3]; p.status != want {
			t.Errorf("link %d: %d, want %d", i+1, p.status, want)
		}
	}
	if p := o.get(usecase.SearchLinkPath + o.token); p.status != http.StatusTooManyRequests {
		t.Errorf("a good link past the limit: %d, want 429", p.status)
	}
}

func TestOwnerAnswersNeedTheSessionsToken(t *testing.T) {
	o := newOwnerSite(t, nil)
	o.get(usecase.SearchLinkPath + o.token)
	p := o.postRaw("/search/answer", url.Values{"token": {o.token}, "answer": {"nothing"}, "csrf_token": {"forged"}}, nil)
	if p.status != http.StatusForbidden {
		t.Errorf("a forged answer: %d, want 403", p.status)
	}
	if c := o.current(); len(c.Searches) != 0 {
		t.Errorf("a forged answer was recorded: %+v", c.Searches)
	}
}

func TestWithoutSearchRequestsTheLinksLeadNowhere(t *testing.T) {
	s := newSite(t, options{})
	if p := s.get(usecase.SearchLinkPath + "01JAAAAAAAAAAAAAAAAAAAAAAA.x"); p.status != http.StatusNotFound {
		t.Errorf("%d", p.status)
	}
}
