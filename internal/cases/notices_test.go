package cases_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// newsletterNotice relies on consent, declares only access and shares
// with a mailing house and with the payroll processor testNotice names too.
// Its second version, from 1 February 2026, adds a recipient.
func newsletterNotice() *notice.Notice {
	v1 := notice.Version{
		Number: 1, EffectiveFrom: "2024-01-01", Title: "Newsletter",
		Contexts:   []notice.Context{{ID: "newsletter", Name: "the newsletter", Basis: notice.BasisConsent}},
		Recipients: []notice.Recipient{{Name: "Mailer Ltd", Kind: "processor"}, {Name: "Payroll Ltd", Kind: "processor"}},
		Rights:     []notice.DeclaredRight{{Right: notice.RightAccess}},
	}
	v2 := v1
	v2.Number, v2.EffectiveFrom = 2, "2026-02-01"
	v2.Recipients = append(slices.Clone(v1.Recipients), notice.Recipient{Name: "Survey Co", Kind: "processor"})
	return &notice.Notice{ID: "newsletter", Versions: []notice.Version{v1, v2}}
}

func bothNoticesEnv(day string) cases.Env { return envWith(day, testNotice(), newsletterNotice()) }

func recipients(c *cases.Case) []string {
	var out []string
	for _, t := range c.Tasks {
		if t.Kind == cases.TaskArticle19 {
			out = append(out, t.Recipient+":"+string(t.State))
		}
	}
	return out
}

func TestACaseNamesSeveralNoticesEachEvaluated(t *testing.T) {
	in := validNew()
	in.Notices = []cases.NoticeRef{{ID: "test-notice"}, {ID: "newsletter", Context: "newsletter"}}
	c := mustCreate(t, in, bothNoticesEnv("2026-02-02"))

	if len(c.Notices) != 2 || c.Notices[0].Version != 1 || c.Notices[1].Version != 1 || c.Notices[1].Context != "newsletter" {
		t.Fatalf("notices = %+v, want both pinned to version 1 (in force on 31 January)", c.Notices)
	}
	erasure := c.Rights[0]
	if len(erasure.PerNotice) != 2 || erasure.PerNotice[0].NoticeID != "test-notice" || erasure.PerNotice[0].Availability != notice.Declared ||
		erasure.PerNotice[1].NoticeID != "newsletter" || erasure.PerNotice[1].Availability == notice.Declared {
		t.Errorf("per-notice evaluation = %+v", erasure.PerNotice)
	}
	if erasure.Availability != notice.Declared {
		t.Errorf("the case says %s; the most favourable answer is the one notice that declares erasure", erasure.Availability)
	}
	// Payroll Ltd is named by both notices but is told once.
	if got, want := recipients(c), []string{"Payroll Ltd:open", "Survey Co:open", "Mailer Ltd:open"}; !slices.Equal(got, want) {
		t.Errorf("Art 19 tasks %v, want %v", got, want)
	}
}

func TestAnEverythingRequestNamesNoNoticeUntilTriage(t *testing.T) {
	in := validNew()
	in.Notices = nil
	env := bothNoticesEnv("2026-02-02")
	c := mustCreate(t, in, env)
	if len(c.Notices) != 0 || c.Clock.Due != "2026-03-02" || len(c.Tasks) != 0 {
		t.Fatalf("notices %v, due %s, tasks %v: want none named, the clock running and no tasks yet", c.Notices, c.Clock.Due, c.Tasks)
	}
	if r := c.Rights[0]; r.Availability != "" || !strings.Contains(r.Reason, "No privacy notice is named yet") {
		t.Errorf("right before triage = %+v, want it unassessed", r)
	}

	// Triage finds two notices: both are evaluated and their recipients told.
	change, err := cases.Apply(c, cases.Update{Paths: []string{"notices"}, From: cases.Case{Notices: []cases.CaseNotice{
		{NoticeRef: cases.NoticeRef{ID: "test-notice", Context: "staff"}}, {NoticeRef: cases.NoticeRef{ID: "newsletter"}},
	}}}, env)
	if err != nil {
		t.Fatal(err)
	}
	if change.Before["notices"] != "none named" || change.After["notices"] != "test-notice v1 (staff), newsletter v1" {
		t.Errorf("audit notices %q -> %q", change.Before["notices"], change.After["notices"])
	}
	if r := c.Rights[0]; r.Availability != notice.Declared || len(r.PerNotice) != 2 {
		t.Errorf("right after triage = %+v", r)
	}
	if got, want := taskIDs(c), []string{"t1 Payroll Ltd:open", "t2 Mailer Ltd:open"}; !slices.Equal(got, want) {
		t.Errorf("tasks after triage %v, want %v", got, want)
	}

	// Payroll Ltd is told; then the newsletter proves irrelevant and the
	// test notice too: the done task stays as a record, the open one goes.
	if _, err := cases.Apply(c, cases.CompleteTask{TaskID: "t1", State: cases.TaskDone}, env); err != nil {
		t.Fatal(err)
	}
	if _, err := cases.Apply(c, cases.Update{Paths: []string{"notices"}, From: cases.Case{}}, env); err != nil {
		t.Fatal(err)
	}
	if got, want := taskIDs(c), []string{"t1 Payroll Ltd:done"}; !slices.Equal(got, want) {
		t.Errorf("tasks with no notice %v, want %v", got, want)
	}
	// Adding the newsletter back gives a new task with a new id.
	if _, err := cases.Apply(c, cases.Update{Paths: []string{"notices"}, From: cases.Case{Notices: []cases.CaseNotice{{NoticeRef: cases.NoticeRef{ID: "newsletter"}}}}}, env); err != nil {
		t.Fatal(err)
	}
	if got, want := taskIDs(c), []string{"t1 Payroll Ltd:done", "t2 Mailer Ltd:open"}; !slices.Equal(got, want) {
		t.Errorf("tasks %v, want %v", got, want)
	}
}

func taskIDs(c *cases.Case) []string {
	var out []string
	for _, t := range c.Tasks {
		out = append(out, t.ID+" "+t.Recipient+":"+string(t.State))
	}
	return out
}

func TestChangingTheRightsEvaluatesThemUnderEveryNotice(t *testing.T) {
	in := validNew()
	in.Rights = []notice.Right{notice.RightAccess}
	in.Notices = []cases.NoticeRef{{ID: "test-notice"}, {ID: "newsletter"}}
	env := bothNoticesEnv("2026-02-02")
	c := mustCreate(t, in, env)
	if len(c.Tasks) != 0 {
		t.Fatalf("an access request has Art 19 tasks: %v", c.Tasks)
	}
	change, err := cases.Apply(c, cases.Update{Paths: []string{"rights"}, From: cases.Case{Rights: []cases.RequestedRight{{Right: notice.RightAccess}, {Right: notice.RightErasure}}}}, env)
	if err != nil {
		t.Fatal(err)
	}
	if change.After["rights"] != "access,erasure" || len(c.Rights) != 2 || len(c.Rights[1].PerNotice) != 2 || len(c.Tasks) != 3 {
		t.Errorf("after adding erasure: audit %v, rights %+v, tasks %v", change.After, c.Rights, taskIDs(c))
	}
	_, err = cases.Apply(c, cases.Update{Paths: []string{"rights"}, From: cases.Case{Rights: []cases.RequestedRight{{Right: "nonsense"}}}}, env)
	assertField(t, err, "case.rights[0]")
}

func TestNoticesArePinnedToTheVersionInForceWhenReceived(t *testing.T) {
	in := validNew()
	in.Notices = []cases.NoticeRef{{ID: "newsletter"}}
	env := bothNoticesEnv("2026-02-20")
	c := mustCreate(t, in, env) // received 31 January, under version 1
	if c.Notices[0].Version != 1 || len(c.Tasks) != 2 {
		t.Fatalf("notices %+v tasks %v", c.Notices, taskIDs(c))
	}
	// The date of receipt was wrong: the request came in after version 2.
	if _, err := cases.Apply(c, cases.Update{Paths: []string{"received_on"}, From: cases.Case{ReceivedOn: "2026-02-10"}}, env); err != nil {
		t.Fatal(err)
	}
	if c.Notices[0].Version != 2 || len(c.Tasks) != 3 {
		t.Errorf("after correcting receipt: notices %+v, tasks %v; want version 2 and its new recipient told", c.Notices, taskIDs(c))
	}
}

func TestBadNoticeRefsAreEachNamed(t *testing.T) {
	in := validNew()
	in.Notices = []cases.NoticeRef{{ID: "test-notice"}, {ID: "nope"}, {ID: "test-notice"}, {ID: "newsletter", Context: "nope", Audience: "nope"}}
	_, err := cases.Create(in, bothNoticesEnv("2026-02-02"))
	var inv *fault.InvalidArgument
	if !errors.As(err, &inv) {
		t.Fatalf("got %v", err)
	}
	var fields []string
	for _, v := range inv.Violations {
		fields = append(fields, v.Field)
	}
	want := []string{"case.notices[1].id", "case.notices[2].id", "case.notices[3].context", "case.notices[3].audience"}
	if !slices.Equal(fields, want) {
		t.Errorf("fields %v, want %v", fields, want)
	}

	in.Notices = make([]cases.NoticeRef, cases.MaxNotices+1)
	_, err = cases.Create(in, bothNoticesEnv("2026-02-02"))
	assertField(t, err, "case.notices")
}

func assertField(t *testing.T, err error, field string) {
	t.Helper()
	var inv *fault.InvalidArgument
	if !errors.As(err, &inv) || !slices.ContainsFunc(inv.Violations, func(v fault.FieldViolation) bool { return v.Field == field }) {
		t.Errorf("got %v, want a violation of %s", err, field)
	}
}

func TestChangingTheRegionNeedsAReason(t *testing.T) {
	in := validNew()
	in.ReceivedOn, in.Region = "2026-10-30", deadline.EnglandAndWales
	env := envOn("2026-11-02")
	c := mustCreate(t, in, env)
	if c.Clock.Due != "2026-11-30" {
		t.Fatalf("due %s, want Monday 30 November in England", c.Clock.Due)
	}
	_, err := cases.Apply(c, cases.Update{Paths: []string{"region"}, From: cases.Case{Region: deadline.Scotland}}, env)
	assertField(t, err, "case.region_reason")
	if c.Region != deadline.EnglandAndWales {
		t.Fatalf("a refused change moved the region to %s", c.Region)
	}
	change, err := cases.Apply(c, cases.Update{Paths: []string{"region"}, From: cases.Case{Region: deadline.Scotland, RegionReason: "handled by the Glasgow office"}}, env)
	if err != nil {
		t.Fatal(err)
	}
	// St Andrew's Day is a bank holiday in Scotland only.
	if c.Clock.Due != "2026-12-01" || c.RegionReason != "handled by the Glasgow office" || change.After["region_reason"] == "" {
		t.Errorf("due %s, reason %q, audit %v", c.Clock.Due, c.RegionReason, change.After)
	}
}

func TestStatedDatesAreCheckedAndAudited(t *testing.T) {
	env := envOn("2026-02-04") // Wednesday
	c := mustCreate(t, validNew(), env)
	change, err := cases.Apply(c, cases.Assign{Assignee: "alice", On: "2026-02-02"}, env)
	if err != nil {
		t.Fatal(err)
	}
	if change.After["on"] != "2026-02-02" {
		t.Errorf("audit after %v lacks the stated date", change.After)
	}
	change, err = cases.Apply(c, cases.AddNote{Text: "Phoned the requester."}, env)
	if err != nil || change.After["on"] != "2026-02-04" || c.Notes[0].On != "2026-02-04" {
		t.Errorf("undated note: %v, audit %v, note %+v; want today", err, change.After, c.Notes)
	}
	for _, on := range []string{"2026-02-05", "2026-01-30", "4 Feb"} {
		for _, cmd := range []cases.Command{
			cases.AddNote{Text: "x", On: on}, cases.Assign{Assignee: "bob", On: on},
			cases.RecordNotSearched{Source: "HR", Reason: "none", On: on},
		} {
			if _, err := cases.Apply(c, cmd, env); err == nil {
				t.Errorf("%T dated %s was accepted (received 31 January, today 4 February)", cmd, on)
			} else {
				assertField(t, err, "on")
			}
		}
	}
}

func TestNotesAndSearchRecordsNeverConflict(t *testing.T) {
	for _, tc := range []struct {
		cmd  cases.Command
		want bool
	}{
		{cases.AddNote{}, false}, {cases.RecordSearch{}, false}, {cases.RecordNotSearched{}, false},
		{cases.Assign{}, true}, {cases.Update{}, true}, {cases.Close{}, true}, {cases.MergeInto{}, true},
	} {
		if got := cases.Conditional(tc.cmd); got != tc.want {
			t.Errorf("Conditional(%T) = %v, want %v", tc.cmd, got, tc.want)
		}
	}
}

func TestExchangesKeepWhatWasAskedAndAnswered(t *testing.T) {
	env := envOn("2026-02-04")
	c := mustCreate(t, validNew(), env)
	for _, cmd := range []cases.Command{
		cases.RequestFromRequester{What: cases.WaitingForIdentity, On: "2026-02-02", Detail: "Please send a copy of a utility bill."},
		cases.RecordResponse{On: "2026-02-03", Detail: "Bill dated January received."},
	} {
		if _, err := cases.Apply(c, cmd, env); err != nil {
			t.Fatal(err)
		}
	}
	want := []cases.Exchange{
		{Kind: cases.ExchangeAsked, What: cases.WaitingForIdentity, On: "2026-02-02", Detail: "Please send a copy of a utility bill.", By: "token:alice"},
		{Kind: cases.ExchangeReplied, What: cases.WaitingForIdentity, On: "2026-02-03", Detail: "Bill dated January received.", By: "token:alice"},
	}
	if !reflect.DeepEqual(c.Exchanges, want) {
		t.Errorf("exchanges = %+v", c.Exchanges)
	}
}

func TestMergeClosesAsADuplicateAndLinks(t *testing.T) {
	env := envOn("2026-02-04")
	c := mustCreate(t, validNew(), env)
	change, err := cases.Apply(c, cases.MergeInto{Into: "01OTHER"}, env)
	if err != nil {
		t.Fatal(err)
	}
	if c.State != cases.StateClosed || c.Outcome.Kind != cases.OutcomeDuplicate || c.Outcome.DuplicateOf != "01OTHER" ||
		!slices.Equal(c.Links, []string{"01OTHER"}) || change.After["duplicate_of"] != "01OTHER" {
		t.Errorf("merged case: state %s outcome %+v links %v audit %v", c.State, c.Outcome, c.Links, change.After)
	}
	if _, err := cases.Apply(c, cases.Close{Outcome: cases.OutcomeDuplicate}, env); err == nil {
		t.Error("Close accepted the duplicate outcome, which only a merge sets")
	}
	d := mustCreate(t, validNew(), env)
	if _, err := cases.Apply(d, cases.Link{Other: d.ID}, env); err == nil {
		t.Error("a case was linked to itself")
	}
	for range 2 { // linking twice is linking once
		if _, err := cases.Apply(d, cases.Link{Other: "01OTHER"}, env); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(d.Links, []string{"01OTHER"}) {
		t.Errorf("links %v", d.Links)
	}
}

func TestACaseStoredWithOneNoticeStillReads(t *testing.T) {
	stored := `{"id":"01J0000000000000000000000A","reference":"RD-ABCD-EFGH","notice_id":"it-service-desk","notice_version":2,
		"context":"employment","audience":"staff","rights":[{"right":"access","availability":"declared","reason":"declared"}],
		"requester":{"person":{"name":"A"},"relationship":"self"},"channel":"web","region":"england-and-wales",
		"received_on":"2026-02-02","state":"new","version":3}`
	var c cases.Case
	if err := json.Unmarshal([]byte(stored), &c); err != nil {
		t.Fatal(err)
	}
	want := []cases.CaseNotice{{NoticeRef: cases.NoticeRef{ID: "it-service-desk", Context: "employment", Audience: "staff"}, Version: 2}}
	if !slices.Equal(c.Notices, want) || c.Version != 3 || c.Reference != "RD-ABCD-EFGH" {
		t.Errorf("notices %+v version %d reference %s", c.Notices, c.Version, c.Reference)
	}
	if pn := c.Rights[0].PerNotice; len(pn) != 1 || pn[0].NoticeID != "it-service-desk" || pn[0].Availability != notice.Declared {
		t.Errorf("per-notice evaluation %+v", pn)
	}
	// Written again, it is in the new shape and reads back the same.
	raw, err := json.Marshal(&c)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), `"notice_version"`) {
		t.Errorf("rewritten case is still in the single-notice shape: %s", raw)
	}
	var again cases.Case
	if err := json.Unmarshal(raw, &again); err != nil || !slices.Equal(again.Notices, want) {
		t.Errorf("round trip: %v, %+v", err, again.Notices)
	}
}
