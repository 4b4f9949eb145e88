package staff_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
)

// boxIn is what the page's text box id holds.
func boxIn(t *testing.T, page, id string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<textarea[^>]*id="` + id + `"[^>]*>\n?(.*?)</textarea>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the page has no %s box", id)
	}
	return html.UnescapeString(m[1])
}

// letterIn is the draft's text as the page holds it.
func letterIn(t *testing.T, page string) string { t.Helper(); return boxIn(t, page, "letter-text") }

func draftingSite(t *testing.T) (*site, *browser, *cases.Case) {
	t.Helper()
	s := newSiteWith(t, nil, casework.SendLetters(caseworktest.Letters(t)))
	s.user("cw@example.org", auth.RoleCaseworker)
	b := s.browser()
	b.signIn("cw@example.org")
	return s, b, s.openCase()
}

// The extension's page drafts the notice from the answers, shows it as
// the requester will read it, keeps staff's edits through a second
// preview, and sends their words with the extension in one step.
func TestTheExtensionLetterIsDraftedEditedPreviewedAndSentInStaffsWords(t *testing.T) {
	s, b, c := draftingSite(t)
	_, page := b.get("/staff/cases/" + c.ID + "/extend")
	if !strings.Contains(page, "Send the letter and extend") || !strings.Contains(page, `name="preview"`) || letterIn(t, page) != "" {
		t.Fatalf("the extension page does not offer an empty draft to preview and send:\n%s", page)
	}
	answers := url.Values{"extend-months": {"2"}, "extend-reason": {"Your records are held in four separate systems."}, "preview": {"yes"}}
	resp, page := b.send(c.ID, "extend", answers)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("preview: status %d\n%s", resp.StatusCode, page)
	}
	draft := letterIn(t, page)
	if !strings.HasPrefix(draft, "# ") || !strings.Contains(draft, "Your records are held in four separate systems.") {
		t.Fatalf("the draft is not the extension notice written from the answers:\n%s", draft)
	}
	if !strings.Contains(page, `id="letter-preview"`) || !strings.Contains(page, "As the template wrote it") ||
		boxIn(t, page, "extend-reason") != "Your records are held in four separate systems." {
		t.Errorf("the preview does not show the letter with the answers kept:\n%s", page)
	}
	if after := s.get(c.ID); after.Extension != nil || len(after.Messages) != 0 {
		t.Fatalf("a preview extended the case or queued a letter: %+v", after.Messages)
	}

	edited := strings.Replace(draft, "Your records are held in four separate systems.", "Your records are in four systems, one of them archived off site.", 1)
	from := regexp.MustCompile(`name="letter-from" value="([0-9a-f]{64})"`).FindStringSubmatch(page)
	if from == nil {
		t.Fatal("the preview does not carry the draft's hash")
	}
	answers.Set("letter-text", edited)
	answers.Set("letter-from", from[1])
	_, page = b.send(c.ID, "extend", answers)
	if got := letterIn(t, page); got != strings.TrimSpace(edited) {
		t.Errorf("the second preview does not keep the edit: got\n%s\nwant\n%s", got, edited)
	}
	if !strings.Contains(page, "In your words") || !strings.Contains(page, "<p class=\"govuk-body\">Your records are in four systems, one of them archived off site.</p>") {
		t.Errorf("the second preview does not show the edit:\n%s", page)
	}

	answers.Del("preview")
	b.done(b.send(c.ID, "extend", answers))
	after := s.get(c.ID)
	if after.Extension == nil || len(after.Messages) != 1 {
		t.Fatalf("after sending: extension %+v, messages %+v", after.Extension, after.Messages)
	}
	m := after.Messages[0]
	body, err := s.work.MessageBody(context.Background(), c.ID, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Edited || m.Template != "extension-notice" || !strings.Contains(body.Text, "one of them archived off site") || m.SHA256 != cases.TextHash(body.Text) {
		t.Errorf("the letter queued is %+v:\n%s", m, body.Text)
	}
}

// Sent as the template wrote it, the letter is written again from the
// answers as they stand, and is not marked edited.
func TestAnUneditedDraftFollowsTheAnswers(t *testing.T) {
	s, b, c := draftingSite(t)
	answers := url.Values{"clarify-detail": {"Which years do you mean?"}, "preview": {"yes"}}
	_, page := b.send(c.ID, "clarify", answers)
	draft := letterIn(t, page)
	answers.Set("letter-text", draft)
	answers.Set("letter-from", regexp.MustCompile(`name="letter-from" value="([0-9a-f]{64})"`).FindStringSubmatch(page)[1])
	answers.Set("clarify-detail", "Which years, and which offices?")
	answers.Del("preview")
	b.done(b.send(c.ID, "clarify", answers))
	after := s.get(c.ID)
	body, err := s.work.MessageBody(context.Background(), c.ID, after.Messages[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Messages[0].Edited || !strings.Contains(body.Text, "Which years, and which offices?") {
		t.Errorf("the unedited draft sent edited=%v:\n%s", after.Messages[0].Edited, body.Text)
	}
}

// A letter that is not one is a field error on the letter, and nothing
// is done; so is a step whose letter the case cannot support yet.
func TestABrokenLetterIsAFieldErrorAndNothingIsDone(t *testing.T) {
	s, b, c := draftingSite(t)
	resp, body := b.send(c.ID, "extend", url.Values{"extend-months": {"1"}, "extend-reason": {"Complex"}, "letter-text": {"Dear Ada, we need more time."}})
	s.refusedOnField("a letter with no subject line", resp, body, "letter-text")
	if boxIn(t, body, "letter-text") != "Dear Ada, we need more time." {
		t.Error("the refused letter is not given back to correct")
	}
	resp, body = b.send(c.ID, "close", url.Values{"close-outcome": {"refused"}, "close-reason": {"manifestly_excessive"}, "preview": {"yes"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Article 12(4)") {
		t.Errorf("previewing a refusal with no reasons: status %d\n%s", resp.StatusCode, body)
	}
	if after := s.get(c.ID); after.Version != c.Version || len(after.Messages) != 0 {
		t.Errorf("refused steps changed the case: version %d (was %d), messages %+v", after.Version, c.Version, after.Messages)
	}
}

// Without a relay the page says no letter will be sent, and why, and
// offers nothing to edit.
func TestWithoutARelayThePageSaysNoLetterIsSent(t *testing.T) {
	s := newSite(t, nil)
	s.user("cw@example.org", auth.RoleCaseworker)
	b := s.browser()
	b.signIn("cw@example.org")
	c := s.openCase()
	_, page := b.get("/staff/cases/" + c.ID + "/extend")
	if !strings.Contains(page, `id="no-letter"`) || !strings.Contains(page, "no mail relay") || strings.Contains(page, `id="letter-text"`) ||
		strings.Contains(page, "Send the letter") || strings.Contains(page, `name="preview"`) {
		t.Errorf("with no relay the extension page does not say that no letter goes:\n%s", page)
	}
	b.done(b.send(c.ID, "extend", url.Values{"extend-months": {"1"}, "extend-reason": {"Complex"}}))
	if after := s.get(c.ID); after.Extension == nil || len(after.Messages) != 0 {
		t.Errorf("with no relay: extension %+v, messages %+v", after.Extension, after.Messages)
	}
}

// The merge page drafts the duplicate's letter like the other steps:
// Preview writes it from the reference typed, staff may change its words,
// and the merge sends their words with it; previewing merges nothing.
func TestTheMergeLetterIsDraftedPreviewedAndSentInStaffsWords(t *testing.T) {
	s, b, dup := draftingSite(t)
	goesOn := s.openCase()
	_, page := b.get("/staff/cases/" + dup.ID + "/merge")
	if !strings.Contains(page, "Send the letter, merge and close this case") || !strings.Contains(page, `name="preview"`) || letterIn(t, page) != "" {
		t.Fatalf("the merge page does not offer an empty draft to preview and send:\n%s", page)
	}
	resp, page := b.send(dup.ID, "merge", url.Values{"merge-reference": {"RD-0000-0000"}, "preview": {"yes"}})
	s.refusedOnField("previewing a merge into no case", resp, page, "merge-reference")

	answers := url.Values{"merge-reference": {strings.ToLower(goesOn.Reference)}, "preview": {"yes"}}
	resp, page = b.send(dup.ID, "merge", answers)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("preview: status %d\n%s", resp.StatusCode, page)
	}
	draft := letterIn(t, page)
	if !strings.HasPrefix(draft, "# ") || !strings.Contains(draft, goesOn.Reference) || !strings.Contains(page, `id="letter-preview"`) {
		t.Fatalf("the draft is not the duplicate's letter naming %s:\n%s", goesOn.Reference, page)
	}
	if after := s.get(dup.ID); after.State == cases.StateClosed || len(after.Messages) != 0 {
		t.Fatalf("a preview merged the case or queued a letter: %s %+v", after.State, after.Messages)
	}

	answers.Set("letter-text", draft+"\n\nWe are sorry for the confusion.")
	answers.Del("preview")
	if banner := b.done(b.send(dup.ID, "merge", answers)); !strings.HasPrefix(banner, "Case merged") {
		t.Fatalf("merge: banner %q", banner)
	}
	after := s.get(dup.ID)
	if after.Outcome == nil || after.Outcome.Kind != cases.OutcomeDuplicate || len(after.Messages) != 1 {
		t.Fatalf("after merging: outcome %+v, messages %+v", after.Outcome, after.Messages)
	}
	m := after.Messages[0]
	body, err := s.work.MessageBody(context.Background(), dup.ID, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Edited || m.Template != "duplicate" || !strings.Contains(body.Text, "We are sorry for the confusion.") || !strings.Contains(body.Text, goesOn.Reference) {
		t.Errorf("the letter queued is %+v:\n%s", m, body.Text)
	}
}
