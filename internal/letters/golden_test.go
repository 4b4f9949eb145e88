package letters_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/letters"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// coreRights are the rights the golden letters cover: the six core rights
// and portability.
var coreRights = []notice.Right{
	notice.RightAccess, notice.RightRectification, notice.RightErasure, notice.RightRestriction,
	notice.RightObjection, notice.RightWithdrawConsent, notice.RightPortability,
}

// closing is one way a case can close, with what staff would write.
type closing struct {
	name    string
	outcome cases.OutcomeKind
	reason  cases.RefusalReason
	detail  string
}

// closings are every outcome Close takes, a refusal for each reason.
func closings() []closing {
	out := []closing{
		{name: "fulfilled", outcome: cases.OutcomeFulfilled},
		{name: "partially-fulfilled", outcome: cases.OutcomePartiallyFulfilled, detail: "We have withheld emails that are mostly about other people, because giving them to you would disclose information about those people (Article 15(4) of the UK GDPR)."},
	}
	reasons := map[cases.RefusalReason]string{
		"manifestly_unfounded":  "Your request says it was made only to disrupt our work, and offers to withdraw it in return for a payment.",
		"manifestly_excessive":  "It repeats the request you made on 5 January 2026, which we answered on 2 February 2026, and nothing has changed since.",
		"exemption_applies":     "The data is part of a legal dispute and is covered by legal professional privilege (Data Protection Act 2018, Schedule 2, paragraph 19).",
		"right_not_applicable":  "We use the data you asked about to meet our legal obligations as your employer.",
		"identity_not_verified": "",
		"no_personal_data_held": "",
		"other":                 "A court order made on 1 March 2026 stops us acting on the data until the case ends.",
	}
	for _, r := range cases.RefusalReasons {
		out = append(out, closing{name: "refused-" + strings.ReplaceAll(string(r), "_", "-"), outcome: cases.OutcomeRefused, reason: r, detail: reasons[r]})
	}
	return append(out,
		closing{name: "withdrawn", outcome: cases.OutcomeWithdrawn},
		closing{name: "passed-to-controller", outcome: cases.OutcomePassedToController},
		closing{name: "self-service", outcome: cases.OutcomeSelfService, detail: "Go to the settings page of your account on our staff portal, under \"Your data\"."},
	)
}

// processorAudience is an audience of the version for which we are only
// the processor, if it has one.
func processorAudience(v *notice.Version) string {
	for _, a := range v.Audiences {
		if a.Role == notice.RoleProcessor {
			return a.ID
		}
	}
	return ""
}

// closedCase is a case on the notice asking for the right, worked and
// closed as cl says.
func closedCase(t *testing.T, ns []notice.Notice, n *notice.Notice, right notice.Right, cl closing) *cases.Case {
	t.Helper()
	ref := cases.NoticeRef{ID: n.ID}
	detail := cl.detail
	if cl.outcome == cases.OutcomePassedToController {
		// The IT Service Desk notice names the departments we only process
		// for; elsewhere staff say who holds the data.
		if ref.Audience = processorAudience(n.Current()); ref.Audience == "" {
			detail = "We hold this data only as a processor for the Example Agency, which decides how it is used."
		}
	}
	cmds := []cases.Command{cases.ConfirmIdentity{On: "2026-03-03"}}
	if cl.reason == "identity_not_verified" {
		cmds = []cases.Command{cases.RequestFromRequester{What: cases.WaitingForIdentity, On: "2026-03-03", Detail: "A copy of your staff pass."}}
	}
	if cl.reason == "no_personal_data_held" {
		cmds = append(cmds, searchedNothing...)
	} else {
		cmds = append(cmds, searched...)
	}
	c := newCase(t, ns, []cases.NoticeRef{ref}, []notice.Right{right}, cmds...)
	for _, task := range c.Tasks {
		if task.Kind == cases.TaskArticle19 {
			if _, err := cases.Apply(c, cases.CompleteTask{TaskID: task.ID, State: cases.TaskDone, On: "2026-03-18"}, envOn(today, ns)); err != nil {
				t.Fatal(err)
			}
			break // the rest stay open, so the letter shows both
		}
	}
	closing := cases.Close{Outcome: cl.outcome, RefusalReason: cl.reason, Detail: detail, On: today}
	if cl.outcome == cases.OutcomeFulfilled || cl.outcome == cases.OutcomePartiallyFulfilled {
		closing.OverrideReason = guardRailsNotUnderTest
	}
	if _, err := cases.Apply(c, closing, envOn(today, ns)); err != nil {
		t.Fatal(err)
	}
	return c
}

// For each built-in notice, each core right and each way a case closes,
// the letter the requester gets.
func TestClosingLettersForEachNoticeRightAndOutcome(t *testing.T) {
	ns := builtin(t)
	w := writer(t, nil)
	for i := range ns {
		n := &ns[i]
		for _, right := range coreRights {
			t.Run(n.ID+"/"+string(right), func(t *testing.T) {
				var out strings.Builder
				for _, cl := range closings() {
					c := closedCase(t, ns, n, right, cl)
					kind, _ := letters.ClosingKind(cl.outcome)
					l := write(t, w, kind, letters.Facts{Case: c, Notice: finder(ns)})
					fmt.Fprintf(&out, "===== %s: the %s letter =====\n\n%s\n", cl.name, l.Template, l.Text)
				}
				golden(t, n.ID+"/"+strings.ReplaceAll(string(right), "_", "-")+".txt", out.String())
			})
		}
	}
}

// For each built-in notice, the letters of a case's life before it closes.
func TestLifecycleLettersForEachNotice(t *testing.T) {
	ns := builtin(t)
	w := writer(t, nil)
	rights := []notice.Right{notice.RightAccess, notice.RightErasure}
	for i := range ns {
		n := &ns[i]
		t.Run(n.ID, func(t *testing.T) {
			facts := func(c *cases.Case) letters.Facts { return letters.Facts{Case: c, Notice: finder(ns)} }
			ref := []cases.NoticeRef{{ID: n.ID}}
			var out strings.Builder
			add := func(l letters.Letter) {
				fmt.Fprintf(&out, "===== the %s letter =====\n\n%s\n", l.Template, l.Text)
			}
			add(write(t, w, letters.KindAcknowledgement, facts(newCase(t, ns, ref, rights))))
			for _, ask := range []cases.RequestFromRequester{
				{What: cases.WaitingForIdentity, On: "2026-03-03"},
				{What: cases.WaitingForClarification, On: "2026-03-04", Detail: "Which years of your employment does your request cover?"},
				{What: cases.WaitingForFee, On: "2026-03-04", Detail: "The fee for a further copy of the data we sent you on 1 February 2026 is £10. You can pay by bank transfer to the account on our website."},
			} {
				kind, _ := letters.RequestKind(ask.What)
				add(write(t, w, kind, facts(newCase(t, ns, ref, rights, ask))))
			}
			extended := newCase(t, ns, ref, rights, cases.ConfirmIdentity{On: "2026-03-03"},
				cases.Extend{On: "2026-03-16", Months: 2, Reason: "Your request covers 14 systems run by 3 suppliers, and 2 of them must restore data from backups."})
			add(write(t, w, letters.KindExtensionNotice, facts(extended)))
			closed := closedCase(t, ns, n, notice.RightErasure, closing{outcome: cases.OutcomeFulfilled})
			recipients := slices.DeleteFunc(slices.Clone(closed.Tasks), func(task cases.Task) bool { return task.Kind != cases.TaskArticle19 })
			if len(recipients) == 0 {
				t.Fatalf("%s names no recipient, so an erasure case has no Article 19 task", n.ID)
			}
			add(write(t, w, letters.KindArticle19, letters.Facts{Case: closed, Notice: finder(ns), Recipient: recipients[0].Recipient}))
			merged := newCase(t, ns, ref, rights, cases.MergeInto{Into: "01JEXAMPLEOTHERCASE0000000", On: "2026-03-05"})
			add(write(t, w, letters.KindDuplicate, letters.Facts{Case: merged, Notice: finder(ns), DuplicateOf: "RD-2345-6789"}))
			golden(t, n.ID+"/lifecycle.txt", out.String())
		})
	}
}
