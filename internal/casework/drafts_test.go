package casework_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

const editedExtension = "# We need more time to answer your request\n\n" +
	"Dear Grace Hopper,\n\nYour records are spread over four systems, so we will reply by the end of May.\n\n" +
	"- You may complain to the Information Commissioner's Office."

// The draft is the letter the step would send, written from the case as
// the step would leave it, and drafting changes nothing.
func TestADraftIsTheLetterTheStepWouldSendAndWritesNothing(t *testing.T) {
	r := newOutboxRig(t)
	c := create(t, r.work, request(notice.RightAccess, ""))
	extend := cases.Extend{Reason: "Your records are held in four separate systems.", Months: 2}
	draft, err := r.work.DraftLetter(ctx, c.ID, extend, "")
	if err != nil {
		t.Fatal(err)
	}
	if draft == nil || draft.Template != "extension-notice" || draft.Edited {
		t.Fatalf("the draft of an extension is %+v, want the extension notice as written", draft)
	}
	says(t, "draft", draft.Text, "Your records are held in four separate systems.")
	after, err := r.work.Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Version != c.Version || after.Extension != nil || len(after.Messages) != 0 || outboxLen(t, r.st) != 0 {
		t.Errorf("drafting left version %d (was %d), extension %+v, messages %+v, outbox %d", after.Version, c.Version, after.Extension, after.Messages, outboxLen(t, r.st))
	}

	// Sent as drafted, it is the same letter, not marked edited.
	c = applyWithLetter(t, r, c, extend, draft.Text)
	m := onlyMessage(t, c)
	if m.Edited || m.SHA256 != draft.TextHash {
		t.Errorf("the draft sent back unchanged is recorded edited=%v with hash %s; the draft's is %s", m.Edited, m.SHA256, draft.TextHash)
	}

	// A step that writes no letter has no draft.
	if none, err := r.work.DraftLetter(ctx, c.ID, cases.AddNote{Text: "phoned them"}, ""); err != nil || none != nil {
		t.Errorf("the draft of a note is %+v, %v; want none", none, err)
	}
}

// Staff's edit is what is queued, kept and sent; the case and the audit
// trail record that it was edited, the template it started from and the
// hash of the words sent, never the words.
func TestAnEditedLetterIsQueuedInStaffsWords(t *testing.T) {
	r := newOutboxRig(t)
	c := create(t, r.work, request(notice.RightAccess, ""))
	c = applyWithLetter(t, r, c, cases.Extend{Reason: "Four systems.", Months: 2}, editedExtension)
	says(t, "extension email", textPart(t, r.nextEmail(t, 1)), "Your records are spread over four systems, so we will reply by the end of May.")

	m := onlyMessage(t, c)
	body, err := r.work.MessageBody(ctx, c.ID, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Edited || m.Template != "extension-notice" || m.TemplateVersion == "" || m.Subject != "We need more time to answer your request" {
		t.Errorf("the edited letter is recorded as %+v", m)
	}
	if m.SHA256 != cases.TextHash(body.Text) || !strings.HasPrefix(body.Text, "# We need more time") || strings.Contains(body.Text, "Four systems.") {
		t.Errorf("the kept letter (hash %s) is not the edit:\n%s", m.SHA256, body.Text)
	}
	events, err := r.work.Events(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	queued := events[len(events)-1]
	for _, e := range events {
		if e.Action == "case.message_queued" {
			queued = e
		}
	}
	if queued.Action != "case.message_queued" || queued.After["edited"] != "true" || queued.After["sha256"] != m.SHA256 ||
		queued.After["template"] != "extension-notice" || queued.After["template_version"] != m.TemplateVersion {
		t.Errorf("the audit event of the edited letter is %s %v", queued.Action, queued.After)
	}
	for _, v := range queued.After {
		if strings.Contains(v, "spread over four systems") {
			t.Errorf("the audit event carries the letter's words: %v", queued.After)
		}
	}
	checkLettersAudited(t, r, c)
}

// An edit that is no letter, or too long, refuses the step on the letter's
// field, and nothing is written; so does a step the case refuses, whatever
// its letter says.
func TestARefusedEditOrStepQueuesNothing(t *testing.T) {
	r := newOutboxRig(t)
	c := create(t, r.work, request(notice.RightAccess, ""))
	extend := cases.Extend{Reason: "Four systems.", Months: 2}
	for name, text := range map[string]string{
		"no subject line":  "Dear Grace,\n\nWe need more time.",
		"too long":         "# More time\n\n" + strings.Repeat("word ", cases.MaxLetterText/5+1),
		"subject too long": "# " + strings.Repeat("long ", cases.MaxLine/5+1) + "\n\nWe need more time.",
	} {
		_, err := r.work.ApplyWithLetter(ctx, "user:sam", c.ID, c.Etag(), extend, text)
		var invalid *fault.InvalidArgument
		if !errors.As(err, &invalid) || invalid.Violations[0].Field != usecase.LetterTextField {
			t.Errorf("%s: %v; want the letter's field refused", name, err)
		}
		if _, err := r.work.DraftLetter(ctx, c.ID, extend, text); !errors.As(err, &invalid) {
			t.Errorf("%s: the draft says %v; want it refused as the step is", name, err)
		}
	}
	_, err := r.work.ApplyWithLetter(ctx, "user:sam", c.ID, c.Etag(), cases.Extend{Months: 2}, editedExtension)
	var invalid *fault.InvalidArgument
	if !errors.As(err, &invalid) || invalid.Violations[0].Field != "reason" {
		t.Errorf("an extension with no reason and an edited letter: %v; want the reason refused", err)
	}
	after, err := r.work.Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Version != c.Version || len(after.Messages) != 0 || outboxLen(t, r.st) != 0 {
		t.Errorf("refused steps left version %d (was %d), messages %+v, outbox %d", after.Version, c.Version, after.Messages, outboxLen(t, r.st))
	}
}

// Where no letter is sent, the service says why, and an edit sent anyway
// queues nothing.
func TestLettersToSaysWhyNoLetterGoes(t *testing.T) {
	r := newOutboxRig(t)
	c := create(t, r.work, request(notice.RightAccess, ""))
	if ok, why := r.work.LettersTo(c); !ok || why != "" {
		t.Errorf("with a relay and an address: %v %q", ok, why)
	}
	phone := request(notice.RightAccess, "")
	phone.Requester.Person.Email, phone.Requester.Person.Phone = "", "020 7946 0000"
	p := create(t, r.work, phone)
	if ok, why := r.work.LettersTo(p); ok || why != usecase.NoLettersAddress {
		t.Errorf("with no email or postal address: %v %q", ok, why)
	}
	w, _ := newService(t, t.TempDir())
	n := create(t, w, request(notice.RightAccess, ""))
	if ok, why := w.LettersTo(n); ok || why != usecase.NoLettersRelay {
		t.Errorf("with no relay: %v %q", ok, why)
	}
	if d, err := w.DraftLetter(ctx, n.ID, cases.Extend{Reason: "Four systems.", Months: 2}, ""); d != nil || err != nil {
		t.Errorf("with no relay the draft is %+v, %v; want none", d, err)
	}
	n, err := w.ApplyWithLetter(ctx, "user:sam", n.ID, n.Etag(), cases.Extend{Reason: "Four systems.", Months: 2}, editedExtension)
	if err != nil || len(n.Messages) != 0 {
		t.Errorf("with no relay an edited letter gave %v, messages %+v", err, n)
	}
}

func applyWithLetter(t *testing.T, r *outboxRig, c *cases.Case, cmd cases.Command, text string) *cases.Case {
	t.Helper()
	updated, err := r.work.ApplyWithLetter(ctx, "user:sam", c.ID, c.Etag(), cmd, text)
	if err != nil {
		t.Fatalf("%s: %v", cmd.Action(), err)
	}
	return updated
}
