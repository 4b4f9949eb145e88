package lint

import (
	"slices"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/notice/catalogue"
)

// clean is a version no rule finds fault with: a consent context with
// withdrawal and portability, a public task context with objection, a DPO
// and a complaint route, and a retention period.
func clean() *notice.Version {
	return &notice.Version{
		Number: 1, EffectiveFrom: "2025-01-01", Title: "Test notice", Source: notice.Source{Updated: "2025-01-01"},
		Controller:         notice.Party{Name: "Example Office"},
		DPO:                notice.Party{Name: "Example DPO", Email: "dpo@example.gov.uk"},
		ComplaintAuthority: notice.Party{Name: "Information Commissioner's Office", Phone: "0303 123 1113"},
		Contexts: []notice.Context{
			{ID: "newsletter", Name: "the newsletter", Basis: notice.BasisConsent, Automated: true, Provenance: notice.Provenance{Line: 10}},
			{ID: "service", Name: "running the service", Basis: notice.BasisPublicTask, Automated: true, Provenance: notice.Provenance{Line: 12}},
		},
		Rights: []notice.DeclaredRight{
			{Right: notice.RightAccess},
			{Right: notice.RightWithdrawConsent, Scope: []string{"newsletter"}},
			{Right: notice.RightPortability, Scope: []string{"newsletter"}, Provenance: notice.Provenance{Line: 30}},
			{Right: notice.RightObjection, Scope: []string{"service"}},
		},
		Retention: []notice.RetentionRule{{Description: "two years", Months: 24, Provenance: notice.Provenance{Line: 40}}},
	}
}

func codes(findings []Finding) []string {
	var out []string
	for _, f := range findings {
		out = append(out, f.Code)
	}
	return out
}

func TestCleanVersionHasNoFindings(t *testing.T) {
	if got := Check(clean(), Options{Today: "2026-03-02"}); len(got) != 0 {
		t.Fatalf("findings on a clean version: %+v", got)
	}
}

func TestRules(t *testing.T) {
	tests := []struct {
		name    string
		change  func(v *notice.Version)
		code    string
		subject string
		line    int // provenance line the finding points at; 0 = none
	}{
		{"no title", func(v *notice.Version) { v.Title = "" }, "invalid-version", "version", 0},
		{"special category without a condition",
			func(v *notice.Version) {
				v.Contexts[1].Special = &notice.SpecialCategory{Categories: []string{"health"}}
			},
			"special-category-without-condition", "contexts/service", 12},
		{"no complaint authority", func(v *notice.Version) { v.ComplaintAuthority = notice.Party{} }, "no-complaint-route", "complaint_authority", 0},
		{"complaint authority without contact, pointing where it is named", func(v *notice.Version) {
			v.ComplaintAuthority.Phone = ""
			v.ComplaintAuthority.Provenance = &notice.Provenance{Line: 70}
		}, "no-complaint-route", "complaint_authority", 70},
		{"DPO named but not reachable, pointing where it is named", func(v *notice.Version) {
			v.DPO.Email = ""
			v.DPO.Provenance = &notice.Provenance{Line: 66}
		}, "no-dpo-contact", "dpo", 66},
		{"consent without withdrawal", func(v *notice.Version) { v.Rights = slices.Delete(v.Rights, 1, 2) }, "withdrawal-missing", "contexts/newsletter", 10},
		{"consent without portability", func(v *notice.Version) { v.Rights = slices.Delete(v.Rights, 2, 3) }, "portability-missing", "contexts/newsletter", 10},
		{"contract without portability", func(v *notice.Version) {
			v.Contexts = append(v.Contexts, notice.Context{ID: "staff", Name: "staff records", Basis: notice.BasisContract, Automated: true, Provenance: notice.Provenance{Line: 14}})
		}, "portability-missing", "contexts/staff", 14},
		{"portability promised under public task", func(v *notice.Version) { v.Rights[2].Scope = nil }, "portability-beyond-law", "rights/2", 30},
		{"public task without objection", func(v *notice.Version) { v.Rights = v.Rights[:3] }, "objection-missing", "contexts/service", 12},
		{"legitimate interests without objection", func(v *notice.Version) {
			v.Rights = v.Rights[:3]
			v.Contexts[1].Basis = notice.BasisLegitimateInterests
		}, "objection-missing", "contexts/service", 12},
		{"erasure promised under legal obligation", func(v *notice.Version) {
			v.Contexts[1].Basis = notice.BasisLegalObligation
			v.Rights = append(v.Rights[:3], notice.DeclaredRight{Right: notice.RightErasure, Provenance: notice.Provenance{Line: 33}})
		}, "erasure-under-legal-obligation", "rights/3", 33},
		{"no retention at all", func(v *notice.Version) { v.Retention = nil }, "retention-without-period", "retention", 0},
		{"retention in words only", func(v *notice.Version) { v.Retention[0].Months = 0 }, "retention-without-period", "retention/0", 40},
		{"a context no retention rule covers", func(v *notice.Version) { v.Retention[0].Scope = []string{"newsletter"} }, "retention-without-period", "contexts/service", 12},
		{"retention date passed", func(v *notice.Version) { v.Retention[0].Until = "2024-12-31" }, "retention-ended", "retention/0", 40},
		{"scope naming no context", func(v *notice.Version) {
			v.Rights = append(v.Rights, notice.DeclaredRight{Right: notice.RightErasure, ScopeText: "in relation to events", Provenance: notice.Provenance{Line: 35}})
		}, "scope-names-no-context", "rights/4", 35},
		{"no lawful basis paired with a purpose (Art 13(1)(c))", func(v *notice.Version) {
			v.Contexts = append(v.Contexts, notice.Context{ID: "equality", Name: "equality monitoring", Provenance: notice.Provenance{Line: 16}})
		}, "no-lawful-basis", "contexts/equality", 16},
		{"recognised legitimate interests before 5 Feb 2026", func(v *notice.Version) {
			v.Contexts[1].Basis = notice.BasisRecognisedLegitimateInterests
		}, "basis-before-commencement", "contexts/service", 12},
		{"criminal offence data without an Art 10 condition", func(v *notice.Version) {
			v.Contexts[1].Criminal = &notice.CriminalOffenceData{}
		}, "criminal-data-without-condition", "contexts/service", 12},
		{"a transfer relying on the EU–US Privacy Shield", func(v *notice.Version) {
			v.Transfers = []notice.Transfer{{Destination: "United States", Safeguard: "the supplier's Privacy Shield certification", Provenance: notice.Provenance{Line: 50}}}
		}, "transfer-mechanism-invalid", "transfers/0", 50},
		{"a transfer with no safeguard", func(v *notice.Version) {
			v.Transfers = []notice.Transfer{{Destination: "outside the UK", Provenance: notice.Provenance{Line: 51}}}
		}, "transfer-without-safeguard", "transfers/0", 51},
		{"no rights listed at all", func(v *notice.Version) {
			v.Rights = nil
			v.Contexts = v.Contexts[1:] // no consent context, so no missing-withdrawal finding
			v.Contexts[0].Basis = notice.BasisLegalObligation
		}, "no-rights-listed", "rights", 0},
		{"objection offered under contract (Art 21(1) covers (e), (ea), (f))", func(v *notice.Version) {
			v.Contexts[1].Basis = notice.BasisContract
			v.Rights[2].Scope = []string{"newsletter", "service"}
			v.Rights[3].Provenance.Line = 31
		}, "objection-beyond-law", "rights/3", 31},
		{"withdrawal offered for processing not based on consent (cookie consent unsaid)", func(v *notice.Version) {
			v.Rights[1].Scope = nil
			v.Rights[1].Provenance.Line = 29
		}, "withdrawal-beyond-law", "rights/1", 29},
		{"objection offered under legal obligation", func(v *notice.Version) {
			v.Contexts[1].Basis = notice.BasisLegalObligation
			v.Rights[3].Provenance.Line = 31
		}, "objection-beyond-law", "rights/3", 31},
		{"a basis stated in the body that the rights section leaves out", func(v *notice.Version) {
			v.Contexts = append(v.Contexts, notice.Context{ID: "surveys", Name: "feedback surveys", Basis: notice.BasisLegalObligation, Provenance: notice.Provenance{Line: 18}})
			v.Rights[0].Scope = []string{"newsletter"}
		}, "rights-omit-context", "contexts/surveys", 18},
		{"solely automated decisions without a way to contest them", func(v *notice.Version) {
			v.Contexts[1].SolelyAutomatedDecisions = true
		}, "automated-decisions-without-safeguards", "contexts/service", 12},
		{"a notice with no date", func(v *notice.Version) { v.Source = notice.Source{Kind: "import"} }, "notice-undated", "source", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := clean()
			tt.change(v)
			got := Check(v, Options{Today: "2026-03-02"})
			if len(got) != 1 {
				t.Fatalf("findings = %v, want exactly one %s", codes(got), tt.code)
			}
			f := got[0]
			if f.Code != tt.code || f.Subject != tt.subject || f.Provenance.Line != tt.line {
				t.Errorf("finding = %s on %s at line %d, want %s on %s at line %d", f.Code, f.Subject, f.Provenance.Line, tt.code, tt.subject, tt.line)
			}
			if f.Message == "" || !strings.HasSuffix(f.Message, ".") {
				t.Errorf("message %q: want a full sentence", f.Message)
			}
			rule := Rules()[slices.IndexFunc(Rules(), func(r Rule) bool { return r.Code == tt.code })]
			if f.Severity != rule.Severity {
				t.Errorf("severity %s, want the rule's %s", f.Severity, rule.Severity)
			}
		})
	}
}

// A right the notice declares for all processing covers every context, and
// a retention rule scoped elsewhere does not count for a context.
func TestCoverage(t *testing.T) {
	v := clean()
	v.Rights[3].Scope = nil // objection for all processing
	v.Retention = append(v.Retention, notice.RetentionRule{Scope: []string{"service"}, Description: "while needed"})
	v.Retention[0].Scope = []string{"newsletter"}
	got := Check(v, Options{})
	if len(got) != 1 || got[0].Code != "retention-without-period" || got[0].Subject != "retention/1" {
		t.Fatalf("findings = %+v, want only retention-without-period for the service's rule", got)
	}
}

func TestRetentionEndedNeedsToday(t *testing.T) {
	v := clean()
	v.Retention[0].Until = "2024-12-31"
	if got := Check(v, Options{}); len(got) != 0 {
		t.Fatalf("without today's date, findings = %v", codes(got))
	}
	if got := Check(v, Options{Today: "2024-12-31"}); len(got) != 0 {
		t.Fatalf("on the end date itself, findings = %v", codes(got))
	}
}

func TestRulesHaveUniqueCodesAndSummaries(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules() {
		if seen[r.Code] || r.Summary == "" || (r.Severity != Error && r.Severity != Warning) {
			t.Errorf("rule %+v: codes must be unique, with a summary and a known severity", r)
		}
		seen[r.Code] = true
	}
	if !HasErrors([]Finding{{Severity: Warning}, {Severity: Error}}) || HasErrors([]Finding{{Severity: Warning}}) {
		t.Error("HasErrors does not tell errors from warnings")
	}
}

// The acceptance findings on the built-in catalogue.
func TestCatalogue(t *testing.T) {
	notices, err := catalogue.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string][]Finding{}
	for _, n := range notices {
		byID[n.ID] = Check(n.Current(), Options{Today: "2026-03-02"})
	}
	find := func(id, code, subject string) *Finding {
		for i, f := range byID[id] {
			if f.Code == code && f.Subject == subject {
				return &byID[id][i]
			}
		}
		t.Errorf("%s: no %s finding on %s; findings: %+v", id, code, subject, byID[id])
		return nil
	}
	if f := find("it-service-desk", "portability-missing", "contexts/employment"); f != nil && !strings.Contains(f.Message, "only in relation to satisfaction surveys") {
		t.Errorf("IT Service Desk portability finding should say portability is offered only for surveys: %q", f.Message)
	}
	if f := find("a-modern-civil-service", "retention-ended", "retention/0"); f != nil && (!strings.Contains(f.Message, "2024-12-31") || f.Provenance.Line != 64) {
		t.Errorf("A Modern Civil Service retention finding = %+v, want the end of 2024 at line 64", f)
	}
	// NLC's notice still names the EU–US Privacy Shield for its US
	// supplier: the one error a DPO would raise on the reference notices.
	if f := find("nlc-network-members", "transfer-mechanism-invalid", "transfers/1"); f != nil && (f.Provenance.Line != 104 || !strings.Contains(f.Message, "16 July 2020")) {
		t.Errorf("NLC Privacy Shield finding = %+v, want line 104 and the date it was struck down", f)
	}
	for id, findings := range byID {
		for _, f := range findings {
			if f.Severity == Error && !(id == "nlc-network-members" && f.Code == "transfer-mechanism-invalid") {
				t.Errorf("%s: the built-in catalogue has an unexpected error finding: %+v", id, f)
			}
		}
	}
}
