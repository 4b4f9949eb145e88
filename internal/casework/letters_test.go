package casework_test

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/notice/catalogue"
	"github.com/rightsdesk/rightsdesk/internal/notify/notifytest"
)

// textPart is the plain-text part of an email as the relay received it,
// decoded, with its whitespace run together so that a phrase reads the
// same wherever the lines were wrapped.
func textPart(t *testing.T, m notifytest.Message) string {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	media, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(media, "multipart/") {
		t.Fatalf("the email is %q (%v), want a multipart email with a text part", media, err)
	}
	parts := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := parts.NextPart()
		if errors.Is(err, io.EOF) {
			t.Fatal("the email has no text/plain part")
		}
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			continue
		}
		var r io.Reader = p
		if p.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
			r = quotedprintable.NewReader(p) // multipart undoes it itself only without the header
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(strings.Fields(string(b)), " ")
	}
}

// nextEmail waits for the relay to hold n emails and returns the last.
func (r *outboxRig) nextEmail(t *testing.T, n int) notifytest.Message {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(r.relay.Messages()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("after 10s the relay has %d emails, want %d", len(r.relay.Messages()), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	msgs := r.relay.Messages()
	if len(msgs) != n {
		t.Fatalf("the relay has %d emails, want %d", len(msgs), n)
	}
	return msgs[n-1]
}

func says(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("the %s does not say %q:\n%s", what, want, text)
		}
	}
}

func longDate(t *testing.T, iso string) string {
	t.Helper()
	d, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		t.Fatal(err)
	}
	return d.Format("2 January 2006")
}

// A case logged by staff, asked for identity, extended and closed: each
// step that tells the requester something sends its letter, once, and
// the audit trail records each letter's template, version and hash.
func TestEachStepThatTellsTheRequesterSendsItsLetter(t *testing.T) {
	r := newOutboxRig(t)
	c := create(t, r.work, request(notice.RightAccess, ""))
	if len(c.Messages) != 0 {
		t.Fatalf("a case logged by staff queued %+v; staff acknowledge it themselves", c.Messages)
	}

	c = apply(t, r.work, c, cases.RequestFromRequester{What: cases.WaitingForIdentity, Detail: "A copy of the photo page of your passport."})
	says(t, "identity request", textPart(t, r.nextEmail(t, 1)),
		"We need to confirm who you are", "A copy of the photo page of your passport.", c.Reference)

	// The answer is recorded by staff: nothing goes out for that.
	c = apply(t, r.work, c, cases.RecordResponse{Detail: "passport copy by post"})
	c = apply(t, r.work, c, cases.Extend{Reason: "Your records are held in four separate systems.", Months: 2})
	if today := today.Format(time.DateOnly); today > c.Clock.StatutoryDue {
		t.Fatalf("the test extends on %s, after the first period ended on %s", today, c.Clock.StatutoryDue)
	}
	says(t, "extension notice", textPart(t, r.nextEmail(t, 2)),
		"We need more time", "Your records are held in four separate systems.",
		"We will reply by "+longDate(t, c.Clock.Due), "We said we would reply by "+longDate(t, c.Clock.StatutoryDue))

	c = apply(t, r.work, c, cases.CompleteTask{TaskID: c.Tasks[len(c.Tasks)-1].ID, State: cases.TaskDone})
	c = caseworktest.ReleasePack(t, r.work, c.ID)
	c = apply(t, r.work, c, cases.Close{Outcome: cases.OutcomeFulfilled})
	response := textPart(t, r.nextEmail(t, 3))
	ns, err := catalogue.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range ns {
		if n.ID != "it-service-desk" {
			continue
		}
		for _, ctx := range n.Current().Contexts {
			says(t, "access response", response, ctx.Purposes...)
		}
	}

	c = r.waitFor(t, c.ID, "all three letters sent", func(c *cases.Case) bool {
		return len(c.Messages) == 3 && !slices.ContainsFunc(c.Messages, func(m cases.Message) bool { return m.Delivery.State != cases.DeliverySent })
	})
	wantKinds := []cases.MessageKind{cases.KindIdentityRequest, cases.KindExtension, cases.KindResponse}
	wantTemplates := []string{"identity-request", "extension-notice", "response"}
	for i, m := range c.Messages {
		if m.Kind != wantKinds[i] || m.Template != wantTemplates[i] || m.To != "grace@example.org" {
			t.Errorf("message %d is a %s from %q to %q, want a %s from %q", i, m.Kind, m.Template, m.To, wantKinds[i], wantTemplates[i])
		}
	}
	time.Sleep(50 * time.Millisecond) // time for a second send, were there one
	if n := len(r.relay.Messages()); n != 3 {
		t.Errorf("the relay has %d emails, want each of the 3 letters once", n)
	}
	checkLettersAudited(t, r, c)
}

// checkLettersAudited checks that the chain verifies and that each letter
// of c was queued by an audit event naming its template, version and
// hash, which are those of the body kept.
func checkLettersAudited(t *testing.T, r *outboxRig, c *cases.Case) {
	t.Helper()
	if _, err := casework.VerifyChain(ctx, r.st); err != nil {
		t.Fatalf("audit chain: %v", err)
	}
	events, err := r.work.Events(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range c.Messages {
		body, err := r.work.MessageBody(ctx, c.ID, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if cases.TextHash(body.Text) != m.SHA256 || m.TemplateVersion == "" {
			t.Errorf("message %s (%s): hash %s, kept text hashes to %s, template version %q", m.ID, m.Kind, m.SHA256, cases.TextHash(body.Text), m.TemplateVersion)
		}
		queued := 0
		for _, e := range events {
			if e.Action != "case.message_queued" || e.After["message_id"] != m.ID {
				continue
			}
			queued++
			if e.After["template"] != m.Template || e.After["template_version"] != m.TemplateVersion || e.After["sha256"] != m.SHA256 {
				t.Errorf("the audit event queueing %s records %v, want template %s, version %s, hash %s", m.Kind, e.After, m.Template, m.TemplateVersion, m.SHA256)
			}
		}
		if queued != 1 {
			t.Errorf("%d audit events queue message %s (%s), want 1", queued, m.ID, m.Kind)
		}
	}
}

// A letter the case cannot support refuses the step with the letter's
// reason, and nothing is written: a refusal must give its reasons
// (Article 12(4)).
func TestAStepWhoseLetterCannotBeWrittenIsRefusedWhole(t *testing.T) {
	r := newOutboxRig(t)
	c := create(t, r.work, request(notice.RightAccess, ""))
	_, err := r.work.Apply(ctx, "user:sam", c.ID, c.Etag(), cases.Close{Outcome: cases.OutcomeRefused, RefusalReason: "manifestly_excessive"})
	var pre *fault.FailedPrecondition
	if !errors.As(err, &pre) || !strings.Contains(pre.Description, "Article 12(4)") {
		t.Fatalf("closing as refused with no reasons: %v; want the letter's reason", err)
	}
	after, err := r.work.Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Version != c.Version || len(after.Messages) != 0 || outboxLen(t, r.st) != 0 {
		t.Errorf("the refused step left version %d (was %d), messages %+v, outbox %d", after.Version, c.Version, after.Messages, outboxLen(t, r.st))
	}
	// With its reasons it goes through, with its letter.
	c = apply(t, r.work, c, cases.Close{Outcome: cases.OutcomeRefused, RefusalReason: "manifestly_excessive", Detail: "This is the ninth identical request this month."})
	says(t, "refusal", textPart(t, r.nextEmail(t, 1)), "This is the ninth identical request this month.", "Information Commissioner's Office")
	if m := onlyMessage(t, c); m.Kind != cases.KindResponse || m.Template != "refusal" {
		t.Errorf("the refusal is logged as a %s from %q, want the response written from \"refusal\"", m.Kind, m.Template)
	}
}

// Without an email or postal address, or without a relay, nothing is
// queued: a requester reached only by phone gets their letters from staff
// (a postal requester's are queued for printing: post_test.go).
func TestNoLetterIsQueuedWithoutAnAddressOrARelay(t *testing.T) {
	r := newOutboxRig(t)
	phone := request(notice.RightAccess, "")
	phone.Requester.Person.Email, phone.Requester.Person.Phone = "", "020 7946 0000"
	c := create(t, r.work, phone)
	c = apply(t, r.work, c, cases.RequestFromRequester{What: cases.WaitingForIdentity})
	if len(c.Messages) != 0 || outboxLen(t, r.st) != 0 {
		t.Errorf("a requester reached by phone alone: the identity request queued %+v", c.Messages)
	}

	w, st := newService(t, t.TempDir()) // no SendLetters
	c = create(t, w, request(notice.RightAccess, ""))
	c = apply(t, w, c, cases.RequestFromRequester{What: cases.WaitingForIdentity})
	if len(c.Messages) != 0 || outboxLen(t, st) != 0 {
		t.Errorf("with no relay, an identity request queued %+v", c.Messages)
	}
}

func apply(t *testing.T, w *casework.Service, c *cases.Case, cmd cases.Command) *cases.Case {
	t.Helper()
	updated, err := w.Apply(ctx, "user:sam", c.ID, c.Etag(), cmd)
	if err != nil {
		t.Fatalf("%s: %v", cmd.Action(), err)
	}
	return updated
}
