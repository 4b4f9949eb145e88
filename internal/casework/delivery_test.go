package casework_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// released opens an access request from the public pages and has two
// caseworkers release its (empty) response pack; it returns the case and
// its status code.
func (r *outboxRig) released(t *testing.T, person cases.Person) (*cases.Case, string) {
	t.Helper()
	req := request(notice.RightAccess, "")
	req.Channel, req.Requester.Person = cases.ChannelWeb, person
	res, err := r.work.Create(ctx, "web:public", req)
	if err != nil {
		t.Fatal(err)
	}
	c := res.Case
	for _, step := range []struct {
		actor string
		cmd   cases.Command
	}{{"token:alice", cases.SubmitForReview{}}, {"token:bob", cases.ApproveReview{}}, {"token:alice", cases.ReleasePack{}}} {
		if c, err = r.work.Apply(ctx, step.actor, c.ID, "", step.cmd); err != nil {
			t.Fatalf("%s: %v", step.cmd.Action(), err)
		}
	}
	return c, res.StatusToken
}

var grace = cases.Person{Name: "Grace Hopper", Email: "grace@example.org"}

// emailedCode is the code in the latest delivery-code email the relay has,
// waiting for it to be sent.
func (r *outboxRig) emailedCode(t *testing.T, id string, nth int) string {
	t.Helper()
	r.waitFor(t, id, "the code's email", func(c *cases.Case) bool {
		sent := 0
		for _, m := range c.Messages {
			if m.Kind == cases.KindDeliveryCode && m.Delivery.State == cases.DeliverySent {
				sent++
			}
		}
		return sent == nth
	})
	codeLine := regexp.MustCompile(`Your code is (\d{4} \d{4})`)
	var found string
	for _, m := range r.relay.Messages() {
		if got := codeLine.FindStringSubmatch(strings.ReplaceAll(m.Data, "=\r\n", "")); got != nil {
			found = got[1]
		}
	}
	if found == "" {
		t.Fatal("no email carries a code")
	}
	return found
}

func TestDeliveryCodeIsEmailedKeptOnlyAsAKeyedHashAndWorksOnce(t *testing.T) {
	r := newOutboxRig(t)
	c, token := r.released(t, grace)
	if _, err := r.work.SendDeliveryCode(ctx, c.Reference, token); err != nil {
		t.Fatal(err)
	}
	code := r.emailedCode(t, c.ID, 1)
	plain := strings.ReplaceAll(code, " ", "")

	// The code is in no record: not the case, the kept copy of the email,
	// the audit trail, nor the outbox, whose entry went with the email.
	if err := r.st.Backend().View(ctx, func(tx store.ReadTx) error {
		for _, b := range store.Buckets() {
			err := tx.Scan(b, nil, func(k, v []byte) (bool, error) {
				if strings.Contains(string(v), plain) || strings.Contains(string(v), code) {
					return false, errors.New(string(b) + " holds the code in clear")
				}
				return true, nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got, err := r.work.Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var m cases.Message
	for _, each := range got.Messages {
		if each.Kind == cases.KindDeliveryCode {
			m = each
		}
	}
	body, err := r.work.MessageBody(ctx, c.ID, m.ID)
	if err != nil || strings.Contains(body.Text, plain) || strings.Contains(body.Text, code) || m.Template != "delivery-code" || m.To != grace.Email {
		t.Fatalf("kept copy %q (%v), template %q to %q; want the delivery-code template to the requester, without the code", body.Text, err, m.Template, m.To)
	}
	if h := got.Delivery.Code.Hash; len(h) != 32 || strings.Contains(string(h), plain) {
		t.Fatalf("kept hash %x; want a 32-byte keyed hash", h)
	}

	// A wrong code is refused and counted; the right one, typed as people
	// do, is spent on one download; typed again it is refused.
	if _, err := r.work.RedeemDeliveryCode(ctx, c.Reference, token, wrongCode(plain)); !errors.Is(err, cases.ErrDeliveryCodeRefused) {
		t.Fatalf("wrong code: %v", err)
	}
	downloaded, err := r.work.RedeemDeliveryCode(ctx, c.Reference, token, " "+strings.ReplaceAll(code, " ", "-")+" ")
	if err != nil || len(downloaded.Delivery.Downloads) != 1 {
		t.Fatalf("right code: %v; want one download recorded", err)
	}
	if _, err := r.work.RedeemDeliveryCode(ctx, c.Reference, token, plain); !errors.Is(err, cases.ErrDeliveryCodeRefused) {
		t.Fatalf("the code again: %v; want it refused", err)
	}
	// The wrong status code finds no request, as Status does.
	var missing *fault.NotFound
	if _, err := r.work.RedeemDeliveryCode(ctx, c.Reference, "nope", plain); !errors.As(err, &missing) {
		t.Fatalf("wrong status code: %v; want not found", err)
	}

	events, err := r.work.Events(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range events {
		if !strings.HasPrefix(e.Action, "case.delivery") && e.Action != "case.pack_downloaded" {
			continue
		}
		actions = append(actions, e.Action)
		if e.Actor != usecase.RequesterActor || e.PayloadHash != nil {
			t.Errorf("%s by %q with a payload: want the requester, nothing personal", e.Action, e.Actor)
		}
		for k, v := range e.After {
			if strings.Contains(v, plain) || strings.Contains(v, "@") {
				t.Errorf("%s records %s=%q", e.Action, k, v)
			}
		}
	}
	want := "case.delivery_code_sent case.delivery_code_refused case.pack_downloaded case.delivery_code_refused"
	if got := strings.Join(actions, " "); got != want {
		t.Errorf("delivery events %s; want %s", got, want)
	}
}

// wrongCode is another code of the same length.
func wrongCode(code string) string {
	if code[0] == '9' {
		return "1" + code[1:]
	}
	return string(code[0]+1) + code[1:]
}

func TestDeliveryCodeExpiresAndAnotherCasesCodeIsRefused(t *testing.T) {
	r := newOutboxRig(t)
	mine, myToken := r.released(t, grace)
	theirs, theirToken := r.released(t, cases.Person{Name: "Ada Lovelace", Email: "ada@example.org"})
	if _, err := r.work.SendDeliveryCode(ctx, theirs.Reference, theirToken); err != nil {
		t.Fatal(err)
	}
	theirCode := r.emailedCode(t, theirs.ID, 1)
	if _, err := r.work.SendDeliveryCode(ctx, mine.Reference, myToken); err != nil {
		t.Fatal(err)
	}
	if _, err := r.work.RedeemDeliveryCode(ctx, mine.Reference, myToken, theirCode); !errors.Is(err, cases.ErrDeliveryCodeRefused) {
		t.Fatalf("another case's code: %v; want it refused", err)
	}
	myCode := r.emailedCode(t, mine.ID, 1)
	r.clock.Advance(cases.DeliveryCodeLife)
	if _, err := r.work.RedeemDeliveryCode(ctx, mine.Reference, myToken, myCode); !errors.Is(err, cases.ErrDeliveryCodeRefused) {
		t.Fatalf("an expired code: %v; want it refused", err)
	}
	if c, err := r.work.RedeemDeliveryCode(ctx, theirs.Reference, theirToken, theirCode); !errors.Is(err, cases.ErrDeliveryCodeRefused) || c != nil {
		t.Fatalf("their expired code: %v", err)
	}
}

func TestDeliveryCodesAreLimitedAndNeedAnEmailAddress(t *testing.T) {
	r := newOutboxRig(t)
	c, token := r.released(t, grace)
	for range cases.DeliveryCodesPerHour {
		if _, err := r.work.SendDeliveryCode(ctx, c.Reference, token); err != nil {
			t.Fatal(err)
		}
	}
	before, err := r.work.Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.work.SendDeliveryCode(ctx, c.Reference, token)
	var limit *cases.CodeLimitReached
	if !errors.As(err, &limit) || limit.Wait != time.Hour {
		t.Fatalf("a code over the limit: %v; want CodeLimitReached with an hour to wait", err)
	}
	after, err := r.work.Get(ctx, c.ID)
	if err != nil || after.Version != before.Version || len(after.Messages) != len(before.Messages) {
		t.Fatalf("a refused code changed the case (version %d to %d, %d to %d messages)", before.Version, after.Version, len(before.Messages), len(after.Messages))
	}
	r.clock.Advance(time.Hour)
	if _, err := r.work.SendDeliveryCode(ctx, c.Reference, token); err != nil {
		t.Fatalf("a code an hour later: %v", err)
	}

	byPost, postToken := r.released(t, cases.Person{Name: "Ada Lovelace", PostalAddress: "1 High Street, Exampleton"})
	if offer := r.work.PackOffer(byPost); offer != cases.PackByPost {
		t.Fatalf("offer to a postal requester %q", offer)
	}
	var refused *fault.FailedPrecondition
	if _, err := r.work.SendDeliveryCode(ctx, byPost.Reference, postToken); !errors.As(err, &refused) || !strings.Contains(refused.Description, "post") {
		t.Fatalf("a code for a postal requester: %v; want a refusal", err)
	}
}
