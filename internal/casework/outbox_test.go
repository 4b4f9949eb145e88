package casework_test

import (
	"context"
	crand "crypto/rand"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/leader"
	"github.com/rightsdesk/rightsdesk/internal/notify"
	"github.com/rightsdesk/rightsdesk/internal/notify/notifytest"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// mailSender sends the outbox's letters through a notify.Mailer, as the
// composition root does.
type mailSender struct{ m *notify.Mailer }

func (s mailSender) Send(ctx context.Context, l casework.Letter) error {
	return s.m.Send(ctx, notify.Message{To: l.To, Subject: l.Subject, Text: l.Text, HTML: l.HTML, MessageID: l.ID + "@rightsdesk.test"})
}

// outboxRig is a casework service acknowledging public requests, its
// outbox job running on a lone leader, and an in-process SMTP relay.
type outboxRig struct {
	work  *casework.Service
	st    *store.Store
	clock *clock.Manual
	relay *notifytest.Server
	dir   string // the store's data directory
}

var testRetry = cases.RetryPolicy{First: time.Minute, Cap: 10 * time.Minute, MaxAttempts: 4}

func newOutboxRig(t *testing.T, opts ...casework.Option) *outboxRig {
	t.Helper()
	dir := t.TempDir()
	_, st := caseworktest.New(t, dir, today) // the store, with the catalogue
	c := clock.NewManual(today)
	w := casework.New(st, deadline.NewEngine(deadline.BuiltinCalendars()), c, crand.Reader,
		append([]casework.Option{casework.SendLetters(caseworktest.Letters(t))}, opts...)...)
	relay := notifytest.Start(t)
	mailer, err := notify.ParseSMTPURL("smtp://" + relay.Addr + "?from=privacy@example.org")
	if err != nil {
		t.Fatal(err)
	}
	job := w.OutboxJob(mailSender{mailer}, casework.OutboxOptions{Poll: 5 * time.Millisecond, Retry: testRetry})
	runner := leader.NewRunner(st, leader.Local{}, "test", []leader.Job{job}, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { runner.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return &outboxRig{work: w, st: st, clock: c, relay: relay, dir: dir}
}

// waitFor polls the case until ok holds, for at most 10 seconds.
func (r *outboxRig) waitFor(t *testing.T, id, what string, ok func(*cases.Case) bool) *cases.Case {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := r.work.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if ok(c) {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10s, %s has not happened: messages %+v", what, c.Messages)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func onlyMessage(t *testing.T, c *cases.Case) cases.Message {
	t.Helper()
	if len(c.Messages) != 1 {
		t.Fatalf("case has %d messages, want 1", len(c.Messages))
	}
	return c.Messages[0]
}

func deliveryIs(state cases.DeliveryState, attempts int) func(*cases.Case) bool {
	return func(c *cases.Case) bool {
		return len(c.Messages) == 1 && c.Messages[0].Delivery.State == state && c.Messages[0].Delivery.Attempts == attempts
	}
}

func outboxLen(t *testing.T, st *store.Store) int {
	t.Helper()
	var n int
	if err := st.View(ctx, func(tx store.ReadTx) error {
		all, err := store.OutboxEntries(tx)
		n = len(all)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func undeliveredIDs(t *testing.T, w *casework.Service) []string {
	t.Helper()
	page, err := w.List(ctx, usecase.Query{Filter: "undelivered=true", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range page.Cases {
		ids = append(ids, c.ID)
	}
	return ids
}

func TestAcknowledgementReachesTheRequesterOnceThroughARelayThatRefusesForAWhile(t *testing.T) {
	r := newOutboxRig(t)
	r.relay.RefuseNext(2, 451)
	req := request("access", "")
	req.Channel = cases.ChannelWeb
	res, err := r.work.Create(ctx, "web:public", req)
	if err != nil {
		t.Fatal(err)
	}
	id := res.Case.ID

	// The first refusal shows on the case and in the queue's filter.
	c := r.waitFor(t, id, "the first refusal", deliveryIs(cases.DeliveryRetrying, 1))
	if m := onlyMessage(t, c); !c.Undelivered() || !strings.Contains(m.Delivery.LastError, "451") || strings.Contains(m.Delivery.LastError, "grace@") {
		t.Errorf("after a refusal: undelivered %v, last error %q (want the code, never the address)", c.Undelivered(), m.Delivery.LastError)
	}
	if got := undeliveredIDs(t, r.work); len(got) != 1 || got[0] != id {
		t.Errorf("undelivered=true lists %v, want [%s]", got, id)
	}
	if c.Version != res.Case.Version {
		t.Errorf("a delivery attempt moved the case's version from %d to %d: staff forms would go stale", res.Case.Version, c.Version)
	}
	// Nothing is tried again before the backoff has passed.
	time.Sleep(50 * time.Millisecond)
	if n := len(r.relay.Messages()); n != 0 {
		t.Fatalf("relay has %d messages while refusing", n)
	}
	r.clock.Advance(testRetry.First)
	r.waitFor(t, id, "the second refusal", deliveryIs(cases.DeliveryRetrying, 2))
	r.clock.Advance(2 * testRetry.First)
	c = r.waitFor(t, id, "delivery", deliveryIs(cases.DeliverySent, 3))

	// Delivered exactly once, with the status code the kept copy withholds.
	time.Sleep(50 * time.Millisecond)
	msgs := r.relay.Messages()
	if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != "grace@example.org" {
		t.Fatalf("relay got %+v, want one message to grace@example.org", msgs)
	}
	m := onlyMessage(t, c)
	data := strings.ReplaceAll(msgs[0].Data, "=\r\n", "")
	for _, want := range []string{"Message-ID: <" + m.ID + "@rightsdesk.test>", c.Reference, "https://rights.example.org/status", cases.GroupStatusCode(res.StatusToken), "privacy@example.org"} {
		if !strings.Contains(data, want) {
			t.Errorf("the email lacks %q:\n%s", want, data)
		}
	}
	body, err := r.work.MessageBody(ctx, id, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(body.Text, cases.GroupStatusCode(res.StatusToken)) || cases.TextHash(body.Text) != m.SHA256 {
		t.Errorf("kept copy holds the status code, or its hash %s is not the message's %s", cases.TextHash(body.Text), m.SHA256)
	}
	if c.Undelivered() || len(undeliveredIDs(t, r.work)) != 0 || outboxLen(t, r.st) != 0 {
		t.Errorf("after delivery: undelivered %v, filter %v, outbox %d", c.Undelivered(), undeliveredIDs(t, r.work), outboxLen(t, r.st))
	}

	// The audit trail has the queueing with template, version and hash, each
	// refusal and the delivery; and never the text.
	events, err := r.work.Events(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range events {
		actions = append(actions, e.Action)
		if e.Action == "case.message_queued" && (e.After["sha256"] != m.SHA256 || e.After["template"] != "acknowledgement" || e.After["template_version"] == "") {
			t.Errorf("queued event records %v", e.After)
		}
	}
	want := "case.created case.message_queued case.message_failed case.message_failed case.message_sent"
	if got := strings.Join(actions, " "); got != want {
		t.Errorf("events %s, want %s", got, want)
	}
	if err := r.st.View(ctx, func(tx store.ReadTx) error { return store.CaseIndexesConsistent(tx, c) }); err != nil {
		t.Error(err)
	}
}

func TestAPermanentRefusalMakesTheLetterUndeliverableAtOnce(t *testing.T) {
	r := newOutboxRig(t)
	r.relay.RefuseNext(1, 550)
	req := request("access", "")
	req.Channel = cases.ChannelWeb
	res, err := r.work.Create(ctx, "web:public", req)
	if err != nil {
		t.Fatal(err)
	}
	c := r.waitFor(t, res.Case.ID, "the refusal", deliveryIs(cases.DeliveryUndeliverable, 1))
	r.clock.Advance(time.Hour)
	time.Sleep(50 * time.Millisecond)
	if n := len(r.relay.Messages()); n != 0 || outboxLen(t, r.st) != 0 {
		t.Errorf("after a permanent refusal: relay has %d, outbox %d; want nothing tried again", n, outboxLen(t, r.st))
	}
	if got := undeliveredIDs(t, r.work); len(got) != 1 || !c.Undelivered() {
		t.Errorf("an undeliverable letter is not shown: filter %v", got)
	}
}

func TestOnlyPublicRequestsWithAnEmailAddressAreAcknowledgedByEmail(t *testing.T) {
	r := newOutboxRig(t)
	logged := request("access", "") // staff and API clients acknowledge themselves
	noEmail := request("access", "")
	noEmail.Channel = cases.ChannelWeb
	noEmail.Requester.Person.Email, noEmail.Requester.Person.PostalAddress = "", "1 High Street"
	for _, req := range []cases.NewCase{logged, noEmail} {
		res, err := r.work.Create(ctx, "web:public", req)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Case.Messages) != 0 {
			t.Errorf("%s request with email %q queued %+v", req.Channel, req.Requester.Person.Email, res.Case.Messages)
		}
	}
	if n := outboxLen(t, r.st); n != 0 {
		t.Errorf("outbox holds %d entries", n)
	}
}
