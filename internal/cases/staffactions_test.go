package cases_test

import (
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
		{"tasks done", apply(mustCreate(t, access, env), identified, cases.Assign{Assignee: "alice"}, cases.RecordSearch{Source: "HR", Found: "nothing"}), cases.ActClose, nil, nil},
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
