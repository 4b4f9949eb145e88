package casework_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// Closing an erasure names the recipients to tell: the close queues one
// Article 19 letter to each, in staff's words where they wrote some, in
// its own transaction; the case records each as told, and the response
// says who was told.
func TestClosingAnErasureTellsTheRecipientsNamed(t *testing.T) {
	r := newOutboxRig(t)
	c := create(t, r.work, request(notice.RightErasure, ""))
	var listed string
	for _, task := range c.Tasks {
		if task.Kind == cases.TaskArticle19 {
			listed = task.Recipient
			break
		}
	}
	if listed == "" {
		t.Fatal("an erasure on the IT Service Desk notice has no recipient to tell")
	}
	close := cases.Close{Outcome: cases.OutcomeFulfilled, ActionTaken: "Erased.", Notify: []cases.RecipientNotice{
		{Recipient: listed, Email: "privacy@listed.example"},
		{Recipient: "Archive Services Ltd", Email: "dpo@archive.example", LetterText: "# Please delete Grace's data\n\nWe deleted it. Please delete your copy too."},
	}}

	drafts, err := r.work.DraftRecipientLetters(ctx, c.ID, close)
	if err != nil {
		t.Fatal(err)
	}
	if len(drafts) != 2 || !strings.Contains(drafts[0].Text, listed) || !strings.Contains(drafts[0].Text, "deleted their personal data") ||
		drafts[0].Edited || !drafts[1].Edited || !strings.Contains(drafts[1].Text, "Please delete your copy too.") {
		t.Fatalf("drafts %+v", drafts)
	}
	if after, _ := r.work.Get(ctx, c.ID); after.Version != c.Version {
		t.Fatal("drafting the letters changed the case")
	}

	c = apply(t, r.work, c, close)
	c = r.waitFor(t, c.ID, "the response and both Article 19 letters sent", func(c *cases.Case) bool {
		return len(c.Messages) == 3 && !slices.ContainsFunc(c.Messages, func(m cases.Message) bool { return m.Delivery.State != cases.DeliverySent })
	})
	want := []struct {
		kind          cases.MessageKind
		to, recipient string
	}{
		{cases.KindResponse, "grace@example.org", ""},
		{cases.KindArticle19, "privacy@listed.example", listed},
		{cases.KindArticle19, "dpo@archive.example", "Archive Services Ltd"},
	}
	for i, m := range c.Messages {
		if m.Kind != want[i].kind || m.To != want[i].to || m.Recipient != want[i].recipient {
			t.Errorf("message %d is a %s to %q for %q, want %+v", i, m.Kind, m.To, m.Recipient, want[i])
		}
	}
	if !c.Messages[2].Edited || c.Messages[1].Edited {
		t.Errorf("edited marks: %v, %v; want only the letter staff reworded", c.Messages[1].Edited, c.Messages[2].Edited)
	}
	emails := map[string]string{}
	for _, m := range r.relay.Messages() {
		emails[m.To[0]] = textPart(t, m)
	}
	says(t, "response", emails["grace@example.org"], "Who we have told", listed+": we have told them.", "Archive Services Ltd: we have told them.")
	says(t, "Article 19 letter", emails["privacy@listed.example"], "To "+listed, "deleted their personal data", "Article 19", c.Reference)
	says(t, "reworded Article 19 letter", emails["dpo@archive.example"], "Please delete your copy too.")
	told := c.Told()
	if len(told) != 2 || told[0].Email != "privacy@listed.example" || told[1].Recipient != "Archive Services Ltd" {
		t.Errorf("the case records as told %+v", told)
	}
	checkLettersAudited(t, r, c)
}

// A letter to a recipient that cannot be sent refuses the close whole, on
// that recipient's field; without a relay no recipient can be written to.
func TestARecipientLetterThatCannotGoRefusesTheClose(t *testing.T) {
	r := newOutboxRig(t)
	c := create(t, r.work, request(notice.RightErasure, ""))
	bad := cases.Close{Outcome: cases.OutcomeFulfilled, ActionTaken: "Erased.", Notify: []cases.RecipientNotice{
		{Recipient: "Archive Services Ltd", Email: "dpo@archive.example"},
		{Recipient: "Backup Co", Email: "dpo@backup.example", LetterText: "Dear Backup Co, please delete it."},
	}}
	_, err := r.work.Apply(ctx, "user:sam", c.ID, c.Etag(), bad)
	var invalid *fault.InvalidArgument
	if !errors.As(err, &invalid) || invalid.Violations[0].Field != "recipient_notices[1].letter_text" {
		t.Fatalf("a reworded letter with no subject: %v; want it refused on recipient_notices[1].letter_text", err)
	}
	if after, _ := r.work.Get(ctx, c.ID); after.Version != c.Version || len(after.Messages) != 0 || outboxLen(t, r.st) != 0 {
		t.Errorf("the refused close left version %d (was %d), messages %+v", after.Version, c.Version, after.Messages)
	}

	w, _ := newService(t, t.TempDir()) // no relay
	c = create(t, w, request(notice.RightErasure, ""))
	_, err = w.Apply(ctx, "user:sam", c.ID, c.Etag(), cases.Close{Outcome: cases.OutcomeFulfilled, ActionTaken: "Erased.", Notify: bad.Notify[:1]})
	if !errors.As(err, &invalid) || invalid.Violations[0].Field != "recipient_notices" || !strings.Contains(invalid.Violations[0].Description, "mail relay") {
		t.Errorf("naming recipients with no relay: %v", err)
	}
}
