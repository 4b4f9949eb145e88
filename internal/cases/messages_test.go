package cases_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
)

func letter() cases.Outgoing {
	return cases.Outgoing{
		Kind: cases.KindAcknowledgement, Channel: cases.ChannelEmail, To: "ada@example.org",
		Template: "acknowledgement", TemplateVersion: "1",
		Body:    cases.MessageBody{Subject: "Your request", Text: "Your code: [code]\n"},
		Secrets: []cases.Secret{{Placeholder: "[code]", Value: "ABCD"}},
	}
}

func env() cases.Env { return envOn("2026-02-02") }

func newCase(t *testing.T) *cases.Case { return mustCreate(t, validNew(), env()) }

func TestRetryPolicyDoublesUpToItsCapThenGivesUp(t *testing.T) {
	p := cases.RetryPolicy{First: time.Minute, Cap: 5 * time.Minute, MaxAttempts: 5}
	for _, tc := range []struct {
		failed int
		wait   time.Duration
		giveUp bool
	}{
		{1, time.Minute, false}, {2, 2 * time.Minute, false}, {3, 4 * time.Minute, false},
		{4, 5 * time.Minute, false}, {5, 0, true}, {9, 0, true},
	} {
		wait, giveUp := p.Wait(tc.failed)
		if wait != tc.wait || giveUp != tc.giveUp {
			t.Errorf("Wait(%d) = %v, %v; want %v, %v", tc.failed, wait, giveUp, tc.wait, tc.giveUp)
		}
	}
}

func TestQueueRefusesALetterItCannotSend(t *testing.T) {
	for name, tc := range map[string]struct {
		change func(*cases.Outgoing)
		field  string
	}{
		"unknown kind":       {func(o *cases.Outgoing) { o.Kind = "poem" }, "kind"},
		"not an address":     {func(o *cases.Outgoing) { o.To = "Ada <ada@example.org>" }, "to"},
		"unknown channel":    {func(o *cases.Outgoing) { o.Channel = "pigeon" }, "channel"},
		"post with a secret": {func(o *cases.Outgoing) { o.Channel, o.To = cases.ChannelPost, "Ada\n1 Street" }, "secrets"},
		"post to no one":     {func(o *cases.Outgoing) { o.Channel, o.To, o.Secrets = cases.ChannelPost, "", nil }, "to"},
		"no subject":         {func(o *cases.Outgoing) { o.Body.Subject = "" }, "subject"},
		"subject two lines":  {func(o *cases.Outgoing) { o.Body.Subject = "a\nb" }, "subject"},
		"no text":            {func(o *cases.Outgoing) { o.Body.Text, o.Secrets = "", nil }, "text"},
		"text too long":      {func(o *cases.Outgoing) { o.Body.Text = strings.Repeat("x", cases.MaxLetterText+1) }, "text"},
		"secret not in text": {func(o *cases.Outgoing) { o.Secrets[0].Placeholder = "[other]" }, "secrets"},
	} {
		t.Run(name, func(t *testing.T) {
			c := newCase(t)
			out := letter()
			tc.change(&out)
			_, _, err := cases.Queue(c, out, env())
			var invalid *fault.InvalidArgument
			if !errors.As(err, &invalid) || invalid.Violations[0].Field != tc.field {
				t.Fatalf("Queue = %v, want an invalid %s", err, tc.field)
			}
			if len(c.Messages) != 0 {
				t.Errorf("a refused letter was kept: %+v", c.Messages)
			}
		})
	}
}

func TestQueueRecordsTheLetterAndItsHashNotItsText(t *testing.T) {
	c := newCase(t)
	version := c.Version
	m, change, err := cases.Queue(c, letter(), env())
	if err != nil {
		t.Fatal(err)
	}
	if m.Delivery.State != cases.DeliveryQueued || m.Direction != cases.DirectionOut || m.SHA256 != cases.TextHash("Your code: [code]\n") || m.To != "ada@example.org" {
		t.Errorf("queued %+v", m)
	}
	if c.Version != version {
		t.Errorf("queueing moved the version: the change that caused the letter does")
	}
	want := map[string]string{"message_id": m.ID, "message_kind": "acknowledgement", "message_channel": "email",
		"template": "acknowledgement", "template_version": "1", "sha256": m.SHA256, "delivery": "queued"}
	for k, v := range want {
		if change.After[k] != v {
			t.Errorf("change.After[%s] = %q, want %q", k, change.After[k], v)
		}
	}
	for k, v := range change.After {
		if strings.Contains(v, "ada@") || strings.Contains(v, "Your code") {
			t.Errorf("the audit change carries personal data in %s: %q", k, v)
		}
	}
	if change.Personal != nil {
		t.Errorf("the audit change carries a payload: %v", change.Personal)
	}
}

func TestQueueStopsAtMaxMessages(t *testing.T) {
	c := newCase(t)
	for range cases.MaxMessages {
		if _, _, err := cases.Queue(c, letter(), env()); err != nil {
			t.Fatal(err)
		}
	}
	var full *fault.FailedPrecondition
	if _, _, err := cases.Queue(c, letter(), env()); !errors.As(err, &full) {
		t.Errorf("letter %d: %v, want a failed precondition", cases.MaxMessages+1, err)
	}
}

func TestRecordAttempt(t *testing.T) {
	p := cases.RetryPolicy{First: time.Minute, Cap: time.Hour, MaxAttempts: 3}
	refused := errors.New("451 try later")
	for _, tc := range []struct {
		name      string
		attempt   int
		result    cases.Attempt
		state     cases.DeliveryState
		retryIn   time.Duration
		action    string
		lastError string
	}{
		{"accepted", 1, cases.Attempt{}, cases.DeliverySent, 0, "case.message_sent", ""},
		{"refused for now", 1, cases.Attempt{Err: refused}, cases.DeliveryRetrying, time.Minute, "case.message_failed", "451 try later"},
		{"refused again", 2, cases.Attempt{Err: refused}, cases.DeliveryRetrying, 2 * time.Minute, "case.message_failed", "451 try later"},
		{"refused too often", 3, cases.Attempt{Err: refused}, cases.DeliveryUndeliverable, 0, "case.message_undeliverable", "451 try later"},
		{"refused for good", 1, cases.Attempt{Err: errors.New("550 no"), Permanent: true}, cases.DeliveryUndeliverable, 0, "case.message_undeliverable", "550 no"},
		{"long error", 1, cases.Attempt{Err: errors.New(strings.Repeat("é", 400))}, cases.DeliveryRetrying, time.Minute, "case.message_failed", strings.Repeat("é", cases.MaxDeliveryErr/2) + "…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCase(t)
			m, _, err := cases.Queue(c, letter(), env())
			if err != nil {
				t.Fatal(err)
			}
			e := env()
			retryAt, change, err := cases.RecordAttempt(c, m.ID, tc.attempt, tc.result, p, e)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := c.Message(m.ID)
			d := got.Delivery
			if d.State != tc.state || d.Attempts != tc.attempt || d.LastError != tc.lastError || change.Action != tc.action {
				t.Errorf("delivery %+v, action %s; want %s after %d attempts, error %q, action %s", d, change.Action, tc.state, tc.attempt, tc.lastError, tc.action)
			}
			if want := map[bool]time.Time{true: e.Now.Add(tc.retryIn), false: {}}[tc.retryIn > 0]; !retryAt.Equal(want) {
				t.Errorf("retry at %v, want %v", retryAt, want)
			}
			if (d.State == cases.DeliverySent) != (d.SentAt != nil) {
				t.Errorf("sent at %v for a %s message", d.SentAt, d.State)
			}
			if c.Undelivered() != (tc.state != cases.DeliverySent) {
				t.Errorf("Undelivered() = %v for a %s letter", c.Undelivered(), tc.state)
			}
			if _, _, err := cases.RecordAttempt(c, m.ID, tc.attempt+1, cases.Attempt{}, p, e); (err == nil) != (tc.state == cases.DeliveryRetrying) {
				t.Errorf("recording another attempt on a %s letter: %v", tc.state, err)
			}
		})
	}
}

func TestCorrespondenceMergesRepliesFromTheExchanges(t *testing.T) {
	c := newCase(t)
	passport := cases.File{ID: "d1", Key: "k", Name: "passport.pdf", MediaType: cases.MediaPDF, Size: 10, SHA256: strings.Repeat("ab", 32), ReceivedOn: "2026-03-05"}
	if _, _, err := cases.Queue(c, letter(), env()); err != nil {
		t.Fatal(err)
	}
	c.Messages[0].On = "2026-03-02"
	c.Exchanges = []cases.Exchange{
		{Kind: cases.ExchangeAsked, What: cases.WaitingForIdentity, On: "2026-03-03", By: "staff"},
		{Kind: cases.ExchangeReplied, What: cases.WaitingForIdentity, On: "2026-03-05", Detail: "my passport", By: cases.RequesterActor, Files: []cases.File{passport}},
		{Kind: cases.ExchangeReplied, What: cases.WaitingForIdentity, On: "2026-03-01", Detail: "by phone", By: "user:1"},
	}
	got := c.Correspondence()
	if len(got) != 3 {
		t.Fatalf("correspondence %+v: want the letter and two replies", got)
	}
	for i, want := range []struct {
		dir     cases.Direction
		kind    cases.MessageKind
		channel cases.Channel
		on      string
	}{
		{cases.DirectionIn, cases.KindReply, "", "2026-03-01"},
		{cases.DirectionOut, cases.KindAcknowledgement, cases.ChannelEmail, "2026-03-02"},
		{cases.DirectionIn, cases.KindReply, cases.ChannelWeb, "2026-03-05"},
	} {
		if m := got[i]; m.Direction != want.dir || m.Kind != want.kind || m.Channel != want.channel || m.On != want.on {
			t.Errorf("entry %d = %+v, want %+v", i, m, want)
		}
	}
	if got[2].Reply != "my passport" {
		t.Errorf("reply text %q", got[2].Reply)
	}
	if len(got[2].Files) != 1 || got[2].Files[0] != passport || len(got[0].Files) != 0 {
		t.Errorf("files %+v and %+v; want the passport with the reply that sent it, and none with the other", got[2].Files, got[0].Files)
	}
}
