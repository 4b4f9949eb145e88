package cases_test

import (
	"errors"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// testNotice has two contexts with different bases, two recipients (one
// scoped to the survey context) and a processor audience.
func testNotice() *notice.Notice {
	return &notice.Notice{ID: "test-notice", Versions: []notice.Version{{
		Number: 1, EffectiveFrom: "2024-01-01", Title: "Test notice",
		Contexts: []notice.Context{
			{ID: "staff", Name: "staff records", Basis: notice.BasisContract, Automated: true},
			{ID: "surveys", Name: "surveys", Basis: notice.BasisConsent, Automated: true},
		},
		Recipients: []notice.Recipient{
			{Name: "Payroll Ltd", Kind: "processor"},
			{Name: "Survey Co", Kind: "processor", Scope: []string{"surveys"}},
		},
		Audiences: []notice.Audience{
			{ID: "ours", Label: "our staff", Role: notice.RoleController},
			{ID: "theirs", Label: "another department's staff", Role: notice.RoleProcessor, Controller: notice.Party{Name: "Other Department"}},
		},
		Rights: []notice.DeclaredRight{{Right: notice.RightAccess}, {Right: notice.RightErasure}, {Right: notice.RightWithdrawConsent, Scope: []string{"surveys"}}},
	}}}
}

var engine = deadline.NewEngine(deadline.BuiltinCalendars())

// envOn is an Env at noon UK time on the given date, whose catalogue holds
// testNotice.
func envOn(day string) cases.Env { return envWith(day, testNotice()) }

// envWith is envOn with a catalogue of the given notices.
func envWith(day string, notices ...*notice.Notice) cases.Env {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		panic(err)
	}
	return cases.Env{Now: d.Add(12 * time.Hour), Actor: "token:alice", Engine: engine, Random: rand.NewChaCha8([32]byte{1}),
		Notice: func(id string) (*notice.Notice, bool) {
			for _, n := range notices {
				if n.ID == id {
					return n, true
				}
			}
			return nil, false
		}}
}

func validNew() cases.NewCase {
	return cases.NewCase{
		Notices: []cases.NoticeRef{{ID: "test-notice"}}, Rights: []notice.Right{notice.RightErasure}, ReceivedOn: "2026-01-31",
		Requester: cases.Requester{Person: cases.Person{Name: "Ada Lovelace", Email: "ada@example.org"}, Relationship: cases.RelationshipSelf},
	}
}

func mustCreate(t *testing.T, in cases.NewCase, env cases.Env) *cases.Case {
	t.Helper()
	created, err := cases.Create(in, env)
	if err != nil {
		t.Fatal(err)
	}
	return created.Case
}

func TestCreateRecordsEvaluationClockTasksAndSecrets(t *testing.T) {
	created, err := cases.Create(validNew(), envOn("2026-02-02"))
	if err != nil {
		t.Fatal(err)
	}
	c := created.Case
	if c.State != cases.StateNew || c.Version != 1 || c.Channel != cases.ChannelAPI || c.Region != deadline.EnglandAndWales {
		t.Errorf("defaults: state %s version %d channel %s region %s", c.State, c.Version, c.Channel, c.Region)
	}
	if c.Clock.Due != "2026-03-02" || c.Clock.Start != "2026-01-31" || len(c.Clock.Steps) == 0 {
		t.Errorf("received Sat 31 Jan 2026: clock %+v, want due Mon 2 Mar 2026 with an explanation", c.Clock)
	}
	if got := c.Rights[0]; got.Right != notice.RightErasure || got.Availability != notice.Declared || got.Reason == "" {
		t.Errorf("evaluation not recorded: %+v", got)
	}
	// Without a context every recipient is told; scoped ones too.
	if len(c.Tasks) != 2 || c.Tasks[0].Kind != cases.TaskArticle19 || c.Tasks[0].Recipient != "Payroll Ltd" || c.Tasks[0].Due != c.Clock.Due {
		t.Errorf("Article 19 tasks = %+v", c.Tasks)
	}
	if !regexp.MustCompile(`^RD-[2-9A-HJKMNP-TW-Z]{4}-[2-9A-HJKMNP-TW-Z]{4}$`).MatchString(c.Reference) {
		t.Errorf("reference %q is not RD-XXXX-XXXX from the unambiguous alphabet", c.Reference)
	}
	if !c.StatusTokenMatches(created.StatusToken) || c.StatusTokenMatches(created.StatusToken+"x") || len(created.StatusToken) < 30 {
		t.Errorf("status token %q does not round-trip through its hash", created.StatusToken)
	}
	if created.Change.Action != "case.created" || created.Change.After["due"] != "2026-03-02" || created.Change.Personal["requester"] == nil {
		t.Errorf("change = %+v", created.Change)
	}
	assertNoPersonalData(t, created.Change)
}

func TestCreateScopesArticle19TasksToTheContext(t *testing.T) {
	in := validNew()
	in.Notices[0].Context = "staff"
	c := mustCreate(t, in, envOn("2026-02-02"))
	if len(c.Tasks) != 1 || c.Tasks[0].Recipient != "Payroll Ltd" {
		t.Errorf("tasks for the staff context = %+v, want only the unscoped recipient", c.Tasks)
	}
	in.Rights = []notice.Right{notice.RightAccess}
	if c := mustCreate(t, in, envOn("2026-02-02")); len(c.Tasks) != 0 {
		t.Errorf("an access request got Article 19 tasks: %+v", c.Tasks)
	}
}

func TestCreateFromAProcessorAudienceNamesTheController(t *testing.T) {
	in := validNew()
	in.Notices[0].Audience = "theirs"
	c := mustCreate(t, in, envOn("2026-02-02"))
	if c.OtherController == nil || c.OtherController.Name != "Other Department" {
		t.Fatalf("other controller = %+v, want Other Department", c.OtherController)
	}
	in.Notices[0].Audience = "ours"
	if c := mustCreate(t, in, envOn("2026-02-02")); c.OtherController != nil {
		t.Errorf("controller audience got another controller: %+v", c.OtherController)
	}
}

func TestCreateNeverRefusesARightTheLawDoesNotGive(t *testing.T) {
	in := validNew()
	in.Notices[0].Context, in.Rights = "staff", []notice.Right{notice.RightObjection, notice.RightWithdrawConsent}
	c := mustCreate(t, in, envOn("2026-02-02"))
	for _, r := range c.Rights {
		if r.Availability != notice.NotApplicable {
			t.Errorf("%s under contract = %s, want not_applicable (recorded, not refused)", r.Right, r.Availability)
		}
	}
}

func TestCreateValidation(t *testing.T) {
	tests := []struct {
		name   string
		change func(*cases.NewCase)
		field  string
	}{
		{"no rights", func(n *cases.NewCase) { n.Rights = nil }, "case.rights"},
		{"unknown right", func(n *cases.NewCase) { n.Rights = []notice.Right{"teleportation"} }, "case.rights[0]"},
		{"right twice", func(n *cases.NewCase) { n.Rights = []notice.Right{notice.RightAccess, notice.RightAccess} }, "case.rights[1]"},
		{"unknown context", func(n *cases.NewCase) { n.Notices[0].Context = "nope" }, "case.notices[0].context"},
		{"unknown audience", func(n *cases.NewCase) { n.Notices[0].Audience = "nope" }, "case.notices[0].audience"},
		{"no name", func(n *cases.NewCase) { n.Requester.Person.Name = " " }, "case.requester.person.name"},
		{"no way to reply", func(n *cases.NewCase) { n.Requester.Person.Email = "" }, "case.requester.person.email"},
		{"bad email", func(n *cases.NewCase) { n.Requester.Person.Email = "ada at example" }, "case.requester.person.email"},
		{"no relationship", func(n *cases.NewCase) { n.Requester.Relationship = "" }, "case.requester.relationship"},
		{"representative without subject", func(n *cases.NewCase) {
			n.Requester.Relationship, n.Requester.Authority = cases.RelationshipRepresentative, "letter"
		}, "case.requester.data_subject.name"},
		{"representative without authority", func(n *cases.NewCase) {
			n.Requester.Relationship, n.Requester.DataSubject = cases.RelationshipRepresentative, &cases.Person{Name: "Child"}
		}, "case.requester.authority"},
		{"received in the future", func(n *cases.NewCase) { n.ReceivedOn = "2026-02-03" }, "case.received_on"},
		{"received not a date", func(n *cases.NewCase) { n.ReceivedOn = "2026-02-30" }, "case.received_on"},
		{"unknown channel", func(n *cases.NewCase) { n.Channel = "pigeon" }, "case.channel"},
		{"unknown region", func(n *cases.NewCase) { n.Region = "atlantis" }, "case.region"},
		{"description too long", func(n *cases.NewCase) { n.Description = strings.Repeat("x", cases.MaxDescription+1) }, "case.description"},
		{"unknown notice", func(n *cases.NewCase) { n.Notices[0].ID = "nope" }, "case.notices[0].id"},
		{"notice twice", func(n *cases.NewCase) { n.Notices = append(n.Notices, n.Notices[0]) }, "case.notices[1].id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validNew()
			tt.change(&in)
			_, err := cases.Create(in, envOn("2026-02-02"))
			assertInvalid(t, err, tt.field)
		})
	}
}

func TestRepresentativeForAChildIsAValidRequest(t *testing.T) {
	in := validNew()
	in.Requester.Relationship = cases.RelationshipRepresentative
	in.Requester.DataSubject = &cases.Person{Name: "Sam (aged 11)"}
	in.Requester.Authority = "parent with parental responsibility"
	mustCreate(t, in, envOn("2026-02-02"))
}

// transitionCommands exercises every lifecycle command from every state.
func TestStateMachine(t *testing.T) {
	commands := map[string]cases.Command{
		"assign":   cases.Assign{Assignee: "bob"},
		"identity": cases.RequestFromRequester{What: cases.WaitingForIdentity},
		"clarify":  cases.RequestFromRequester{What: cases.WaitingForClarification},
		"fee":      cases.RequestFromRequester{What: cases.WaitingForFee, Detail: "copies"},
		"respond":  cases.RecordResponse{},
		"extend":   cases.Extend{Reason: "complex"},
		"close":    cases.Close{Outcome: cases.OutcomeFulfilled, ActionTaken: "Erased."},
		"reopen":   cases.Reopen{Reason: "new information"},
		"note":     cases.AddNote{Text: "called the requester"},
	}
	// want: the state after the command, or "" when it must be refused.
	want := map[cases.State]map[string]cases.State{
		cases.StateNew: {"assign": cases.StateInProgress, "identity": cases.StateAwaitingRequester, "clarify": cases.StateAwaitingRequester,
			"fee": cases.StateAwaitingRequester, "respond": "", "extend": cases.StateNew, "close": cases.StateClosed, "reopen": "", "note": cases.StateNew},
		cases.StateInProgress: {"assign": cases.StateInProgress, "identity": cases.StateAwaitingRequester, "clarify": cases.StateAwaitingRequester,
			"fee": cases.StateAwaitingRequester, "respond": "", "extend": cases.StateInProgress, "close": cases.StateClosed, "reopen": "", "note": cases.StateInProgress},
		cases.StateAwaitingRequester: {"assign": cases.StateAwaitingRequester, "identity": "", "clarify": "", "fee": "",
			"respond": cases.StateInProgress, "extend": "", "close": cases.StateClosed, "reopen": "", "note": cases.StateAwaitingRequester},
		cases.StateClosed: {"assign": "", "identity": "", "clarify": "", "fee": "", "respond": "", "extend": "",
			"close": "", "reopen": cases.StateInProgress, "note": cases.StateClosed},
	}
	for from, row := range want {
		for name, to := range row {
			t.Run(string(from)+"/"+name, func(t *testing.T) {
				env := envOn("2026-02-02")
				c := caseIn(t, from, env)
				version := c.Version
				_, err := cases.Apply(c, commands[name], env)
				if to == "" {
					var fp *fault.FailedPrecondition
					if !errors.As(err, &fp) {
						t.Fatalf("%s from %s: got %v, want FAILED_PRECONDITION", name, from, err)
					}
					return
				}
				if err != nil {
					t.Fatalf("%s from %s: %v", name, from, err)
				}
				if c.State != to || c.Version != version+1 {
					t.Errorf("%s from %s: state %s version %d, want %s version %d", name, from, c.State, c.Version, to, version+1)
				}
			})
		}
	}
}

func TestIllegalTransitionNamesTheAllowedStates(t *testing.T) {
	env := envOn("2026-02-02")
	c := caseIn(t, cases.StateClosed, env)
	_, err := cases.Apply(c, cases.RequestFromRequester{What: cases.WaitingForIdentity}, env)
	var fp *fault.FailedPrecondition
	if !errors.As(err, &fp) || !slices.Equal(fp.Allowed, []string{"IN_PROGRESS"}) || !strings.Contains(err.Error(), "CLOSED") {
		t.Fatalf("got %v, want a refusal naming CLOSED and allowing IN_PROGRESS", err)
	}
}

// caseIn returns a case received 2026-01-31 brought into the given state.
func caseIn(t *testing.T, s cases.State, env cases.Env) *cases.Case {
	t.Helper()
	c := mustCreate(t, validNew(), env)
	steps := map[cases.State][]cases.Command{
		cases.StateInProgress:        {cases.Assign{Assignee: "alice"}},
		cases.StateAwaitingRequester: {cases.RequestFromRequester{What: cases.WaitingForIdentity}},
		cases.StateClosed:            {cases.Close{Outcome: cases.OutcomeFulfilled, ActionTaken: "Erased."}},
	}[s]
	for _, cmd := range steps {
		if _, err := cases.Apply(c, cmd, env); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// A whole lifecycle with the due date checked at each step.
func TestLifecycleMovesTheClockCorrectly(t *testing.T) {
	in := validNew()
	in.ReceivedOn = "2026-03-02"
	c := mustCreate(t, in, envOn("2026-03-02"))
	steps := []struct {
		on      string
		cmd     cases.Command
		wantDue string
		why     string
	}{
		{"2026-03-02", cases.Assign{Assignee: "alice"}, "2026-04-02", "received Mon 2 Mar: due Thu 2 Apr"},
		{"2026-03-04", cases.RequestFromRequester{What: cases.WaitingForClarification, On: "2026-03-04"}, "2026-04-02", "paused: due not yet moved"},
		{"2026-03-10", cases.RecordResponse{On: "2026-03-10"}, "2026-04-09", "4–10 Mar paused (7 days): 2 Apr + 7 = Thu 9 Apr (reference worked example)"},
		{"2026-03-11", cases.RequestFromRequester{What: cases.WaitingForIdentity, On: "2026-03-11"}, "2026-04-09", "identity asked: clock waits"},
		{"2026-03-16", cases.RecordResponse{On: "2026-03-16"}, "2026-04-16", "identity Mon 16 Mar restarts the clock; the earlier pause predates the new start and no longer counts: Thu 16 Apr"},
		{"2026-03-20", cases.Extend{Reason: "numerous requests"}, "2026-06-16", "extended two months from the 16 Mar start: Tue 16 Jun"},
		{"2026-03-20", cases.CompleteTask{TaskID: "t3", State: cases.TaskDone}, "2026-06-16", "the requester told of the extension"},
		{"2026-06-01", cases.Close{Outcome: cases.OutcomeFulfilled, ActionTaken: "Erased."}, "2026-06-16", "closed on time"},
	}
	for _, s := range steps {
		if _, err := cases.Apply(c, s.cmd, envOn(s.on)); err != nil {
			t.Fatalf("%s: %v", s.why, err)
		}
		if c.Clock.Due != s.wantDue {
			t.Fatalf("%s: due %s, want %s\n%v", s.why, c.Clock.Due, s.wantDue, c.Clock.Steps)
		}
	}
	if c.Outcome == nil || !c.Outcome.OnTime || c.Clock.Steps[len(c.Clock.Steps)-1].Date != c.Clock.Due {
		t.Errorf("outcome %+v; the explanation should end on the due date", c.Outcome)
	}
	if n := len(c.Tasks); c.Tasks[n-1].Kind != cases.TaskExtensionNotice || c.Tasks[n-1].Due != c.Clock.ExtensionNoticeBy {
		t.Errorf("extension notice task = %+v, want one due by %s", c.Tasks[n-1], c.Clock.ExtensionNoticeBy)
	}
}

func TestPausedClockSaysSo(t *testing.T) {
	env := envOn("2026-02-02")
	c := mustCreate(t, validNew(), env)
	if _, err := cases.Apply(c, cases.RequestFromRequester{What: cases.WaitingForClarification}, env); err != nil {
		t.Fatal(err)
	}
	last := c.Clock.Steps[len(c.Clock.Steps)-1].Text
	if !c.Clock.Paused || c.Clock.PausedSince != "2026-02-02" || !strings.Contains(last, "paused") {
		t.Errorf("clock %+v, last step %q", c.Clock, last)
	}
}

func TestCommandValidation(t *testing.T) {
	tests := []struct {
		name  string
		setup []cases.Command
		cmd   cases.Command
		field string // "" means a failed precondition
	}{
		{"extend without reason", nil, cases.Extend{Reason: " "}, "reason"},
		{"extend twice", []cases.Command{cases.Extend{Reason: "complex", On: "2026-02-20"}}, cases.Extend{Reason: "again", On: "2026-02-21"}, ""},
		{"extend after the first period", nil, cases.Extend{Reason: "late", On: "2026-03-03"}, ""},
		{"action dated in the future", nil, cases.Assign{}, ""},
		{"close refused without reason", nil, cases.Close{Outcome: cases.OutcomeRefused}, "refusal_reason"},
		{"close fulfilled with a refusal reason", nil, cases.Close{Outcome: cases.OutcomeFulfilled, RefusalReason: "other"}, "refusal_reason"},
		{"close with unknown outcome", nil, cases.Close{Outcome: "vanished"}, "outcome"},
		{"close dated before receipt", nil, cases.Close{Outcome: cases.OutcomeFulfilled, On: "2026-01-30"}, "on"},
		{"close dated in the future", nil, cases.Close{Outcome: cases.OutcomeFulfilled, On: "2026-03-10"}, "on"},
		{"empty note", nil, cases.AddNote{Text: "  "}, "text"},
		{"reopen without reason", []cases.Command{cases.Close{Outcome: cases.OutcomeWithdrawn}}, cases.Reopen{}, "reason"},
		{"unknown task", nil, cases.CompleteTask{TaskID: "t9", State: cases.TaskDone}, "task_id"},
		{"impossible without reason", nil, cases.CompleteTask{TaskID: "t1", State: cases.TaskImpossible}, "resolution"},
		{"task done twice", []cases.Command{cases.CompleteTask{TaskID: "t1", State: cases.TaskDone}}, cases.CompleteTask{TaskID: "t1", State: cases.TaskDone}, ""},
		{"answer before the question", []cases.Command{cases.RequestFromRequester{What: cases.WaitingForClarification, On: "2026-02-10"}}, cases.RecordResponse{On: "2026-02-05"}, "on"},
		{"update nothing", nil, cases.Update{}, "update_mask"},
		{"update the state", nil, cases.Update{Paths: []string{"state"}}, "update_mask"},
		{"update to a bad requester", nil, cases.Update{Paths: []string{"requester"}}, "case.requester.person.name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := envOn("2026-03-05")
			c := mustCreate(t, validNew(), envOn("2026-02-02"))
			for _, cmd := range tt.setup {
				if _, err := cases.Apply(c, cmd, env); err != nil {
					t.Fatal(err)
				}
			}
			if tt.name == "action dated in the future" {
				c.State = cases.StateClosed // stands in for any refused precondition
			}
			before := *c
			_, err := cases.Apply(c, tt.cmd, env)
			if tt.field == "" {
				var fp *fault.FailedPrecondition
				if !errors.As(err, &fp) {
					t.Fatalf("got %v, want FAILED_PRECONDITION", err)
				}
			} else {
				assertInvalid(t, err, tt.field)
			}
			if c.Version != before.Version {
				t.Errorf("a refused command bumped the version")
			}
		})
	}
}

func TestUpdateReceivedOnRecomputesTheClock(t *testing.T) {
	env := envOn("2026-02-02")
	c := mustCreate(t, validNew(), env)
	change, err := cases.Apply(c, cases.Update{Paths: []string{"received_on", "region"}, From: cases.Case{ReceivedOn: "2026-01-16", Region: deadline.Scotland, RegionReason: "handled by the Edinburgh office"}}, env)
	if err != nil {
		t.Fatal(err)
	}
	if c.Clock.Due != "2026-02-16" || change.Before["due"] != "2026-03-02" || change.After["due"] != "2026-02-16" || change.After["region"] != "scotland" {
		t.Errorf("due %s, change %+v", c.Clock.Due, change)
	}
}

func TestChangeHoldsOnlyWhatChangedAndNoPersonalData(t *testing.T) {
	env := envOn("2026-02-02")
	c := mustCreate(t, validNew(), env)
	change, err := cases.Apply(c, cases.AddNote{Text: "Ada phoned about her request"}, env)
	if err != nil {
		t.Fatal(err)
	}
	if len(change.Before) != 1 || change.Before["notes"] != "0" || change.After["notes"] != "1" {
		t.Errorf("note change = %+v, want only the note count", change)
	}
	if change.Personal["note"] != "Ada phoned about her request" {
		t.Errorf("the note text belongs in the personal payload: %+v", change.Personal)
	}
	assertNoPersonalData(t, change)
}

func TestReferences(t *testing.T) {
	for in, want := range map[string]string{
		"rd-7k3m-q9xp":   "RD-7K3M-Q9XP",
		" RD 7K3M Q9XP ": "RD-7K3M-Q9XP",
		"RD7K3MQ9XP":     "RD-7K3M-Q9XP",
		"nonsense":       "NONSENSE",
	} {
		if got := cases.NormaliseReference(in); got != want {
			t.Errorf("NormaliseReference(%q) = %q, want %q", in, got, want)
		}
	}
	random := rand.NewChaCha8([32]byte{7})
	seen := map[string]bool{}
	for range 2000 {
		ref, err := cases.NewReference(random)
		if err != nil || strings.ContainsAny(ref[3:], "01ILOUV") || len(ref) != 12 {
			t.Fatalf("reference %q (%v) uses an ambiguous character or the wrong shape", ref, err)
		}
		seen[ref] = true
	}
	if len(seen) < 1999 {
		t.Errorf("only %d distinct references in 2000", len(seen))
	}
}

func assertInvalid(t *testing.T, err error, field string) {
	t.Helper()
	var inv *fault.InvalidArgument
	if !errors.As(err, &inv) {
		t.Fatalf("got %v, want INVALID_ARGUMENT on %s", err, field)
	}
	for _, v := range inv.Violations {
		if v.Field == field {
			return
		}
	}
	t.Fatalf("violations %+v do not name %s", inv.Violations, field)
}

func assertNoPersonalData(t *testing.T, ch cases.Change) {
	t.Helper()
	for _, m := range []map[string]string{ch.Before, ch.After} {
		for k, v := range m {
			if strings.Contains(v, "Ada") || strings.Contains(v, "@") || strings.Contains(v, "phoned") {
				t.Errorf("audit field %s=%q carries personal data", k, v)
			}
		}
	}
}

// A case is checked against the notice version the requester read: a
// context dropped in a later version is still valid for a request received
// before that version took effect, and a new context is not valid earlier.
func TestContextIsCheckedAgainstTheVersionInForceAtReceipt(t *testing.T) {
	n := testNotice()
	v2 := n.Versions[0]
	v2.Number, v2.EffectiveFrom = 2, "2026-02-01"
	v2.Contexts = []notice.Context{{ID: "apprentices", Name: "apprentice records", Basis: notice.BasisContract, Automated: true}}
	n.Versions = append(n.Versions, v2)
	env := envWith("2026-03-02", n)
	for _, tc := range []struct {
		context, received string
		wantVersion       int
		ok                bool
	}{
		{"staff", "2026-01-31", 1, true},
		{"apprentices", "2026-02-01", 2, true},
		{"staff", "2026-02-01", 0, false},
		{"apprentices", "2026-01-31", 0, false},
	} {
		in := validNew()
		in.Notices[0].Context, in.ReceivedOn = tc.context, tc.received
		created, err := cases.Create(in, env)
		if !tc.ok {
			var inv *fault.InvalidArgument
			if !errors.As(err, &inv) || !strings.Contains(err.Error(), "case.notices[0].context") {
				t.Errorf("%s received %s: %v, want a case.notices[0].context violation", tc.context, tc.received, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s received %s: %v", tc.context, tc.received, err)
		}
		if got := created.Case.Notices[0].Version; got != tc.wantVersion {
			t.Errorf("%s received %s: pinned version %d, want %d", tc.context, tc.received, got, tc.wantVersion)
		}
	}
}
