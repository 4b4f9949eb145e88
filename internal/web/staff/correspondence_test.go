package staff_test

import (
	"context"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/leader"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// refusal is a relay's refusal; permanent is a 5xx, which is not tried again.
type refusal struct {
	text      string
	permanent bool
}

func (r refusal) Error() string   { return r.text }
func (r refusal) Permanent() bool { return r.permanent }

// refusingRelay refuses the letter with id refuseForGood for good, and
// every other letter for now.
type refusingRelay struct{ refuseForGood string }

func (r refusingRelay) Send(_ context.Context, l casework.Letter) error {
	if l.ID == r.refuseForGood {
		return refusal{text: "550 5.1.1 <" + l.To + ">: mailbox unavailable", permanent: true}
	}
	return refusal{text: "451 4.3.0 try again later"}
}

const statusPageReply = "Here is my passport number."

// undeliveredCase is a request from the public pages whose acknowledgement
// the relay refused for good and whose request for proof of identity it
// refused for now (and, on the site's fixed clock, the retry never falls
// due); the requester then replied from the status page. It returns the
// case and its acknowledgement's message id.
func undeliveredCase(t *testing.T) (*site, *cases.Case, string) {
	t.Helper()
	s := newSiteWith(t, nil, casework.SendLetters(caseworktest.Letters(t)))
	ctx := context.Background()
	res, err := s.work.Create(ctx, "web:public", cases.NewCase{Notices: []cases.NoticeRef{{ID: "it-service-desk"}}, Rights: []notice.Right{notice.RightAccess},
		Channel:   cases.ChannelWeb,
		Requester: cases.Requester{Person: cases.Person{Name: "Ada Lovelace", Email: "ada@example.org"}, Relationship: cases.RelationshipSelf}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Case.Messages) != 1 {
		t.Fatalf("a request from the public pages queued %d letters, want its acknowledgement", len(res.Case.Messages))
	}
	ackID := res.Case.Messages[0].ID
	if _, err := s.work.Apply(ctx, "token:test", res.Case.ID, "", cases.RequestFromRequester{What: cases.WaitingForIdentity, Detail: "a copy of your passport"}); err != nil {
		t.Fatal(err)
	}

	job := s.work.OutboxJob(refusingRelay{refuseForGood: ackID}, casework.OutboxOptions{Poll: 5 * time.Millisecond})
	runner := leader.NewRunner(s.store, leader.Local{}, "test", []leader.Job{job}, slog.New(slog.DiscardHandler))
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { runner.Run(runCtx); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := s.work.Get(ctx, res.Case.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Messages) == 2 && c.Messages[0].Undelivered() && c.Messages[1].Undelivered() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10s the relay's refusals are not recorded: %+v", c.Messages)
		}
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	<-done

	c, err := s.work.Reply(ctx, res.Case.Reference, res.StatusToken, statusPageReply, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s, c, ackID
}

var messageLink = regexp.MustCompile(`href="(/staff/cases/[^"]*/messages/[^"]*)"`)

func TestCorrespondenceOnTheCasePage(t *testing.T) {
	s, c, ackID := undeliveredCase(t)
	s.user("viewer@example.org", auth.RoleViewer)
	b := s.browser()
	b.signIn("viewer@example.org")

	resp, page := b.get("/staff/cases/" + c.ID)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("case page: %d", resp.StatusCode)
	}
	banner := between(t, page, `id="undelivered"`, `</div>
</div>`)
	for _, want := range []string{
		"A letter to the requester was not delivered: ", ">Acknowledgement</a>",
		"The mail server said: 550 5.1.1 &lt;[recipient]&gt;: mailbox unavailable. It will not be tried again",
		">Request for proof of identity</a>", "The mail server said: 451 4.3.0 try again later. It will be tried again.",
	} {
		if !strings.Contains(banner, want) {
			t.Errorf("the warning lacks %q:\n%s", want, banner)
		}
	}
	if strings.Contains(banner, "ada@example.org") {
		t.Error("the warning shows the address the relay named")
	}
	if strings.Index(page, `id="undelivered"`) > strings.Index(page, "<h1") {
		t.Error("the warning is not at the top of the case page")
	}

	section := between(t, page, `id="correspondence"`, `id="notes"`)
	for _, want := range []string{
		"Sent: <a", ">Acknowledgement</a>", ">Request for proof of identity</a>", "Received: <a", ">Reply from the requester</a>", "Status page", "Email",
		`govuk-tag--red">Not delivered</strong>`, `govuk-tag--orange">Not delivered — retrying</strong>`,
	} {
		if !strings.Contains(section, want) {
			t.Errorf("the Correspondence section lacks %q:\n%s", want, section)
		}
	}
	links := messageLink.FindAllStringSubmatch(section, -1)
	if len(links) != 3 {
		t.Fatalf("the Correspondence section links %d messages, want 3", len(links))
	}
	ids := regexp.MustCompile(`^/staff/cases/` + c.ID + `/messages/[0-9A-Za-z]+$`)
	for _, l := range links {
		if !ids.MatchString(l[1]) {
			t.Errorf("message link %q carries more than the case's and the message's ids", l[1])
		}
	}

	// A viewer reads the letter as kept, with its delivery and hash.
	resp, letter := b.get("/staff/cases/" + c.ID + "/messages/" + ackID)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the acknowledgement's page: %d", resp.StatusCode)
	}
	ack, _ := c.Message(ackID)
	for _, want := range []string{
		`id="message-text"`, c.Reference, "[status code: sent to the requester, not kept]", ack.SHA256, "ada@example.org",
		`govuk-tag--red">Not delivered</strong>`, "(1 attempt)", "It will not be tried again", `href="/staff/cases/` + c.ID + `#correspondence"`,
	} {
		if !strings.Contains(letter, want) {
			t.Errorf("the acknowledgement's page lacks %q", want)
		}
	}

	// The reply's page shows what the requester wrote.
	var replyHref string
	for _, l := range links {
		if !strings.HasSuffix(l[1], "/"+ackID) && !strings.HasSuffix(l[1], "/"+c.Messages[1].ID) {
			replyHref = l[1]
		}
	}
	if resp, reply := b.get(replyHref); resp.StatusCode != http.StatusOK || !strings.Contains(reply, statusPageReply) || !strings.Contains(reply, "from the requester") {
		t.Errorf("the reply's page %s: %d, want it with the requester's words", replyHref, resp.StatusCode)
	}

	other := s.openCase()
	for _, path := range []string{"/staff/cases/" + c.ID + "/messages/x9", "/staff/cases/" + other.ID + "/messages/" + ackID} {
		if resp, _ := b.get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
	if resp, _ := s.browser().get("/staff/cases/" + c.ID + "/messages/" + ackID); resp.StatusCode != http.StatusSeeOther ||
		!strings.HasPrefix(resp.Header.Get("Location"), "/staff/sign-in") {
		t.Errorf("a letter's page signed out: %d to %q, want the sign-in page", resp.StatusCode, resp.Header.Get("Location"))
	}

	// A case with no letters says so, and has no warning.
	_, quiet := b.get("/staff/cases/" + other.ID)
	if strings.Contains(quiet, `id="undelivered"`) || !strings.Contains(quiet, "No letters sent or replies received yet.") {
		t.Error("a case without correspondence shows a warning or no empty Correspondence section")
	}
}

func TestQueueViewOfLettersNotDelivered(t *testing.T) {
	s, c, _ := undeliveredCase(t)
	other := s.openCase()
	s.user("viewer@example.org", auth.RoleViewer)
	b := s.browser()
	b.signIn("viewer@example.org")

	_, all := b.get("/staff/")
	if !strings.Contains(all, "Letter not delivered</a>") && !strings.Contains(all, ">Letter not delivered<") {
		t.Error("the queue offers no Letter not delivered view")
	}
	_, view := b.get("/staff/?view=undelivered")
	table := between(t, view, `id="cases"`, "</table>")
	if !strings.Contains(table, c.Reference) || strings.Contains(table, other.Reference) {
		t.Errorf("the Letter not delivered view lists the wrong cases:\n%s", table)
	}
	row := between(t, table, c.Reference, "</tr>")
	if !strings.Contains(row, `govuk-tag--red">Letter not delivered</strong>`) {
		t.Errorf("the row of %s has no Letter not delivered tag:\n%s", c.Reference, row)
	}
	if row := between(t, all, other.Reference, "</tr>"); strings.Contains(row, "Letter not delivered") {
		t.Errorf("the row of %s, whose letters are all delivered, is tagged:\n%s", other.Reference, row)
	}
}

// between is the part of page from the first from to the next to after it.
func between(t *testing.T, page, from, to string) string {
	t.Helper()
	i := strings.Index(page, from)
	if i < 0 {
		t.Fatalf("the page has no %q", from)
	}
	j := strings.Index(page[i:], to)
	if j < 0 {
		t.Fatalf("the page has no %q after %q", to, from)
	}
	return page[i : i+j]
}
