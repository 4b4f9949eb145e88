package server_test

import (
	"strings"
	"testing"

	"google.golang.org/grpc/metadata"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/notify/notifytest"
	"github.com/rightsdesk/rightsdesk/internal/server"
)

// A close over the API names the recipients to tell; each gets its letter,
// listed with the recipient it told, and the case records the address
// written to. A merge sends the duplicate's letter in the caller's words.
func TestCloseCaseTellsRecipientsAndMergeCaseTakesALetter(t *testing.T) {
	relay := notifytest.Start(t)
	as := startWithTokensConfig(t, server.Config{
		MaxBodyBytes: 1 << 20, Clock: clock.Fixed(lifecycleNow),
		SMTPURL: "smtp://" + relay.Addr + "?from=privacy@example.org", PublicURL: "https://rights.example.org",
	})
	client := rdv1.NewCaseServiceClient(as.conn)
	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+as.tokens["caseworker"])
	open := func(right rdv1.Right) *rdv1.Case {
		t.Helper()
		c, err := client.CreateCase(ctx, &rdv1.CreateCaseRequest{Case: &rdv1.Case{
			Notices: []*rdv1.CaseNotice{{Notice: lifecycleNoticeName}}, Rights: []*rdv1.RequestedRight{{Right: right}},
			Requester:  &rdv1.Requester{Person: &rdv1.Person{Name: "Ada Example", Email: "ada@example.org"}, Relationship: rdv1.Relationship_RELATIONSHIP_SELF},
			Channel:    rdv1.ReceivedChannel_RECEIVED_CHANNEL_EMAIL,
			ReceivedOn: "2026-04-27",
		}})
		mustStep(t, "create", err)
		return c
	}

	c := open(rdv1.Right_RIGHT_ERASURE)
	close := &rdv1.CloseCaseRequest{Name: c.GetName(), Etag: c.GetEtag(), Outcome: rdv1.OutcomeKind_OUTCOME_KIND_FULFILLED, ActionTaken: "Erased.",
		RecipientNotices: []*rdv1.RecipientNotice{{Recipient: "Archive Services Ltd", Email: "Archive <dpo@archive.example>"}}}
	_, err := client.CloseCase(ctx, close)
	assertFieldViolation(t, err, "recipient_notices[0].email")

	close.RecipientNotices[0].Email = "dpo@archive.example"
	close.RecipientNotices[0].LetterText = "# Please delete your copy\n\nWe deleted Ada's data at her request."
	closed, err := client.CloseCase(ctx, close)
	mustStep(t, "close", err)
	var told *rdv1.Task
	for _, task := range closed.GetTasks() {
		if task.GetRecipient() == "Archive Services Ltd" {
			told = task
		}
	}
	if told == nil || told.GetState() != rdv1.TaskState_TASK_STATE_DONE || told.GetEmail() != "dpo@archive.example" {
		t.Errorf("the closed case records the recipient as %v", told)
	}
	all := waitSent(t, client, ctx, c.GetName())
	art19 := theOne(t, all, "an Article 19 letter", func(m *rdv1.CaseMessage) bool { return m.GetKind() == rdv1.MessageKind_MESSAGE_KIND_ART19 })
	if art19.GetRecipient() != "Archive Services Ltd" || art19.GetTo() != "dpo@archive.example" {
		t.Errorf("the Article 19 letter is listed as %v", art19)
	}
	got, err := client.GetCaseMessage(ctx, &rdv1.GetCaseMessageRequest{Name: art19.GetName()})
	if err != nil || !strings.Contains(got.GetText(), "We deleted Ada's data at her request.") {
		t.Errorf("the Article 19 letter reads %q, %v", got.GetText(), err)
	}

	dup, goesOn := open(rdv1.Right_RIGHT_ACCESS), open(rdv1.Right_RIGHT_ACCESS)
	_, err = client.MergeCase(ctx, &rdv1.MergeCaseRequest{Name: dup.GetName(), Etag: dup.GetEtag(), Into: goesOn.GetName(), LetterText: "no subject line"})
	assertFieldViolation(t, err, "letter_text")
	_, err = client.MergeCase(ctx, &rdv1.MergeCaseRequest{Name: dup.GetName(), Etag: dup.GetEtag(), Into: goesOn.GetName(),
		LetterText: "# Your request goes on under " + goesOn.GetReference() + "\n\nWe have joined your two requests."})
	mustStep(t, "merge", err)
	all = waitSent(t, client, ctx, dup.GetName())
	letter := theOne(t, all, "the duplicate's letter", func(m *rdv1.CaseMessage) bool { return m.GetKind() == rdv1.MessageKind_MESSAGE_KIND_RESPONSE })
	got, err = client.GetCaseMessage(ctx, &rdv1.GetCaseMessageRequest{Name: letter.GetName()})
	if err != nil || !strings.Contains(got.GetText(), "We have joined your two requests.") || letter.GetTemplate() != "duplicate" {
		t.Errorf("the duplicate's letter (%s) reads %q, %v", letter.GetTemplate(), got.GetText(), err)
	}
}
