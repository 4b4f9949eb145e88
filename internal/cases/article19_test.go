package cases_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

func TestCloseTellsTheRecipientsNamed(t *testing.T) {
	env := envOn("2026-02-10")
	c := mustCreate(t, validNew(), envOn("2026-02-02"))
	close := cases.Close{Outcome: cases.OutcomeFulfilled, ActionTaken: "Erased.", Notify: []cases.RecipientNotice{
		{Recipient: " payroll ltd ", Email: "dpo@payroll.example"},
		{Recipient: "Pension Trustees", Email: "data@pensions.example"},
	}}
	change, err := cases.Apply(c, close, env)
	if err != nil {
		t.Fatal(err)
	}
	told := c.Told()
	if len(told) != 2 {
		t.Fatalf("told %+v; want the notice's recipient and the one typed", told)
	}
	// The notice's recipient keeps its task and its name as the notice
	// spells it; the one typed gets a task of its own.
	if told[0].Recipient != "Payroll Ltd" || told[0].Email != "dpo@payroll.example" || told[0].CompletedOn != "2026-02-10" || told[0].CompletedBy != "token:alice" {
		t.Errorf("first told %+v", told[0])
	}
	if told[1].Recipient != "Pension Trustees" || told[1].Kind != cases.TaskArticle19 || told[1].State != cases.TaskDone || told[1].ID == told[0].ID {
		t.Errorf("second told %+v", told[1])
	}
	got, _ := change.Personal["recipients_told"].([]string)
	if len(got) != 2 || !strings.Contains(got[0], "dpo@payroll.example") {
		t.Errorf("the audit payload keeps %v; want each recipient told and its address", change.Personal)
	}
	for k, v := range change.After {
		if strings.Contains(v, "@") {
			t.Errorf("the hashed audit facts hold an address: %s=%s", k, v)
		}
	}
}

func TestCloseRefusesRecipientNoticesThatCannotBeSent(t *testing.T) {
	payroll := func(email string) []cases.RecipientNotice {
		return []cases.RecipientNotice{{Recipient: "Payroll Ltd", Email: email}}
	}
	many := make([]cases.RecipientNotice, cases.MaxRecipientNotices+1)
	for i := range many {
		many[i] = cases.RecipientNotice{Recipient: "Recipient " + strings.Repeat("x", i+1), Email: "a@b.example"}
	}
	access := validNew()
	access.Rights = []notice.Right{notice.RightAccess}
	for _, tc := range []struct {
		name    string
		in      cases.NewCase
		outcome cases.OutcomeKind
		notify  []cases.RecipientNotice
		field   string
	}{
		{"no email", validNew(), cases.OutcomeFulfilled, payroll(""), "recipient_notices[0].email"},
		{"not an email", validNew(), cases.OutcomeFulfilled, payroll("payroll.example"), "recipient_notices[0].email"},
		{"a display name", validNew(), cases.OutcomeFulfilled, payroll("Payroll <dpo@payroll.example>"), "recipient_notices[0].email"},
		{"two addresses", validNew(), cases.OutcomeFulfilled, payroll("a@payroll.example, b@payroll.example"), "recipient_notices[0].email"},
		{"no domain dot", validNew(), cases.OutcomeFulfilled, payroll("dpo@localhost"), "recipient_notices[0].email"},
		{"no name", validNew(), cases.OutcomeFulfilled, []cases.RecipientNotice{{Email: "a@b.example"}}, "recipient_notices[0].recipient"},
		{"a control character", validNew(), cases.OutcomeFulfilled, []cases.RecipientNotice{{Recipient: "Pay\u202eroll", Email: "a@b.example"}}, "recipient_notices[0].recipient"},
		{"named twice", validNew(), cases.OutcomeFulfilled, append(payroll("a@b.example"), cases.RecipientNotice{Recipient: "PAYROLL LTD", Email: "c@d.example"}), "recipient_notices[1].recipient"},
		{"over the limit", validNew(), cases.OutcomeFulfilled, many, "recipient_notices"},
		{"a refusal", validNew(), cases.OutcomeRefused, payroll("dpo@payroll.example"), "recipient_notices"},
		{"withdrawn", validNew(), cases.OutcomeWithdrawn, payroll("dpo@payroll.example"), "recipient_notices"},
		{"an access request", access, cases.OutcomeFulfilled, payroll("dpo@payroll.example"), "recipient_notices"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustCreate(t, tc.in, envOn("2026-02-02"))
			before := c.Version
			cmd := cases.Close{Outcome: tc.outcome, Notify: tc.notify}
			if tc.outcome == cases.OutcomeRefused {
				cmd.RefusalReason = "other"
			}
			_, err := cases.Apply(c, cmd, envOn("2026-02-10"))
			var invalid *fault.InvalidArgument
			if !errors.As(err, &invalid) || invalid.Violations[0].Field != tc.field {
				t.Fatalf("error %v; want invalid %s", err, tc.field)
			}
			if c.Version != before {
				t.Error("a refused close changed the case's version")
			}
		})
	}
}

func TestARecipientAlreadySettledIsNotToldAgain(t *testing.T) {
	env := envOn("2026-02-10")
	c := mustCreate(t, validNew(), envOn("2026-02-02"))
	task := c.Article19Task("Payroll Ltd")
	if task == nil {
		t.Fatal("the case has no Article 19 task for the notice's recipient")
	}
	if _, err := cases.Apply(c, cases.CompleteTask{TaskID: task.ID, State: cases.TaskImpossible, Resolution: "They have closed down."}, env); err != nil {
		t.Fatal(err)
	}
	_, err := cases.Apply(c, cases.Close{Outcome: cases.OutcomeFulfilled, Notify: []cases.RecipientNotice{{Recipient: "Payroll Ltd", Email: "a@b.example"}}}, env)
	var invalid *fault.InvalidArgument
	if !errors.As(err, &invalid) || invalid.Violations[0].Field != "recipient_notices[0].recipient" || !strings.Contains(invalid.Violations[0].Description, "impossible") {
		t.Errorf("telling a recipient found impossible to tell: %v", err)
	}
}
