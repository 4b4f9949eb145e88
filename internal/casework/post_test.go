package casework_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// postalRequest is a request from someone who gave a postal address and
// no email address.
func postalRequest() cases.NewCase {
	r := request(notice.RightAccess, "")
	r.Channel = cases.ChannelPost
	r.Requester.Person.Email, r.Requester.Person.PostalAddress = "", "Flat 2, 10 Sample Road, Testtown, TT1 1TT"
	return r
}

// A requester reached only by post gets each letter queued for printing:
// its text kept as an email's is, addressed to their postal block, never
// handed to the outbox; staff print it and mark it posted, which is
// recorded and audited.
func TestAPostalRequestersLetterWaitsToBePrintedAndIsNeverEmailed(t *testing.T) {
	r := newOutboxRig(t)
	c := create(t, r.work, postalRequest())
	c = apply(t, r.work, c, cases.RequestFromRequester{What: cases.WaitingForIdentity, Detail: "A copy of a recent utility bill."})
	m := onlyMessage(t, c)
	if m.Channel != cases.ChannelPost || m.Kind != cases.KindIdentityRequest || !m.ToPrint() ||
		m.To != "Grace Hopper\nFlat 2\n10 Sample Road\nTesttown\nTT1 1TT" {
		t.Fatalf("the identity request is %+v; want a %s letter by post to the postal block, to print", m, cases.KindIdentityRequest)
	}
	if n := outboxLen(t, r.st); n != 0 {
		t.Errorf("the outbox holds %d entries for a posted letter", n)
	}
	time.Sleep(50 * time.Millisecond) // time for the outbox to try, were it to
	if n := len(r.relay.Messages()); n != 0 {
		t.Errorf("the relay was sent %d emails for a requester with no email address", n)
	}
	if got, _ := r.work.Get(ctx, c.ID); got.Messages[0].Delivery.State != cases.DeliveryQueued || got.Undelivered() {
		t.Errorf("the posted letter's delivery became %+v", got.Messages[0].Delivery)
	}

	pdf, err := r.work.LetterPDF(ctx, c.ID, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	again, err := r.work.LetterPDF(ctx, c.ID, m.ID)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Equal(pdf, again) {
		t.Fatalf("the letter's PDF: %d bytes, again %d bytes (%v); want the same PDF each time", len(pdf), len(again), err)
	}

	c, err = r.work.MarkPosted(ctx, "user:sam", c.ID, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p := onlyMessage(t, c); p.ToPrint() || p.Delivery.State != cases.DeliverySent || p.Delivery.SentAt == nil || !p.Delivery.SentAt.Equal(today) {
		t.Errorf("after marking it posted: %+v", p.Delivery)
	}
	if _, err := r.work.MarkPosted(ctx, "user:sam", c.ID, m.ID); !errors.As(err, new(*fault.FailedPrecondition)) {
		t.Errorf("marking it posted twice: %v; want a failed precondition", err)
	}
	events, err := r.work.Events(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := events[len(events)-1]
	if last.Action != "case.message_posted" || last.Actor != "user:sam" || last.After["message_id"] != m.ID || last.After["posted_on"] != today.Format(time.DateOnly) {
		t.Errorf("the last audit event is %s by %s: %v", last.Action, last.Actor, last.After)
	}
	checkLettersAudited(t, r, c)
}

func TestOnlyAPostedLetterHasAPDF(t *testing.T) {
	r := newOutboxRig(t)
	c := create(t, r.work, request(notice.RightAccess, ""))
	c = apply(t, r.work, c, cases.RequestFromRequester{What: cases.WaitingForIdentity, Detail: "A copy of a recent utility bill."})
	m := onlyMessage(t, c)
	if _, err := r.work.LetterPDF(ctx, c.ID, m.ID); !errors.As(err, new(*fault.FailedPrecondition)) {
		t.Errorf("the PDF of an email: %v; want a failed precondition", err)
	}
	if _, err := r.work.LetterPDF(ctx, c.ID, "01NOSUCHMESSAGE0000000000"); !errors.As(err, new(*fault.NotFound)) {
		t.Errorf("the PDF of no letter: %v; want not found", err)
	}
	if _, err := r.work.MarkPosted(ctx, "user:sam", c.ID, m.ID); !errors.As(err, new(*fault.FailedPrecondition)) {
		t.Errorf("marking an email posted: %v; want a failed precondition", err)
	}
}

// The acknowledgement carries the status code, which the kept copy does
// not: it goes only by email, and a postal request from the public pages
// is acknowledged on screen alone.
func TestAPostalRequestFromThePublicPagesQueuesNoAcknowledgement(t *testing.T) {
	r := newOutboxRig(t)
	req := postalRequest()
	req.Channel = cases.ChannelWeb
	res, err := r.work.Create(ctx, "web:public", req)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Case.Messages) != 0 || r.work.AcknowledgesByEmail(res.Case) {
		t.Errorf("a postal request from the public pages queued %+v", res.Case.Messages)
	}
}
