package cases_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// The review's actors: two caseworkers and an administrator.
const (
	caseworkerAlice = "token:alice"
	caseworkerBob   = "token:bob"
	adminCarol      = "token:carol"
)

// accessCase is an open access case received 2026-01-31.
func accessCase(t *testing.T, rights ...notice.Right) *cases.Case {
	t.Helper()
	in := validNew()
	in.Rights = append([]notice.Right{notice.RightAccess}, rights...)
	return mustCreate(t, in, envOn("2026-02-02"))
}

// as is envOn on the review's day with actor acting.
func as(actor string) cases.Env {
	env := envOn("2026-02-20")
	env.Actor = actor
	return env
}

func collected(id, name string, disclosure *cases.Disclosure) cases.Document {
	return cases.Document{
		File: cases.File{ID: id, Name: name, SHA256: strings.Repeat(id[len(id)-1:], 64)},
		Kind: cases.DocumentCollectedRecord, Source: "HR", Disclosure: disclosure,
	}
}

func redaction(id, of string) cases.Document {
	return cases.Document{File: cases.File{ID: id, Name: "redacted.pdf", SHA256: strings.Repeat("r", 64)}, Kind: cases.DocumentRedactedVersion, RedactionOf: of}
}

func decided(decision cases.DisclosureDecision, exemption string) *cases.Disclosure {
	return &cases.Disclosure{Decision: decision, Exemption: exemption, By: caseworkerAlice}
}

// readyPack gives c one record disclosed redacted under an exemption,
// with its redacted version, and one disclosed whole.
func readyPack(c *cases.Case) {
	c.Documents = []cases.Document{
		collected("d1", "hr-file.pdf", decided(cases.DiscloseRedacted, "third_party")),
		redaction("d2", "d1"),
		collected("d3", "emails.pdf", decided(cases.Disclose, "")),
	}
}

func TestDisclosureProblemsNameWhatStopsThePack(t *testing.T) {
	for _, tc := range []struct {
		name string
		docs []cases.Document
		want []string // one substring per problem, in order
	}{
		{"no documents", nil, nil},
		{"requester's own documents need no decision", []cases.Document{{File: cases.File{ID: "d1", Name: "passport.jpg"}, Kind: cases.DocumentIdentityEvidence}}, nil},
		{"undecided record", []cases.Document{collected("d1", "hr-file.pdf", nil)}, []string{`"hr-file.pdf" has no decision`}},
		{"disclosed whole", []cases.Document{collected("d1", "hr-file.pdf", decided(cases.Disclose, ""))}, nil},
		{"redacted with no version and no exemption", []cases.Document{collected("d1", "hr-file.pdf", decided(cases.DiscloseRedacted, ""))},
			[]string{"has no redacted version", "is redacted but names no exemption"}},
		{"redacted version of another record does not count", []cases.Document{
			collected("d1", "hr-file.pdf", decided(cases.DiscloseRedacted, "third_party")), redaction("d2", "d9")},
			[]string{`"hr-file.pdf" is to be disclosed redacted but has no redacted version`}},
		{"redacted with version and exemption", []cases.Document{
			collected("d1", "hr-file.pdf", decided(cases.DiscloseRedacted, "third_party")), redaction("d2", "d1")}, nil},
		{"withheld with no exemption", []cases.Document{collected("d1", "legal.pdf", decided(cases.Withhold, " "))}, []string{`"legal.pdf" is withheld but names no exemption`}},
		{"withheld under an exemption", []cases.Document{collected("d1", "legal.pdf", decided(cases.Withhold, "legal_privilege"))}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := accessCase(t)
			c.Documents = tc.docs
			got := c.DisclosureProblems()
			if len(got) != len(tc.want) {
				t.Fatalf("problems %q; want %d like %q", got, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d is %q; want it to say %q", i, got[i], w)
				}
			}
		})
	}
}

// step is one review command by an actor.
type step struct {
	actor string
	cmd   cases.Command
}

func runSteps(t *testing.T, c *cases.Case, steps []step) {
	t.Helper()
	for i, s := range steps {
		if _, err := cases.Apply(c, s.cmd, as(s.actor)); err != nil {
			t.Fatalf("step %d (%s by %s): %v", i, s.cmd.Action(), s.actor, err)
		}
	}
}

func TestReviewTransitions(t *testing.T) {
	submit := step{caseworkerAlice, cases.SubmitForReview{}}
	approve := step{caseworkerBob, cases.ApproveReview{Comments: "Redactions checked."}}
	returned := step{caseworkerBob, cases.ReturnReview{Comments: "Redact page 3 as well."}}
	release := step{caseworkerAlice, cases.ReleasePack{}}
	for _, tc := range []struct {
		name    string
		before  []step
		try     step
		want    cases.ReviewState // the pack's state after an accepted step
		refused string            // a substring of the refusal; "" when accepted
	}{
		{"submit a ready pack", nil, submit, cases.ReviewSubmitted, ""},
		{"submit twice", []step{submit}, submit, "", "already submitted"},
		{"approve by another caseworker", []step{submit}, approve, cases.ReviewApproved, ""},
		{"approve your own submission", []step{submit}, step{caseworkerAlice, cases.ApproveReview{}}, "", "you submitted this response pack, so you cannot approve it"},
		{"return your own submission", []step{submit}, step{caseworkerAlice, cases.ReturnReview{Comments: "oops"}}, "", "you submitted this response pack, so you cannot return it"},
		{"approve before submission", nil, approve, "", "only a response pack submitted for review can be approved; this one is not yet submitted"},
		{"return with comments", []step{submit}, returned, cases.ReviewReturned, ""},
		{"submit again after a return", []step{submit, returned}, submit, cases.ReviewSubmitted, ""},
		{"the returner may approve the resubmission", []step{submit, returned, submit}, approve, cases.ReviewApproved, ""},
		{"approve a returned pack", []step{submit, returned}, approve, "", "this one is returned"},
		{"submit an approved pack", []step{submit, approve}, submit, "", "already approved"},
		{"release an approved pack", []step{submit, approve}, release, cases.ReviewReleased, ""},
		{"an admin releases", []step{submit, approve}, step{adminCarol, cases.ReleasePack{}}, cases.ReviewReleased, ""},
		{"release before approval", []step{submit}, release, "", "only an approved response pack can be released; this one is waiting for review"},
		{"release twice", []step{submit, approve, release}, release, "", "already released"},
		{"return a released pack", []step{submit, approve, release}, returned, "", "can be returned"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := accessCase(t)
			readyPack(c)
			runSteps(t, c, tc.before)
			before := c.Version
			change, err := cases.Apply(c, tc.try.cmd, as(tc.try.actor))
			if tc.refused != "" {
				var fp *fault.FailedPrecondition
				if !errors.As(err, &fp) || !strings.Contains(fp.Description, tc.refused) {
					t.Fatalf("got %v; want a failed precondition saying %q", err, tc.refused)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.PackState(); got != tc.want || c.Version != before+1 {
				t.Fatalf("pack %s at version %d; want %s at %d", got, c.Version, tc.want, before+1)
			}
			last := c.Review.Steps[len(c.Review.Steps)-1]
			if last.State != tc.want || last.By != tc.try.actor || last.On.IsZero() {
				t.Errorf("last step %+v; want %s by %s, dated", last, tc.want, tc.try.actor)
			}
			// The audit event names the state, never the comments.
			if change.After["review"] != string(tc.want) || len(change.Personal) != 0 {
				t.Errorf("audit after %v, personal %v; want the review state only", change.After, change.Personal)
			}
			for _, v := range change.After {
				if strings.Contains(v, "Redact") {
					t.Errorf("the audit event carries the comments: %v", change.After)
				}
			}
		})
	}
}

func TestMayReviewIsEveryoneButTheSubmitterWhileSubmitted(t *testing.T) {
	c := accessCase(t)
	readyPack(c)
	if c.MayReview(caseworkerBob) {
		t.Error("a pack never submitted can be reviewed")
	}
	runSteps(t, c, []step{{caseworkerAlice, cases.SubmitForReview{}}})
	if c.MayReview(caseworkerAlice) || !c.MayReview(caseworkerBob) {
		t.Errorf("submitted by Alice: Alice may review %v, Bob %v; want only Bob", c.MayReview(caseworkerAlice), c.MayReview(caseworkerBob))
	}
	runSteps(t, c, []step{{caseworkerBob, cases.ApproveReview{}}})
	if c.MayReview(caseworkerBob) {
		t.Error("an approved pack can be reviewed again")
	}
}

func TestReviewRefusesBadInputAndOtherCases(t *testing.T) {
	t.Run("a return needs comments", func(t *testing.T) {
		c := accessCase(t)
		runSteps(t, c, []step{{caseworkerAlice, cases.SubmitForReview{}}})
		_, err := cases.Apply(c, cases.ReturnReview{Comments: "  "}, as(caseworkerBob))
		assertInvalidField(t, err, "comments")
	})
	t.Run("comments too long", func(t *testing.T) {
		c := accessCase(t)
		runSteps(t, c, []step{{caseworkerAlice, cases.SubmitForReview{}}})
		_, err := cases.Apply(c, cases.ApproveReview{Comments: strings.Repeat("x", cases.MaxDetail+1)}, as(caseworkerBob))
		assertInvalidField(t, err, "comments")
	})
	t.Run("a pack that is not ready", func(t *testing.T) {
		c := accessCase(t)
		c.Documents = []cases.Document{collected("d1", "hr-file.pdf", nil)}
		_, err := cases.Apply(c, cases.SubmitForReview{}, as(caseworkerAlice))
		assertPrecondition(t, err, `not ready: "hr-file.pdf" has no decision`)
	})
	t.Run("no access requested", func(t *testing.T) {
		c := mustCreate(t, validNew(), envOn("2026-02-02"))
		_, err := cases.Apply(c, cases.SubmitForReview{}, as(caseworkerAlice))
		assertPrecondition(t, err, "only an access request")
	})
	t.Run("a closed case", func(t *testing.T) {
		c := accessCase(t)
		runSteps(t, c, []step{{caseworkerAlice, cases.Close{Outcome: cases.OutcomeWithdrawn}}})
		_, err := cases.Apply(c, cases.SubmitForReview{}, as(caseworkerAlice))
		assertPrecondition(t, err, "cannot submit the response pack of a case that is CLOSED")
	})
	t.Run("a pack that changed after submission is not approved", func(t *testing.T) {
		c := accessCase(t)
		readyPack(c)
		runSteps(t, c, []step{{caseworkerAlice, cases.SubmitForReview{}}})
		c.Documents = append(c.Documents, collected("d4", "late.pdf", nil))
		_, err := cases.Apply(c, cases.ApproveReview{}, as(caseworkerBob))
		assertPrecondition(t, err, `"late.pdf" has no decision`)
	})
}

func assertInvalidField(t *testing.T, err error, field string) {
	t.Helper()
	var inv *fault.InvalidArgument
	if !errors.As(err, &inv) || len(inv.Violations) == 0 || inv.Violations[0].Field != field {
		t.Fatalf("got %v; want invalid %s", err, field)
	}
}

func assertPrecondition(t *testing.T, err error, want string) {
	t.Helper()
	var fp *fault.FailedPrecondition
	if !errors.As(err, &fp) || !strings.Contains(fp.Description, want) {
		t.Fatalf("got %v; want a failed precondition saying %q", err, want)
	}
}

func TestChangingThePackAfterApprovalUndoesTheApproval(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(c *cases.Case)
		still  bool // the approval stands
	}{
		{"nothing changes", func(*cases.Case) {}, true},
		{"a decision changes", func(c *cases.Case) { c.Documents[2].Disclosure = decided(cases.Withhold, "legal_privilege") }, false},
		{"an exemption changes", func(c *cases.Case) { c.Documents[0].Disclosure.Exemption = "crime" }, false},
		{"a redacted version is replaced", func(c *cases.Case) { c.Documents[1].SHA256 = strings.Repeat("s", 64) }, false},
		{"a record is added", func(c *cases.Case) {
			c.Documents = append(c.Documents, collected("d4", "more.pdf", decided(cases.Disclose, "")))
		}, false},
		{"the requester sends identity evidence", func(c *cases.Case) {
			c.Documents = append(c.Documents, cases.Document{File: cases.File{ID: "d5", SHA256: "x"}, Kind: cases.DocumentIdentityEvidence})
		}, true},
		{"a reviewer's reason is reworded", func(c *cases.Case) { c.Documents[0].Disclosure.Reason = "names of colleagues" }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, released := range []bool{false, true} {
				c := accessCase(t)
				readyPack(c)
				steps := []step{{caseworkerAlice, cases.SubmitForReview{}}, {caseworkerBob, cases.ApproveReview{}}}
				if released {
					steps = append(steps, step{caseworkerAlice, cases.ReleasePack{}})
				}
				runSteps(t, c, steps)
				tc.change(c)
				if tc.still {
					if c.PackState() == cases.ReviewChanged {
						t.Fatalf("released=%v: the approval fell", released)
					}
					continue
				}
				if c.PackState() != cases.ReviewChanged {
					t.Fatalf("released=%v: pack %s; want changed", released, c.PackState())
				}
				_, err := cases.Apply(c, cases.ReleasePack{}, as(caseworkerAlice))
				assertPrecondition(t, err, "changed after it was approved")
				runSteps(t, c, []step{{caseworkerAlice, cases.SubmitForReview{}}})
			}
		})
	}
}

func TestClosureGuardRails(t *testing.T) {
	released := func(c *cases.Case) {
		readyPack(c)
		if err := applyAll(c, []step{{caseworkerAlice, cases.SubmitForReview{}}, {caseworkerBob, cases.ApproveReview{}}, {caseworkerAlice, cases.ReleasePack{}}}); err != nil {
			panic(err)
		}
	}
	extended := func(c *cases.Case) {
		if _, err := cases.Apply(c, cases.Extend{Reason: "Many systems to search."}, envOn("2026-02-10")); err != nil {
			panic(err)
		}
	}
	for _, tc := range []struct {
		name    string
		rights  []notice.Right
		prepare []func(*cases.Case)
		close   cases.Close
		missing []string // substrings of the refusal, in order; none when it closes
	}{
		{"access with no pack", []notice.Right{notice.RightAccess}, nil, cases.Close{Outcome: cases.OutcomeFulfilled},
			[]string{"cannot close the case as fulfilled: the response pack is not released (not yet submitted for review)", "an administrator may close it anyway"}},
		{"access with the pack waiting for review", []notice.Right{notice.RightAccess}, []func(*cases.Case){func(c *cases.Case) {
			readyPack(c)
			if err := applyAll(c, []step{{caseworkerAlice, cases.SubmitForReview{}}}); err != nil {
				panic(err)
			}
		}}, cases.Close{Outcome: cases.OutcomePartiallyFulfilled, Detail: "Some withheld."}, []string{"partially fulfilled: the response pack is not released (waiting for review)"}},
		{"access with the pack released", []notice.Right{notice.RightAccess}, []func(*cases.Case){released}, cases.Close{Outcome: cases.OutcomeFulfilled}, nil},
		{"access refused needs no pack", []notice.Right{notice.RightAccess}, nil, cases.Close{Outcome: cases.OutcomeRefused, RefusalReason: "manifestly_excessive"}, nil},
		{"access withdrawn needs no pack", []notice.Right{notice.RightAccess}, nil, cases.Close{Outcome: cases.OutcomeWithdrawn}, nil},
		{"erasure with no action stated", []notice.Right{notice.RightErasure}, nil, cases.Close{Outcome: cases.OutcomeFulfilled, Detail: "The letter's words are not the record."},
			[]string{"the action taken on the erasure request is not recorded"}},
		{"erasure with the action stated", []notice.Right{notice.RightErasure}, nil, cases.Close{Outcome: cases.OutcomeFulfilled, ActionTaken: "Deleted from HR and payroll."}, nil},
		{"access and erasure need both", []notice.Right{notice.RightAccess, notice.RightErasure}, nil, cases.Close{Outcome: cases.OutcomeFulfilled},
			[]string{"the response pack is not released", "the action taken on the erasure request"}},
		// The regression of issue 16: an open extension-notice task did not
		// stop a case closing as fulfilled.
		{"open extension notice task", []notice.Right{notice.RightErasure}, []func(*cases.Case){extended},
			cases.Close{Outcome: cases.OutcomeFulfilled, ActionTaken: "Deleted."}, []string{"task t1 (telling the requester about the extension) is still open"}},
		{"extension notice task done", []notice.Right{notice.RightErasure}, []func(*cases.Case){extended, func(c *cases.Case) {
			if _, err := cases.Apply(c, cases.CompleteTask{TaskID: "t1", State: cases.TaskDone}, envOn("2026-02-11")); err != nil {
				panic(err)
			}
		}}, cases.Close{Outcome: cases.OutcomeFulfilled, ActionTaken: "Deleted."}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := validNew()
			in.Rights = tc.rights
			in.Notices = nil // no Article 19 tasks: only the tasks each row makes
			c := mustCreate(t, in, envOn("2026-02-02"))
			for _, p := range tc.prepare {
				p(c)
			}
			_, err := cases.Apply(c, tc.close, as(caseworkerAlice))
			if len(tc.missing) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if c.State != cases.StateClosed || c.Outcome.Override != nil {
					t.Fatalf("state %s, outcome %+v", c.State, c.Outcome)
				}
				return
			}
			var fp *fault.FailedPrecondition
			if !errors.As(err, &fp) {
				t.Fatalf("got %v; want a failed precondition", err)
			}
			for _, m := range tc.missing {
				if !strings.Contains(fp.Description, m) {
					t.Errorf("refusal %q does not say %q", fp.Description, m)
				}
			}
			if c.State == cases.StateClosed {
				t.Error("the refused close closed the case")
			}
			for _, problem := range c.ClosureProblems(tc.close.Outcome, tc.close.ActionTaken) {
				if !strings.Contains(fp.Description, problem) {
					t.Errorf("refusal %q leaves out %q", fp.Description, problem)
				}
			}
		})
	}
}

func applyAll(c *cases.Case, steps []step) error {
	for _, s := range steps {
		if _, err := cases.Apply(c, s.cmd, as(s.actor)); err != nil {
			return err
		}
	}
	return nil
}

func TestAnOverrideClosesAnywayAndIsAudited(t *testing.T) {
	c := accessCase(t)
	change, err := cases.Apply(c, cases.Close{Outcome: cases.OutcomeFulfilled, OverrideReason: " Pack sent by hand on the DPO's instruction. "}, as(adminCarol))
	if err != nil {
		t.Fatal(err)
	}
	o := c.Outcome
	if c.State != cases.StateClosed || o.Override == nil || o.Override.By != adminCarol || o.Override.Reason != "Pack sent by hand on the DPO's instruction." {
		t.Fatalf("state %s, outcome %+v", c.State, o)
	}
	if len(o.Override.Missing) != 1 || !strings.Contains(o.Override.Missing[0], "response pack is not released") {
		t.Errorf("the override records missing %q; want what the guard-rails found", o.Override.Missing)
	}
	if change.After["override_by"] != adminCarol || change.Personal["override_reason"] != o.Override.Reason {
		t.Errorf("audit after %v, personal %v; want who overrode and why", change.After, change.Personal)
	}

	t.Run("nothing to override", func(t *testing.T) {
		c := accessCase(t)
		_, err := cases.Apply(c, cases.Close{Outcome: cases.OutcomeWithdrawn, OverrideReason: "just in case"}, as(adminCarol))
		assertInvalidField(t, err, cases.OverrideReasonField)
	})
	t.Run("action taken too long", func(t *testing.T) {
		c := mustCreate(t, validNew(), envOn("2026-02-02"))
		_, err := cases.Apply(c, cases.Close{Outcome: cases.OutcomeFulfilled, ActionTaken: strings.Repeat("x", cases.MaxOutcomeDetail+1)}, as(caseworkerAlice))
		assertInvalidField(t, err, cases.ActionTakenField)
	})
	t.Run("reason too long", func(t *testing.T) {
		c := accessCase(t)
		_, err := cases.Apply(c, cases.Close{Outcome: cases.OutcomeFulfilled, OverrideReason: strings.Repeat("x", cases.MaxDetail+1)}, as(adminCarol))
		assertInvalidField(t, err, cases.OverrideReasonField)
	})
}

func TestReviewIsTheNextActionOfAnAccessCase(t *testing.T) {
	c := accessCase(t)
	c.IdentityStatus = cases.IdentityVerified
	c.Assignee = "alice"
	c.Searches = []cases.Search{{ID: "s1", Kind: cases.SearchDone, Source: "HR", Found: "a file"}}
	readyPack(c)
	env := as("")
	for _, tc := range []struct {
		then step
		want cases.StaffAction
	}{
		{step{}, cases.ActSubmitReview},
		{step{caseworkerAlice, cases.SubmitForReview{}}, cases.ActApproveReview},
		{step{caseworkerBob, cases.ApproveReview{}}, cases.ActReleasePack},
		{step{caseworkerAlice, cases.ReleasePack{}}, cases.ActClose},
	} {
		if tc.then.cmd != nil {
			runSteps(t, c, []step{tc.then})
		}
		if got := c.NextAction(env); got != tc.want {
			t.Errorf("pack %s: next %s; want %s", c.PackState(), got, tc.want)
		}
	}
}
