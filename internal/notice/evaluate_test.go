package notice_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/notice/catalogue"
)

func builtin(t *testing.T, id string) *notice.Version {
	t.Helper()
	notices, err := catalogue.Builtin()
	if err != nil {
		t.Fatalf("catalogue.Builtin: %v", err)
	}
	for i := range notices {
		if notices[i].ID == id {
			return notices[i].Current()
		}
	}
	t.Fatalf("no built-in notice %q", id)
	return nil
}

// matrixRow is the expected answer for every right, in notice.Rights order:
// access, rectification, erasure, restriction, objection, objection to
// direct marketing, withdraw consent, portability, automated decision review.
type matrixRow struct {
	context string // "" = the whole notice
	want    [9]notice.Availability
}

// TestEvaluationMatrix pins the answer for every built-in notice, every one
// of its contexts and the whole notice, for all nine rights.
func TestEvaluationMatrix(t *testing.T) {
	const (
		D = notice.Declared
		C = notice.DeclaredConditionally
		S = notice.StatutoryNotDeclared
		N = notice.NotApplicable
	)
	matrix := map[string][]matrixRow{
		"a-modern-civil-service": {
			{"", [9]notice.Availability{D, D, C, C, D, S, C, S, N}},
			{"communications", [9]notice.Availability{D, D, C, C, D, S, N, N, N}},
			{"images-audio-video", [9]notice.Availability{D, D, C, C, D, S, D, S, N}},
		},
		"communities-of-practice": {
			{"", [9]notice.Availability{D, D, D, C, D, S, C, C, N}},
			{"community-management", [9]notice.Availability{D, D, D, C, D, S, N, N, N}},
			{"event-recordings", [9]notice.Availability{D, D, D, C, D, S, D, D, N}},
			{"non-public-sector-members", [9]notice.Availability{D, D, D, C, D, S, D, D, N}},
		},
		"gpg-csep-hub": {
			{"", [9]notice.Availability{D, D, D, C, D, D, C, S, N}},
			{"platform", [9]notice.Availability{D, D, D, C, D, D, N, N, N}},
			{"voluntary-profile", [9]notice.Availability{D, D, D, C, D, D, D, S, N}},
		},
		"it-service-desk": {
			{"", [9]notice.Availability{D, D, D, C, N, D, C, C, N}},
			{"satisfaction-surveys", [9]notice.Availability{D, D, D, C, N, D, D, D, N}},
			{"employment", [9]notice.Availability{D, D, D, C, N, D, N, S, N}},
		},
		"nlc-network-members": {
			{"", [9]notice.Availability{D, D, D, C, D, D, N, N, N}},
			{"network", [9]notice.Availability{D, D, D, C, D, D, N, N, N}},
			{"diversity-monitoring", [9]notice.Availability{D, D, D, C, D, D, N, N, N}},
			{"reasonable-adjustments", [9]notice.Availability{D, D, D, C, D, D, N, N, N}},
		},
	}
	for id, rows := range matrix {
		v := builtin(t, id)
		requireEveryContext(t, id, v, rows)
		for _, row := range rows {
			t.Run(id+"/"+orWhole(row.context), func(t *testing.T) {
				checkRow(t, v, row)
			})
		}
	}
}

// requireEveryContext keeps the matrix complete when a context is added.
func requireEveryContext(t *testing.T, id string, v *notice.Version, rows []matrixRow) {
	t.Helper()
	listed := map[string]bool{}
	for _, r := range rows {
		listed[r.context] = true
	}
	if !listed[""] {
		t.Errorf("%s: the matrix has no whole-notice row", id)
	}
	for _, c := range v.Contexts {
		if !listed[c.ID] {
			t.Errorf("%s: the matrix has no row for context %q", id, c.ID)
		}
	}
}

func checkRow(t *testing.T, v *notice.Version, row matrixRow) {
	t.Helper()
	got, err := notice.Evaluate(v, row.context)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(notice.Rights) {
		t.Fatalf("Evaluate answered %d rights, want %d", len(got), len(notice.Rights))
	}
	for i, e := range got {
		if e.Right != notice.Rights[i] {
			t.Errorf("answer %d is for %s, want %s (notice.Rights order)", i, e.Right, notice.Rights[i])
		}
		if e.Availability != row.want[i] {
			t.Errorf("%s = %s, want %s (reason: %s)", e.Right, e.Availability, row.want[i], e.Reason)
		}
		checkShape(t, e)
	}
}

// checkShape holds the invariants every answer keeps: a reason to read out,
// a condition exactly when the answer is conditional, and the declaration
// exactly when the notice declares the right.
func checkShape(t *testing.T, e notice.Evaluation) {
	t.Helper()
	if e.Reason == "" {
		t.Errorf("%s: empty reason", e.Right)
	}
	if conditional := e.Availability == notice.DeclaredConditionally; conditional != (e.Condition != "") {
		t.Errorf("%s: %s with condition %q", e.Right, e.Availability, e.Condition)
	}
	declared := e.Availability == notice.Declared || e.Availability == notice.DeclaredConditionally
	if declared != (e.Declaration != nil) {
		t.Errorf("%s: %s with declaration %+v", e.Right, e.Availability, e.Declaration)
	}
}

func orWhole(context string) string {
	if context == "" {
		return "whole-notice"
	}
	return context
}

// TestKeyEvaluations checks the reasons, conditions and channels a
// caseworker relies on, including the acceptance cases.
func TestKeyEvaluations(t *testing.T) {
	tests := []struct {
		notice, context string
		right           notice.Right
		want            notice.Availability
		conditionHas    []string
		reasonHas       []string
		channel         notice.ChannelKind // "" = do not check
		channelAddress  string
	}{
		// Acceptance: IT Service Desk scopes withdrawal and portability to surveys.
		{notice: "it-service-desk", right: notice.RightWithdrawConsent, want: notice.DeclaredConditionally,
			conditionHas: []string{"satisfaction surveys"}},
		{notice: "it-service-desk", right: notice.RightPortability, want: notice.DeclaredConditionally,
			conditionHas: []string{"satisfaction surveys"}},
		{notice: "it-service-desk", context: "satisfaction-surveys", right: notice.RightWithdrawConsent, want: notice.Declared,
			reasonHas: []string{"for this processing"}},
		{notice: "it-service-desk", context: "satisfaction-surveys", right: notice.RightPortability, want: notice.Declared,
			reasonHas: []string{"for this processing"}},
		{notice: "it-service-desk", context: "employment", right: notice.RightObjection, want: notice.NotApplicable,
			reasonHas: []string{"does not mention", "Article 21(1)", "contract"}},
		{notice: "it-service-desk", context: "employment", right: notice.RightPortability, want: notice.StatutoryNotDeclared,
			reasonHas: []string{"only in relation to satisfaction surveys", "not for IT requests, accounts and assets", "contract", "automated means"}},
		{notice: "it-service-desk", context: "employment", right: notice.RightWithdrawConsent, want: notice.NotApplicable,
			reasonHas: []string{"only in relation to satisfaction surveys", "relies on contract"}},
		{notice: "it-service-desk", right: notice.RightObjection, want: notice.NotApplicable,
			reasonHas: []string{"withdraw consent instead", "relies on contract"}},
		// Acceptance: portability never applies under public task.
		{notice: "nlc-network-members", right: notice.RightPortability, want: notice.NotApplicable,
			reasonHas: []string{"Article 20", "public task"}},
		// Acceptance: A Modern Civil Service withdrawal is for images only, by email.
		{notice: "a-modern-civil-service", context: "images-audio-video", right: notice.RightWithdrawConsent, want: notice.Declared,
			reasonHas: []string{"amoderncivilservice@cabinetoffice.gov.uk"},
			channel:   notice.ChannelEmail, channelAddress: "amoderncivilservice@cabinetoffice.gov.uk"},
		{notice: "a-modern-civil-service", context: "communications", right: notice.RightWithdrawConsent, want: notice.NotApplicable,
			reasonHas: []string{"only in relation to images, audio and video", "legitimate interests"}},
		{notice: "a-modern-civil-service", right: notice.RightWithdrawConsent, want: notice.DeclaredConditionally,
			conditionHas: []string{"images, audio and video"}, channel: notice.ChannelEmail, channelAddress: "amoderncivilservice@cabinetoffice.gov.uk"},
		// Acceptance: "you may have the right" to erasure stays conditional.
		{notice: "a-modern-civil-service", right: notice.RightErasure, want: notice.DeclaredConditionally,
			conditionHas: []string{"may have this right"}},
		{notice: "a-modern-civil-service", context: "communications", right: notice.RightErasure, want: notice.DeclaredConditionally,
			conditionHas: []string{"may have this right"}},
		{notice: "a-modern-civil-service", right: notice.RightRestriction, want: notice.DeclaredConditionally,
			conditionHas: []string{"certain circumstances", "accuracy is contested"}},
		{notice: "a-modern-civil-service", right: notice.RightObjectionDirectMarketing, want: notice.StatutoryNotDeclared,
			reasonHas: []string{"does not mention", "Article 21(2)"}},
		{notice: "a-modern-civil-service", context: "images-audio-video", right: notice.RightObjection, want: notice.Declared,
			reasonHas: []string{"goes beyond what the law requires", "withdraw consent instead"}},
		{notice: "a-modern-civil-service", right: notice.RightPortability, want: notice.StatutoryNotDeclared,
			reasonHas: []string{"images, audio and video", "consent"}},
		// Communities of practice: consent rights only where consent is the basis.
		{notice: "communities-of-practice", right: notice.RightWithdrawConsent, want: notice.DeclaredConditionally,
			conditionHas: []string{"recordings of virtual events", "members who do not work in the public sector"},
			channel:      notice.ChannelOptOut},
		{notice: "communities-of-practice", right: notice.RightPortability, want: notice.DeclaredConditionally,
			conditionHas: []string{"recordings of virtual events", "members who do not work in the public sector"}},
		{notice: "communities-of-practice", context: "community-management", right: notice.RightPortability, want: notice.NotApplicable,
			reasonHas: []string{"only in relation to", "public task"}},
		{notice: "communities-of-practice", context: "non-public-sector-members", right: notice.RightWithdrawConsent, want: notice.Declared,
			reasonHas: []string{"opting out of the mailing list"}, channel: notice.ChannelOptOut},
		{notice: "communities-of-practice", right: notice.RightAccess, want: notice.Declared,
			reasonHas: []string{"GDS Privacy Team"}, channel: notice.ChannelContact, channelAddress: "gds-privacy-office@digital.cabinet-office.gov.uk"},
		// GPG CSEP Hub: withdraw by deleting the profile data yourself.
		{notice: "gpg-csep-hub", context: "voluntary-profile", right: notice.RightWithdrawConsent, want: notice.Declared,
			reasonHas: []string{"deleting the profile information"}, channel: notice.ChannelSelfService},
		{notice: "gpg-csep-hub", context: "platform", right: notice.RightWithdrawConsent, want: notice.NotApplicable,
			reasonHas: []string{"only in relation to profile information", "public task"}},
		{notice: "gpg-csep-hub", context: "voluntary-profile", right: notice.RightPortability, want: notice.StatutoryNotDeclared,
			reasonHas: []string{"does not mention", "consent"}},
		// NLC: the notice promises erasure; under public task the law gives
		// it only after a successful objection, which lint agrees with.
		{notice: "nlc-network-members", context: "diversity-monitoring", right: notice.RightErasure, want: notice.Declared,
			reasonHas: []string{"Not usually — unless the person successfully objects (Article 17(1)(c))", "Article 17(3)(b)"}},
		{notice: "nlc-network-members", context: "reasonable-adjustments", right: notice.RightAutomatedDecisionReview, want: notice.NotApplicable,
			reasonHas: []string{"Article 22", "reasonable adjustments at events"}},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%s/%s/%s", tt.notice, orWhole(tt.context), tt.right)
		t.Run(name, func(t *testing.T) {
			e, err := notice.EvaluateRight(builtin(t, tt.notice), tt.context, tt.right)
			if err != nil {
				t.Fatal(err)
			}
			if e.Availability != tt.want {
				t.Fatalf("availability %s, want %s (reason: %s)", e.Availability, tt.want, e.Reason)
			}
			requireAll(t, "condition", e.Condition, tt.conditionHas)
			requireAll(t, "reason", e.Reason, tt.reasonHas)
			checkChannel(t, e, tt.channel, tt.channelAddress)
			checkShape(t, e)
		})
	}
}

func requireAll(t *testing.T, what, got string, parts []string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(got, p) {
			t.Errorf("%s %q does not mention %q", what, got, p)
		}
	}
}

func checkChannel(t *testing.T, e notice.Evaluation, kind notice.ChannelKind, address string) {
	t.Helper()
	if kind == "" {
		return
	}
	if e.Declaration == nil || e.Declaration.Channel == nil {
		t.Fatalf("want a %s channel, got declaration %+v", kind, e.Declaration)
	}
	if ch := e.Declaration.Channel; ch.Kind != kind || ch.Address != address {
		t.Errorf("channel = %+v, want %s %q", ch, kind, address)
	}
}

// Acceptance: an unknown context is a typed error, from both entry points,
// and never an answer.
func TestUnknownContextIsATypedError(t *testing.T) {
	v := builtin(t, "it-service-desk")
	_, errAll := notice.Evaluate(v, "no-such-context")
	_, errOne := notice.EvaluateRight(v, "no-such-context", notice.RightAccess)
	for _, err := range []error{errAll, errOne} {
		var unknown *notice.UnknownContextError
		if !errors.As(err, &unknown) || unknown.ID != "no-such-context" {
			t.Errorf("got %v, want *notice.UnknownContextError for no-such-context", err)
		}
		if err != nil && !strings.Contains(err.Error(), "no-such-context") {
			t.Errorf("error %q does not name the context", err)
		}
	}
}

// --- The law on its own: synthetic versions with no declarations, so the
// answer is StatutoryNotDeclared exactly when UK GDPR gives the right.

func synthetic(contexts ...notice.Context) *notice.Version {
	return &notice.Version{Number: 1, Title: "synthetic", Contexts: contexts}
}

func processing(id string, basis notice.Basis, automated bool) notice.Context {
	return notice.Context{ID: id, Name: strings.ReplaceAll(id, "-", " "), Basis: basis, Automated: automated}
}

// lawTable is reference/statutory-clock.md "Rights by lawful basis", for
// automated processing without solely automated decisions, columns in
// notice.Bases order, with two amendments: erasure under public task is
// given once the person successfully objects (Article 17(1)(c)), and
// recognised legitimate interests (Article 6(1)(ea), from 5 February 2026)
// carries the rights of legitimate interests — objection under Article 21(1)
// as amended, erasure because Article 17(3)(b) does not name it.
var lawTable = map[notice.Right][7]bool{
	//                                      consent contract legal-obl vital  public-task recognised-LI legit-int
	notice.RightAccess:                   {true, true, true, true, true, true, true},
	notice.RightRectification:            {true, true, true, true, true, true, true},
	notice.RightErasure:                  {true, true, false, true, true, true, true},
	notice.RightRestriction:              {true, true, true, true, true, true, true},
	notice.RightObjection:                {false, false, false, false, true, true, true},
	notice.RightObjectionDirectMarketing: {true, true, true, true, true, true, true},
	notice.RightWithdrawConsent:          {true, false, false, false, false, false, false},
	notice.RightPortability:              {true, true, false, false, false, false, false},
	notice.RightAutomatedDecisionReview:  {false, false, false, false, false, false, false},
}

func TestLawByLawfulBasis(t *testing.T) {
	if len(lawTable) != len(notice.Rights) || len(notice.Bases) != 7 {
		t.Fatalf("the law table covers %d rights and 7 bases; the model has %d and %d", len(lawTable), len(notice.Rights), len(notice.Bases))
	}
	for _, automated := range []bool{true, false} {
		for col, basis := range notice.Bases {
			v := synthetic(processing("only", basis, automated))
			for _, r := range notice.Rights {
				want := lawTable[r][col] && (r != notice.RightPortability || automated)
				t.Run(fmt.Sprintf("%s/%s/automated=%t", r, basis, automated), func(t *testing.T) {
					checkLaw(t, v, "only", r, want)
					checkLaw(t, v, "", r, want) // one context: the whole notice agrees
				})
			}
		}
	}
}

func checkLaw(t *testing.T, v *notice.Version, context string, r notice.Right, applies bool) {
	t.Helper()
	e, err := notice.EvaluateRight(v, context, r)
	if err != nil {
		t.Fatal(err)
	}
	want := notice.NotApplicable
	if applies {
		want = notice.StatutoryNotDeclared
	}
	if e.Availability != want {
		t.Errorf("context %q: %s, want %s (reason: %s)", context, e.Availability, want, e.Reason)
	}
	checkShape(t, e)
}

func TestAutomatedDecisionReviewNeedsSolelyAutomatedDecisions(t *testing.T) {
	for _, basis := range notice.Bases {
		c := processing("decisions", basis, true)
		c.SolelyAutomatedDecisions = true
		e, err := notice.EvaluateRight(synthetic(c), "decisions", notice.RightAutomatedDecisionReview)
		if err != nil || e.Availability != notice.StatutoryNotDeclared {
			t.Errorf("%s: got %s (%v), want %s", basis, e.Availability, err, notice.StatutoryNotDeclared)
		}
	}
}

func TestPortabilityExplainsManualProcessing(t *testing.T) {
	e, _ := notice.EvaluateRight(synthetic(processing("paper-files", notice.BasisConsent, false)), "paper-files", notice.RightPortability)
	if e.Availability != notice.NotApplicable || !strings.Contains(e.Reason, "automated means") {
		t.Errorf("got %s %q, want not applicable because the processing is not automated", e.Availability, e.Reason)
	}
}

// --- How declarations combine with the law, on synthetic versions.

func TestDeclarationBeyondTheLawIsStillDeclared(t *testing.T) {
	v := synthetic(processing("registry", notice.BasisLegalObligation, true))
	v.Rights = []notice.DeclaredRight{{Right: notice.RightErasure}}
	e, _ := notice.EvaluateRight(v, "registry", notice.RightErasure)
	if e.Availability != notice.Declared || !strings.Contains(e.Reason, "goes beyond what the law requires") {
		t.Errorf("got %s %q, want declared with a note that the law does not require it", e.Availability, e.Reason)
	}
}

func TestScopedDeclaration(t *testing.T) {
	v := synthetic(processing("surveys", notice.BasisConsent, true), processing("payroll", notice.BasisContract, true))
	v.Rights = []notice.DeclaredRight{{Right: notice.RightPortability, Scope: []string{"surveys"}}}
	tests := []struct {
		context   string
		want      notice.Availability
		mentioned string // in the condition when conditional, else in the reason
	}{
		{"", notice.DeclaredConditionally, "In relation to surveys"},
		{"surveys", notice.Declared, "for this processing"},
		{"payroll", notice.StatutoryNotDeclared, "only in relation to surveys, not for payroll"},
	}
	for _, tt := range tests {
		e, _ := notice.EvaluateRight(v, tt.context, notice.RightPortability)
		text := e.Reason
		if e.Availability == notice.DeclaredConditionally {
			text = e.Condition
		}
		if e.Availability != tt.want || !strings.Contains(text, tt.mentioned) {
			t.Errorf("context %q: %s (condition %q, reason %q), want %s mentioning %q", tt.context, e.Availability, e.Condition, e.Reason, tt.want, tt.mentioned)
		}
	}
}

func TestQualifierMakesADeclarationConditional(t *testing.T) {
	tests := []struct {
		declared  notice.DeclaredRight
		condition string
	}{
		{notice.DeclaredRight{Right: notice.RightErasure, Qualifier: notice.QualifierMay}, "may have this right"},
		{notice.DeclaredRight{Right: notice.RightErasure, Qualifier: notice.QualifierCertainCircumstance}, "Only in certain circumstances"},
		{notice.DeclaredRight{Right: notice.RightErasure, Qualifier: notice.QualifierCertainCircumstance, QualifierText: "for example where accuracy is contested"}, "For example where accuracy is contested"},
		{notice.DeclaredRight{Right: notice.RightErasure}, ""},
	}
	for _, tt := range tests {
		v := synthetic(processing("mailing-list", notice.BasisConsent, true))
		v.Rights = []notice.DeclaredRight{tt.declared}
		for _, context := range []string{"", "mailing-list"} {
			e, _ := notice.EvaluateRight(v, context, notice.RightErasure)
			if !conditionMatches(e.Condition, tt.condition) {
				t.Errorf("%+v in context %q: condition %q, want %q", tt.declared, context, e.Condition, tt.condition)
			}
			checkShape(t, e)
		}
	}
}

// conditionMatches wants no condition when none is expected, else one that
// contains the expected words.
func conditionMatches(got, want string) bool {
	if want == "" {
		return got == ""
	}
	return strings.Contains(got, want)
}

// The whole-notice answer for an undeclared right follows the law in any
// context, and the reason names the context that gives it.
func TestWholeNoticeFollowsTheLawInAnyContext(t *testing.T) {
	v := synthetic(processing("registry", notice.BasisPublicTask, true), processing("newsletter", notice.BasisConsent, true))
	e, _ := notice.EvaluateRight(v, "", notice.RightPortability)
	if e.Availability != notice.StatutoryNotDeclared || !strings.Contains(e.Reason, "newsletter") {
		t.Errorf("got %s %q, want statutory with a reason naming the newsletter", e.Availability, e.Reason)
	}
	e, _ = notice.EvaluateRight(v, "", notice.RightAutomatedDecisionReview)
	if e.Availability != notice.NotApplicable || !strings.Contains(e.Reason, "registry") || !strings.Contains(e.Reason, "newsletter") {
		t.Errorf("got %s %q, want not applicable with a reason for each context", e.Availability, e.Reason)
	}
}
