package letters_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/letters"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

const codePlaceholder = "[the code]"

func TestDeliveryCodeEmailGivesTheCodeItsLifeAndTheLastDay(t *testing.T) {
	ns := builtin(t)
	c := newCase(t, ns, []cases.NoticeRef{{ID: "it-service-desk", Context: "employment"}}, []notice.Right{notice.RightAccess})
	w := writer(t, nil)
	var refused *fault.FailedPrecondition
	if _, err := w.Write(letters.KindDeliveryCode, letters.Facts{Case: c, Notice: finder(ns), On: today, DeliveryCode: codePlaceholder}); !errors.As(err, &refused) {
		t.Fatalf("a code for a pack not released: %v; want a refusal", err)
	}
	for _, actor := range []struct {
		by  string
		cmd cases.Command
	}{{"alice", cases.SubmitForReview{}}, {"bob", cases.ApproveReview{}}, {"alice", cases.ReleasePack{}}} {
		env := envOn(today, ns)
		env.Actor = actor.by
		if _, err := cases.Apply(c, actor.cmd, env); err != nil {
			t.Fatalf("%s: %v", actor.cmd.Action(), err)
		}
	}
	if _, err := w.Write(letters.KindDeliveryCode, letters.Facts{Case: c, Notice: finder(ns), On: today}); err == nil {
		t.Fatal("an email with no code was written")
	}
	l := write(t, w, letters.KindDeliveryCode, letters.Facts{Case: c, Notice: finder(ns), DeliveryCode: codePlaceholder})
	// Released at noon on 20 March: downloadable until noon on 19 April.
	for _, want := range []string{"Your code is " + codePlaceholder, "for 15 minutes", "until 19 April 2026", c.Reference} {
		if !strings.Contains(l.Text, want) {
			t.Errorf("the email does not say %q:\n%s", want, l.Text)
		}
	}
	golden(t, "delivery-code.txt", l.Text)
}
