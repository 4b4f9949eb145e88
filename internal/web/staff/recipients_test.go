package staff_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// sendAsBrowser posts an action's page as a browser without JavaScript
// would: the hidden fields the page holds, then the answers.
func (b *browser) sendAsBrowser(id, action string, answers url.Values) (*http.Response, string) {
	b.s.t.Helper()
	_, page := b.get("/staff/cases/" + id + "/" + action)
	form := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(page, -1) {
		if m[1] != "csrf_token" && m[1] != "etag" && !answers.Has(m[1]) {
			form.Set(m[1], html.UnescapeString(m[2]))
		}
	}
	for k, vs := range answers {
		form[k] = vs
	}
	return b.send(id, action, form)
}

// erasureCase is a request to erase data about someone on the IT Service
// Desk notice, whose recipients must be told (Article 19), and the first
// recipient the notice lists.
func erasureCase(t *testing.T, s *site) (*cases.Case, string) {
	t.Helper()
	res, err := s.work.Create(context.Background(), "token:test", cases.NewCase{Notices: []cases.NoticeRef{{ID: "it-service-desk"}},
		Rights: []notice.Right{notice.RightErasure}, Channel: cases.ChannelEmail,
		Requester: cases.Requester{Person: cases.Person{Name: "Ada Lovelace", Email: "ada@example.org"}, Relationship: cases.RelationshipSelf},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range res.Case.Tasks {
		if task.Kind == cases.TaskArticle19 {
			return res.Case, task.Recipient
		}
	}
	t.Fatal("an erasure on the IT Service Desk notice has no recipient to tell")
	return nil, ""
}

// The close page of an erasure asks whom to tell, with a row for each
// recipient the notice lists and rows to type others; Preview writes each
// one's letter to edit; closing queues them with the response, and the case
// page and its correspondence say who was told. All as plain form posts.
func TestClosingAnErasureTellsRecipientsFromThePage(t *testing.T) {
	s := newSiteWith(t, nil, casework.SendLetters(caseworktest.Letters(t)))
	s.user("cw@example.org", auth.RoleCaseworker)
	b := s.browser()
	b.signIn("cw@example.org")
	c, listed := erasureCase(t, s)
	// The rows to type a recipient come after one for each the notice lists.
	spare := "notify-" + strconv.Itoa(len(c.Tasks)+1)

	_, page := b.get("/staff/cases/" + c.ID + "/close")
	for _, want := range []string{"Tell the recipients (Article 19)", `<label class="govuk-label govuk-label--s" for="notify-1-email">Email address for ` + html.EscapeString(listed), `id="` + spare + `-recipient"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the close page lacks %q", want)
		}
	}

	resp, body := b.sendAsBrowser(c.ID, "close", url.Values{"close-outcome": {"fulfilled"}, "notify-1-email": {"not an address"}})
	s.refusedOnField("a recipient's address that is not one", resp, body, "notify-1-email")
	resp, body = b.sendAsBrowser(c.ID, "close", url.Values{"close-outcome": {"refused"}, "close-reason": {"other"}, "close-detail": {"A court order stops us."}, "notify-1-email": {"dpo@listed.example"}})
	s.refusedOnField("telling recipients of a refusal", resp, body, "notify-1-email")
	resp, body = b.sendAsBrowser(c.ID, "close", url.Values{"close-outcome": {"fulfilled"}, spare + "-recipient": {"Archive Services Ltd"}})
	s.refusedOnField("a typed recipient with no address", resp, body, spare+"-email")
	if after := s.get(c.ID); after.State == cases.StateClosed {
		t.Fatal("a refused close closed the case")
	}

	answers := url.Values{"close-outcome": {"fulfilled"}, "close-action": {"Tickets erased from the service desk."}, "notify-1-email": {"dpo@listed.example"},
		spare + "-recipient": {"Archive Services Ltd"}, spare + "-email": {"dpo@archive.example"}, "preview": {"yes"}}
	resp, page = b.sendAsBrowser(c.ID, "close", answers)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("preview: status %d\n%s", resp.StatusCode, page)
	}
	first, second := boxIn(t, page, "notify-1-letter"), boxIn(t, page, spare+"-letter")
	if !strings.Contains(first, "To "+listed) || !strings.Contains(second, "To Archive Services Ltd") || !strings.Contains(first, "deleted their personal data") {
		t.Fatalf("the drafts are not the Article 19 letters:\n%s\n---\n%s", first, second)
	}
	if !strings.Contains(page, `id="recipient-preview-2"`) || !strings.Contains(page, "Preview of the letter to Archive Services Ltd") ||
		!strings.Contains(letterIn(t, page), "Who we have told") {
		t.Errorf("the preview does not show each recipient's letter and the response naming them:\n%s", page)
	}

	// Staff reword the second letter and send, as the browser would: the
	// boxes and their hashes go back with the answers.
	resend := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(page, -1) {
		resend.Set(m[1], html.UnescapeString(m[2]))
	}
	for k, vs := range answers {
		resend[k] = vs
	}
	resend.Del("preview")
	resend.Set("letter-text", letterIn(t, page))
	resend.Set("notify-1-letter", first)
	resend.Set(spare+"-letter", second+"\n\nPlease confirm by reply.")
	b.done(b.post("/staff/cases/"+c.ID+"/close", resend))

	after := s.get(c.ID)
	if after.State != cases.StateClosed || len(after.Messages) != 3 || len(after.Told()) != 2 {
		t.Fatalf("after closing: %s, messages %+v, told %+v", after.State, after.Messages, after.Told())
	}
	art19 := after.Messages[2]
	text, err := s.work.MessageBody(context.Background(), c.ID, art19.ID)
	if err != nil {
		t.Fatal(err)
	}
	if art19.Kind != cases.KindArticle19 || art19.To != "dpo@archive.example" || !art19.Edited || after.Messages[1].Edited || !strings.Contains(text.Text, "Please confirm by reply.") {
		t.Errorf("the letter to Archive Services Ltd is %+v:\n%s", art19, text.Text)
	}
	_, page = b.get("/staff/cases/" + c.ID)
	for _, want := range []string{"Archive Services Ltd, written to at dpo@archive.example", "Article 19 notice to " + html.EscapeString(listed)} {
		if !strings.Contains(page, want) {
			t.Errorf("the case page lacks %q", want)
		}
	}
}

// An access request tells no recipient: its close page does not ask.
func TestTheClosePageAsksForRecipientsOnlyAfterAnArticle19Right(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	b := s.browser()
	b.signIn("cw@example.org")
	c := s.openCase()
	if _, page := b.get("/staff/cases/" + c.ID + "/close"); strings.Contains(page, "notify-1") || strings.Contains(page, "Article 19") {
		t.Errorf("an access request's close page asks whom to tell:\n%s", page)
	}
}
