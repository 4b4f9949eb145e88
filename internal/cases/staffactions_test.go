package cases_test

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

func TestActionsFollowTheCasesState(t *testing.T) {
	env := envOn("2026-02-04")
	apply := func(c *cases.Case, cmds ...cases.Command) *cases.Case {
		t.Helper()
		for _, cmd := range cmds {
			if _, err := cases.Apply(c, cmd, env); err != nil {
				t.Fatalf("%T: %v", cmd, err)
			}
		}
		return c
	}
	access := validNew()
	access.Rights = []notice.Right{notice.RightAccess}
	everything := validNew()
	everything.Notices = nil
	identified := cases.ConfirmIdentity{}
	for _, tc := range []struct {
		name   string
		c      *cases.Case
		first  cases.StaffAction
		has    []cases.StaffAction
		hasNot []cases.StaffAction
	}{
		{"new", mustCreate(t, validNew(), env), cases.ActCheckIdentity,
			[]cases.StaffAction{cases.ActAssign, cases.ActExtend, cases.ActNote, cases.ActClose, cases.ActTriage, cases.ActMerge},
			[]cases.StaffAction{cases.ActRecordResponse, cases.ActReopen}},
		{"awaiting identity", apply(mustCreate(t, validNew(), env), cases.RequestFromRequester{What: cases.WaitingForIdentity}), cases.ActRecordResponse,
			[]cases.StaffAction{cases.ActNote, cases.ActClose, cases.ActAssign},
			[]cases.StaffAction{cases.ActExtend, cases.ActCheckIdentity, cases.ActClarify}},
		{"everything, identity confirmed", apply(mustCreate(t, everything, env), identified), cases.ActTriage, nil, []cases.StaffAction{cases.ActCheckIdentity}},
		{"unassigned", apply(mustCreate(t, validNew(), env), identified), cases.ActAssign, nil, nil},
		{"access, assigned", apply(mustCreate(t, access, env), identified, cases.Assign{Assignee: "alice"}), cases.ActRecordSearch, nil, nil},
		{"erasure, assigned", apply(mustCreate(t, validNew(), env), identified, cases.Assign{Assignee: "alice"}), cases.ActCompleteTask, nil, nil},
		{"tasks done", apply(mustCreate(t, access, env), identified, cases.Assign{Assignee: "alice"}, cases.RecordSearch{Source: "HR", Found: "nothing"}), cases.ActSubmitReview, nil, nil},
		{"extended", apply(mustCreate(t, access, env), cases.Extend{Reason: "complex"}), cases.ActCheckIdentity, nil, []cases.StaffAction{cases.ActExtend}},
		// Recipients may still be told after the case is closed.
		{"closed", apply(mustCreate(t, validNew(), env), cases.Close{Outcome: cases.OutcomeWithdrawn}), cases.ActCompleteTask,
			[]cases.StaffAction{cases.ActReopen, cases.ActLink, cases.ActNote},
			[]cases.StaffAction{cases.ActAssign, cases.ActClose, cases.ActEdit, cases.ActTriage, cases.ActMerge, cases.ActRecordSearch}},
	} {
		acts := tc.c.Actions(env)
		if len(acts) == 0 || acts[0] != tc.first {
			t.Errorf("%s: actions %v, want %s first", tc.name, acts, tc.first)
		}
		for _, a := range tc.has {
			if !slices.Contains(acts, a) {
				t.Errorf("%s: actions %v lack %s", tc.name, acts, a)
			}
		}
		for _, a := range tc.hasNot {
			if slices.Contains(acts, a) {
				t.Errorf("%s: actions %v offer %s", tc.name, acts, a)
			}
		}
	}
}

func TestConfirmingIdentityStartsWorkWithoutStoppingTheClock(t *testing.T) {
	env := envOn("2026-02-04")
	c := mustCreate(t, validNew(), env)
	due := c.Clock.Due
	change, err := cases.Apply(c, cases.ConfirmIdentity{On: "2026-02-03", Detail: "Signed in with the staff account the request is about."}, env)
	if err != nil {
		t.Fatal(err)
	}
	if c.State != cases.StateInProgress || c.IdentityStatus != cases.IdentityVerified || c.Clock.Due != due || change.After["on"] != "2026-02-03" {
		t.Errorf("state %s identity %s due %s (was %s) audit %v", c.State, c.IdentityStatus, c.Clock.Due, due, change.After)
	}
	if _, err := cases.Apply(c, cases.ConfirmIdentity{}, env); err == nil {
		t.Error("identity confirmed twice")
	}
}

// Proof of identity that arrives is received, not verified: the clock runs
// from its arrival either way, and checking it is a step of its own that
// leaves the clock where the arrival put it.
func TestIdentityReceivedIsCheckedBeforeItIsVerified(t *testing.T) {
	const asked, arrived, checked = "2026-02-02", "2026-02-10", "2026-02-12"
	for _, tc := range []struct {
		name string
		// answer records the proof arriving on arrived.
		answer cases.Command
		actor  string
	}{
		{"reply on the status page", cases.RequesterReply{Text: "My passport.", Files: []cases.File{storedFile("passport.pdf")}}, cases.RequesterActor},
		{"staff record what came by post", cases.RecordResponse{On: arrived, Detail: "a copy of their passport"}, "user:alice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustCreate(t, validNew(), envOn("2026-01-31"))
			if _, err := cases.Apply(c, cases.RequestFromRequester{What: cases.WaitingForIdentity}, envOn(asked)); err != nil {
				t.Fatal(err)
			}
			env := envOn(arrived)
			env.Actor = tc.actor
			if _, err := cases.Apply(c, tc.answer, env); err != nil {
				t.Fatal(err)
			}
			if c.IdentityStatus != cases.IdentityReceived || c.IdentityReceivedOn != arrived || c.Clock.Start != arrived {
				t.Fatalf("identity %s received %s clock start %s; want received on %s with the clock starting then", c.IdentityStatus, c.IdentityReceivedOn, c.Clock.Start, arrived)
			}
			received := c.Clock
			if next := c.NextAction(envOn(arrived)); next != cases.ActCheckIdentity {
				t.Errorf("next action %q; want %q while the proof waits to be checked", next, cases.ActCheckIdentity)
			}
			if _, err := cases.Apply(c, cases.ConfirmIdentity{On: checked, Detail: "Passport matches."}, envOn(checked)); err != nil {
				t.Fatal(err)
			}
			if c.IdentityStatus != cases.IdentityVerified || c.IdentityReceivedOn != arrived || c.IdentityRequestedOn != asked {
				t.Errorf("identity %s received %s requested %s; want verified with the dates kept", c.IdentityStatus, c.IdentityReceivedOn, c.IdentityRequestedOn)
			}
			if c.Clock.Start != received.Start || c.Clock.Due != received.Due {
				t.Errorf("clock %s to %s after the check; want it left at %s to %s", c.Clock.Start, c.Clock.Due, received.Start, received.Due)
			}
			if slices.Contains(c.Actions(envOn(checked)), cases.ActCheckIdentity) {
				t.Error("identity can still be checked once verified")
			}
		})
	}
}

// Working out what staff can do tries each action on a copy of the case:
// the case itself, down to its tasks, searches and notes, is as it was.
func TestWorkingOutActionsLeavesTheCaseAsItWas(t *testing.T) {
	env := envOn("2026-02-04")
	access := validNew()
	access.Rights = []notice.Right{notice.RightAccess, notice.RightErasure}
	c := mustCreate(t, access, env)
	for _, cmd := range []cases.Command{
		cases.ConfirmIdentity{}, cases.Assign{Assignee: "alice"},
		cases.AddNote{Text: "Rang the requester"}, cases.RecordSearch{Source: "HR", Found: "two files"},
	} {
		if _, err := cases.Apply(c, cmd, env); err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
	}
	before, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if acts := c.Actions(env); len(acts) < 3 {
		t.Fatalf("actions %v: want the probes of several to have run", acts)
	}
	c.NextAction(env)
	c.ExtensionDecisionBy(env)
	after, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if changed := changedFields(t, before, after); len(changed) > 0 {
		t.Errorf("working out the actions changed the case's %v", changed)
	}
}

// changedFields names the top-level fields whose JSON differs, never their
// values, which hold the requester's details.
func changedFields(t *testing.T, before, after []byte) []string {
	t.Helper()
	var was, is map[string]json.RawMessage
	if err := errors.Join(json.Unmarshal(before, &was), json.Unmarshal(after, &is)); err != nil {
		t.Fatal(err)
	}
	var changed []string
	for name := range is {
		if string(was[name]) != string(is[name]) {
			changed = append(changed, name)
		}
	}
	for name := range was {
		if _, ok := is[name]; !ok {
			changed = append(changed, name)
		}
	}
	slices.Sort(changed)
	return changed
}
