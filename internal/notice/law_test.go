package notice_test

import (
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// lawVector is one answer of the law as amended, with the words its reason
// must cite.
type lawVector struct {
	name      string
	basis     notice.Basis
	decisions bool   // solely automated significant decisions
	effective string // the version's effective date
	received  string // the request's date; "" judges as of the version
	right     notice.Right
	want      notice.Availability
	cites     []string
}

func TestLawAsAmended(t *testing.T) {
	const (
		S = notice.StatutoryNotDeclared
		N = notice.NotApplicable
	)
	vectors := []lawVector{
		{name: "erasure under public task: not usually, unless an objection succeeds (Art 17(3)(b), 17(1)(c))",
			basis: notice.BasisPublicTask, right: notice.RightErasure, want: S,
			cites: []string{"Not usually — unless the person successfully objects (Article 17(1)(c))", "Article 17(3)(b)", "Article 21(1)"}},
		{name: "erasure under legal obligation: no objection, so no Art 17(1)(c) either",
			basis: notice.BasisLegalObligation, right: notice.RightErasure, want: N,
			cites: []string{"Article 17(3)(b)", "Article 17(1)(c) cannot apply"}},
		{name: "portability under consent names the data the person provided (Art 20(1))",
			basis: notice.BasisConsent, right: notice.RightPortability, want: S,
			cites: []string{"Article 20", "data you provided"}},
		{name: "portability refused under public task still says it covers only data provided",
			basis: notice.BasisPublicTask, right: notice.RightPortability, want: N,
			cites: []string{"Article 20", "data you provided", "consent or contract"}},
		{name: "objection under recognised legitimate interests (Art 21(1) as amended: (e), (ea), (f))",
			basis: notice.BasisRecognisedLegitimateInterests, right: notice.RightObjection, want: S,
			cites: []string{"Article 21(1)", "(ea)"}},
		{name: "erasure under recognised legitimate interests: Art 17(3)(b) does not name (ea)",
			basis: notice.BasisRecognisedLegitimateInterests, right: notice.RightErasure, want: S,
			cites: []string{"Article 17(1)"}},
		{name: "no portability under recognised legitimate interests",
			basis: notice.BasisRecognisedLegitimateInterests, right: notice.RightPortability, want: N,
			cites: []string{"consent or contract"}},
		{name: "objection under contract: Art 21(1) covers only (e), (ea) and (f)",
			basis: notice.BasisContract, right: notice.RightObjection, want: N,
			cites: []string{"Article 6(1)(e), (ea) or (f)"}},
		{name: "automated decisions in a notice of 4 Feb 2026: Article 22",
			basis: notice.BasisPublicTask, decisions: true, effective: "2026-02-04", right: notice.RightAutomatedDecisionReview, want: S,
			cites: []string{"Article 22 applies"}},
		{name: "automated decisions in a notice of 5 Feb 2026: Articles 22A–22D (DUAA 2025 s.80, SI 2026/82)",
			basis: notice.BasisPublicTask, decisions: true, effective: "2026-02-05", right: notice.RightAutomatedDecisionReview, want: S,
			cites: []string{"Articles 22A–22D", "Article 22C", "human intervention"}},
		{name: "an older notice, a request received on 5 Feb 2026: the request's law, Articles 22A–22D",
			basis: notice.BasisPublicTask, decisions: true, effective: "2024-01-01", received: "2026-02-05", right: notice.RightAutomatedDecisionReview, want: S,
			cites: []string{"Articles 22A–22D"}},
		{name: "an older notice, a request received on 4 Feb 2026: Article 22",
			basis: notice.BasisPublicTask, decisions: true, effective: "2024-01-01", received: "2026-02-04", right: notice.RightAutomatedDecisionReview, want: S,
			cites: []string{"Article 22 applies"}},
		{name: "no automated decisions after commencement: 22A–22D do not apply",
			basis: notice.BasisPublicTask, effective: "2026-03-01", right: notice.RightAutomatedDecisionReview, want: N,
			cites: []string{"Articles 22A–22D", "describes none"}},
		{name: "a basis the notice does not state: the request stands until the controller names one (Art 13(1)(c))",
			basis: notice.BasisUnstated, right: notice.RightObjection, want: S,
			cites: []string{"states no lawful basis", "Article 13(1)(c)"}},
	}
	for _, tt := range vectors {
		t.Run(tt.name, func(t *testing.T) {
			c := processing("decisions", tt.basis, true)
			c.SolelyAutomatedDecisions = tt.decisions
			v := synthetic(c)
			v.EffectiveFrom = tt.effective
			e, err := notice.EvaluateRightOn(v, "decisions", tt.right, tt.received)
			if err != nil {
				t.Fatal(err)
			}
			if e.Availability != tt.want {
				t.Fatalf("availability %s, want %s (reason: %s)", e.Availability, tt.want, e.Reason)
			}
			requireAll(t, "reason", e.Reason, tt.cites)
			checkShape(t, e)
		})
	}
}

// A notice that declares erasure under public task is read as declared,
// with the one case the law gives it, and not as promising beyond the law:
// lint does not flag it either.
func TestErasureDeclaredUnderPublicTask(t *testing.T) {
	v := synthetic(processing("registry", notice.BasisPublicTask, true))
	v.Rights = []notice.DeclaredRight{{Right: notice.RightErasure}}
	e, _ := notice.EvaluateRight(v, "registry", notice.RightErasure)
	if e.Availability != notice.Declared {
		t.Fatalf("availability %s, want declared", e.Availability)
	}
	requireAll(t, "reason", e.Reason, []string{"Article 17(1)(c)"})
	if strings.Contains(e.Reason, "goes beyond") {
		t.Errorf("reason %q: erasure under public task is not beyond the law", e.Reason)
	}
}

// The whole-notice answer quotes a context where the law gives the right
// outright before one where it gives it only after an objection.
func TestWholeNoticePrefersAnUnconditionalAnswer(t *testing.T) {
	v := synthetic(processing("registry", notice.BasisPublicTask, true), processing("newsletter", notice.BasisConsent, true))
	e, _ := notice.EvaluateRight(v, "", notice.RightErasure)
	if e.Availability != notice.StatutoryNotDeclared || strings.Contains(e.Reason, "Not usually") {
		t.Errorf("got %s %q, want the newsletter's unconditional answer", e.Availability, e.Reason)
	}
}

func TestArt6Points(t *testing.T) {
	want := map[notice.Basis]string{
		notice.BasisConsent: "a", notice.BasisContract: "b", notice.BasisLegalObligation: "c", notice.BasisVitalInterests: "d",
		notice.BasisPublicTask: "e", notice.BasisRecognisedLegitimateInterests: "ea", notice.BasisLegitimateInterests: "f", notice.BasisUnstated: "",
	}
	for b, point := range want {
		if got := notice.Art6Point(b); got != point {
			t.Errorf("Art6Point(%q) = %q, want %q", b, got, point)
		}
	}
}
