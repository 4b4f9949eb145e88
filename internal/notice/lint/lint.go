package lint

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// Severity says how much a finding matters.
type Severity string

const (
	// Error: the notice breaks a requirement (Articles 9, 13 and 14), or
	// cannot be stored as it is.
	Error Severity = "error"
	// Warning: the notice promises less, or more, than the law gives.
	Warning Severity = "warning"
)

// Finding is one problem, with the part of the notice it is about.
type Finding struct {
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	// Subject names what the finding is about: "contexts/employment",
	// "rights/3" (the fourth declared right), "dpo", "retention/0".
	Subject    string            `json:"subject"`
	Provenance notice.Provenance `json:"provenance"`
}

// Options steer a check.
type Options struct {
	// Today (YYYY-MM-DD) is when a retention end date counts as past;
	// empty skips that rule.
	Today string
}

// Rule is one check.
type Rule struct {
	Code     string
	Severity Severity
	// Summary says what the rule looks for, for documentation and --help.
	Summary string
	check   func(v *notice.Version, opts Options) []Finding
}

// Rules lists every rule, in the order Check reports them.
func Rules() []Rule { return slices.Clone(rules) }

var rules = []Rule{
	{"invalid-version", Error, "the version breaks an invariant every stored version holds (title, dates, contexts, known rights and scopes)", invalidVersion},
	{"no-lawful-basis", Error, "processing the notice pairs with no Article 6 lawful basis (Article 13(1)(c))", noLawfulBasis},
	{"basis-before-commencement", Error, "recognised legitimate interests (Article 6(1)(ea)) relied on in a version in force before the basis existed (5 February 2026)", basisBeforeCommencement},
	{"special-category-without-condition", Error, "special category data with no Article 9 condition", specialWithoutCondition},
	{"criminal-data-without-condition", Error, "criminal offence data with no Article 10 authority or DPA 2018 Schedule 1 condition", criminalWithoutCondition},
	{"transfer-mechanism-invalid", Error, "a transfer that relies on a mechanism no longer valid (EU–US Privacy Shield, Safe Harbour)", transferMechanismInvalid},
	{"no-rights-listed", Error, "a notice that tells people none of their rights (Article 13(2)(b))", noRightsListed},
	{"no-complaint-route", Error, "no complaint authority, or none with a way to reach it (Article 13(2)(d))", noComplaintRoute},
	{"no-dpo-contact", Warning, "no contact details for the data protection officer (Article 13(1)(b))", noDPOContact},
	{"withdrawal-missing", Warning, "processing based on consent with no declared way to withdraw it (Article 7(3))", withdrawalMissing},
	{"portability-missing", Warning, "automated processing based on consent or contract with no declared portability (Article 20)", portabilityMissing},
	{"portability-beyond-law", Warning, "portability promised for processing based on neither consent nor contract, where Article 20 gives none", portabilityBeyondLaw},
	{"objection-missing", Warning, "processing based on public task or legitimate interests with no declared right to object (Article 21(1))", objectionMissing},
	{"erasure-under-legal-obligation", Warning, "erasure promised for processing needed for a legal obligation, where Article 17(3)(b) excludes it", erasureUnderLegalObligation},
	{"retention-without-period", Warning, "processing whose retention rules give no period, end date, trigger or review (Article 13(2)(a))", retentionWithoutPeriod},
	{"retention-ended", Warning, "a retention rule whose fixed end date has passed", retentionEnded},
	{"scope-names-no-context", Warning, "a right limited to something the notice does not describe as a processing activity", scopeNamesNoContext},
	{"withdrawal-beyond-law", Warning, "consent withdrawal offered for processing the notice bases on something other than consent (cookie consent belongs to PECR and needs saying so)", withdrawalBeyondLaw},
	{"objection-beyond-law", Warning, "objection offered for processing based on contract, legal obligation or vital interests, where Article 21(1) gives none", objectionBeyondLaw},
	{"transfer-without-safeguard", Warning, "a transfer outside the UK with no safeguard named (Article 13(1)(f))", transferWithoutSafeguard},
	{"rights-omit-context", Warning, "processing whose basis the notice states but which no declared right covers", rightsOmitContext},
	{"automated-decisions-without-safeguards", Warning, "solely automated significant decisions with no right to human review declared (Article 22, or Articles 22A–22D from 5 February 2026)", automatedWithoutSafeguards},
	{"notice-undated", Warning, "a notice with no published or last-updated date, so nobody can tell which version a person read", noticeUndated},
}

// Check runs every rule over the version.
func Check(v *notice.Version, opts Options) []Finding {
	var out []Finding
	for _, r := range rules {
		for _, f := range r.check(v, opts) {
			f.Code, f.Severity = r.Code, r.Severity
			out = append(out, f)
		}
	}
	return out
}

// HasErrors reports whether any finding is an error.
func HasErrors(findings []Finding) bool {
	return slices.ContainsFunc(findings, func(f Finding) bool { return f.Severity == Error })
}

func invalidVersion(v *notice.Version, _ Options) []Finding {
	if err := v.Validate(); err != nil {
		return []Finding{{Message: "The version cannot be stored as it is: " + err.Error() + ".", Subject: "version"}}
	}
	return nil
}

func specialWithoutCondition(v *notice.Version, _ Options) []Finding {
	return perContext(v, func(c *notice.Context) string {
		if c.Special == nil || strings.TrimSpace(c.Special.Condition) != "" {
			return ""
		}
		return fmt.Sprintf("%s involves special category data (%s) but names no Article 9 condition; processing it is unlawful without one.",
			notice.Capitalise(c.Name), orNone(c.Special.Categories))
	})
}

func noComplaintRoute(v *notice.Version, _ Options) []Finding {
	a := &v.ComplaintAuthority
	switch {
	case a.Name == "":
		return []Finding{{Message: "The notice does not tell people they can complain to the Information Commissioner's Office (or another supervisory authority).", Subject: "complaint_authority"}}
	case !reachable(a):
		return []Finding{{Message: fmt.Sprintf("The notice names %s for complaints but gives no address, email, phone number or web page to reach it.", a.Name),
			Subject: "complaint_authority", Provenance: partyLine(a)}}
	}
	return nil
}

func noDPOContact(v *notice.Version, _ Options) []Finding {
	if reachable(&v.DPO) {
		return nil
	}
	return []Finding{{Message: "The notice gives no address, email or phone number for a data protection officer; where the controller has one (every public authority must), the notice must say how to reach them.",
		Subject: "dpo", Provenance: partyLine(&v.DPO)}}
}

// partyLine is where the notice names a party, when it does.
func partyLine(p *notice.Party) notice.Provenance {
	if p.Provenance == nil {
		return notice.Provenance{}
	}
	return *p.Provenance
}

func reachable(p *notice.Party) bool {
	return p.Address != "" || p.Email != "" || p.Phone != "" || p.Web != ""
}

func withdrawalMissing(v *notice.Version, _ Options) []Finding {
	return perContext(v, func(c *notice.Context) string {
		if c.Basis != notice.BasisConsent || covering(v, notice.RightWithdrawConsent, c.ID) >= 0 {
			return ""
		}
		return fmt.Sprintf("%s relies on consent, but the notice does not say consent can be withdrawn or how; people can withdraw it at any time (Article 7(3)).",
			notice.Capitalise(c.Name))
	})
}

func portabilityMissing(v *notice.Version, _ Options) []Finding {
	offered := offeredFor(v, notice.RightPortability)
	return perContext(v, func(c *notice.Context) string {
		if applies, _ := notice.Statutory(notice.RightPortability, c, v.EffectiveFrom); c.Basis == notice.BasisUnstated || !applies || covering(v, notice.RightPortability, c.ID) >= 0 {
			return ""
		}
		msg := fmt.Sprintf("%s relies on %s and is carried out by automated means, so Article 20 gives portability, but the notice does not offer it",
			notice.Capitalise(c.Name), notice.BasisLabel(c.Basis))
		if len(offered) > 0 {
			msg += "; it offers portability only in relation to " + strings.Join(offered, " and ")
		}
		return msg + "."
	})
}

func portabilityBeyondLaw(v *notice.Version, _ Options) []Finding {
	return promisedWhereExcluded(v, notice.RightPortability,
		func(b notice.Basis) bool {
			return b != notice.BasisConsent && b != notice.BasisContract && b != notice.BasisUnstated
		},
		"Portability is promised for %s, which relies on %s; Article 20 gives it only where processing is based on consent or contract, so requesters will expect more than the law requires.")
}

// promisedWhereExcluded reports each declaration of r that covers a context
// whose basis excluded says the law does not give r; message takes the
// context's name and basis. A declaration limited to something that is no
// context covers none.
func promisedWhereExcluded(v *notice.Version, r notice.Right, excluded func(notice.Basis) bool, message string) []Finding {
	var out []Finding
	for i, d := range v.Rights {
		if d.Right != r || d.ScopeText != "" && len(d.Scope) == 0 {
			continue // a limit naming no context is scope-names-no-context's finding
		}
		for j := range v.Contexts {
			if c := &v.Contexts[j]; d.Covers(c.ID) && excluded(c.Basis) {
				out = append(out, Finding{
					Message: fmt.Sprintf(message, c.Name, notice.BasisLabel(c.Basis)),
					Subject: fmt.Sprintf("rights/%d", i), Provenance: d.Provenance,
				})
			}
		}
	}
	return out
}

func objectionMissing(v *notice.Version, _ Options) []Finding {
	return perContext(v, func(c *notice.Context) string {
		if !objectionBasis(c.Basis) || covering(v, notice.RightObjection, c.ID) >= 0 {
			return ""
		}
		return fmt.Sprintf("%s relies on %s, so people may object to it (Article 21(1)), and the right must be brought to their attention (Article 21(4)), but the notice does not say so.",
			notice.Capitalise(c.Name), notice.BasisLabel(c.Basis))
	})
}

// objectionBasis is what Article 21(1), as amended by the Data (Use and
// Access) Act 2025, covers: points (e), (ea) and (f) of Article 6(1).
func objectionBasis(b notice.Basis) bool {
	return b == notice.BasisPublicTask || b == notice.BasisRecognisedLegitimateInterests || b == notice.BasisLegitimateInterests
}

// objectionBeyondLaw flags objection offered for processing on a basis
// Article 21(1) does not cover. Consent is left alone: withdrawal gives the
// person what an objection would, so offering both misleads nobody.
func objectionBeyondLaw(v *notice.Version, _ Options) []Finding {
	return promisedWhereExcluded(v, notice.RightObjection,
		func(b notice.Basis) bool {
			return b == notice.BasisContract || b == notice.BasisLegalObligation || b == notice.BasisVitalInterests
		},
		"Objection is offered for %s, which relies on %s; Article 21(1) (as amended by the Data (Use and Access) Act 2025) gives it only for processing based on Article 6(1)(e), (ea) or (f), so such objections will be refused.")
}

// withdrawalBeyondLaw flags consent withdrawal offered for processing the
// notice bases on something else: either the basis is wrong or the consent
// is another kind (cookies under PECR reg 6), which the notice should say.
func withdrawalBeyondLaw(v *notice.Version, _ Options) []Finding {
	return promisedWhereExcluded(v, notice.RightWithdrawConsent,
		func(b notice.Basis) bool { return b != notice.BasisConsent && b != notice.BasisUnstated },
		"Withdrawing consent is offered for %s, which relies on %s, not consent (Article 7(3) applies only to consent); if the consent is for cookies, say so (PECR regulation 6) and state the basis for the processing.")
}

// erasureUnderLegalObligation flags erasure promised where the basis is a
// legal obligation. Public task is left alone although Article 17(3)(b)
// names it too: there a successful objection leads to erasure under
// Article 17(1)(c), so promising erasure is not wrong.
func erasureUnderLegalObligation(v *notice.Version, _ Options) []Finding {
	return promisedWhereExcluded(v, notice.RightErasure,
		func(b notice.Basis) bool { return b == notice.BasisLegalObligation },
		"Erasure is promised for %s, which relies on %s; Article 17(3)(b) excludes erasure where processing is needed to comply with a legal obligation, so such requests will be refused.")
}

// retentionWithoutPeriod reports, once per retention rule, the contexts
// for which that rule is the first that applies and none gives a period;
// a context no rule applies to is reported on its own.
func retentionWithoutPeriod(v *notice.Version, _ Options) []Finding {
	if len(v.Retention) == 0 {
		return []Finding{{Message: "The notice does not say how long data is kept, or the criteria used to decide (Article 13(2)(a)).", Subject: "retention"}}
	}
	var (
		out    []Finding
		byRule = map[int][]string{}
		order  []int
	)
	for i := range v.Contexts {
		c := &v.Contexts[i]
		first, periodic := retentionFor(v, c.ID)
		switch {
		case periodic:
		case first < 0:
			out = append(out, contextFinding(c, fmt.Sprintf("No retention rule covers %s, so the notice does not say how long its data is kept.", c.Name)))
		default:
			if byRule[first] == nil {
				order = append(order, first)
			}
			byRule[first] = append(byRule[first], c.Name)
		}
	}
	for _, i := range order {
		out = append(out, Finding{
			Message: fmt.Sprintf("The retention rules for %s give no period, end date, trigger or review cycle, so there is no point at which the data is due for deletion.", strings.Join(byRule[i], " and ")),
			Subject: fmt.Sprintf("retention/%d", i), Provenance: v.Retention[i].Provenance,
		})
	}
	return out
}

// retentionFor returns the first rule that applies to a context (or -1) and
// whether any rule that applies gives a period.
func retentionFor(v *notice.Version, contextID string) (first int, periodic bool) {
	first = -1
	for j, r := range v.Retention {
		if len(r.Scope) > 0 && !slices.Contains(r.Scope, contextID) {
			continue
		}
		if first < 0 {
			first = j
		}
		periodic = periodic || r.Months > 0 || r.Days > 0 || r.Until != "" || r.ReviewEvery > 0 || r.After != ""
	}
	return first, periodic
}

func retentionEnded(v *notice.Version, opts Options) []Finding {
	var out []Finding
	for i, r := range v.Retention {
		if opts.Today != "" && r.Until != "" && r.Until < opts.Today {
			out = append(out, Finding{
				Message: fmt.Sprintf("The notice says data is kept until %s, which has passed: delete the data it covers, or publish a new version with the period that now applies.", r.Until),
				Subject: fmt.Sprintf("retention/%d", i), Provenance: r.Provenance,
			})
		}
	}
	return out
}

func scopeNamesNoContext(v *notice.Version, _ Options) []Finding {
	var out []Finding
	for i, d := range v.Rights {
		if d.ScopeText != "" && len(d.Scope) == 0 {
			out = append(out, Finding{
				Message: fmt.Sprintf("The right to %s is limited (%s), but that names none of the notice's processing activities, so nobody can tell whom it covers.",
					strings.ReplaceAll(string(d.Right), "_", " "), d.ScopeText),
				Subject: fmt.Sprintf("rights/%d", i), Provenance: d.Provenance,
			})
		}
	}
	return out
}

// covering returns the index of the first declaration of r that covers the
// context, or -1.
func covering(v *notice.Version, r notice.Right, contextID string) int {
	return slices.IndexFunc(v.Rights, func(d notice.DeclaredRight) bool { return d.Right == r && d.Covers(contextID) })
}

// offeredFor names the contexts scoped declarations of r are limited to.
func offeredFor(v *notice.Version, r notice.Right) []string {
	var names []string
	for _, d := range v.Rights {
		if d.Right != r {
			continue
		}
		for _, id := range d.Scope {
			if c, ok := v.Context(id); ok && !slices.Contains(names, c.Name) {
				names = append(names, c.Name)
			}
		}
	}
	return names
}

// perContext reports, for each context, the finding message returns ("" for
// none), pointing at the line that states the context's basis.
func perContext(v *notice.Version, message func(c *notice.Context) string) []Finding {
	var out []Finding
	for i := range v.Contexts {
		if msg := message(&v.Contexts[i]); msg != "" {
			out = append(out, contextFinding(&v.Contexts[i], msg))
		}
	}
	return out
}

func contextFinding(c *notice.Context, msg string) Finding {
	return Finding{Message: msg, Subject: "contexts/" + c.ID, Provenance: c.Provenance}
}

func orNone(categories []string) string {
	if len(categories) == 0 {
		return "categories not named"
	}
	return strings.Join(categories, ", ")
}

func noLawfulBasis(v *notice.Version, _ Options) []Finding {
	return perContext(v, func(c *notice.Context) string {
		if c.Basis != notice.BasisUnstated {
			return ""
		}
		return fmt.Sprintf("The notice pairs %s with no Article 6 lawful basis; Article 13(1)(c) requires the basis for each purpose, and which rights apply depends on it.", c.Name)
	})
}

func basisBeforeCommencement(v *notice.Version, _ Options) []Finding {
	return perContext(v, func(c *notice.Context) string {
		if c.Basis != notice.BasisRecognisedLegitimateInterests || v.EffectiveFrom == "" || v.EffectiveFrom >= notice.DUAACommencement {
			return ""
		}
		return fmt.Sprintf("%s relies on recognised legitimate interests (Article 6(1)(ea)), which the Data (Use and Access) Act 2025 s.70 inserted only from %s (SI 2026/82), but this version is in force from %s.",
			notice.Capitalise(c.Name), notice.DUAACommencement, v.EffectiveFrom)
	})
}

func criminalWithoutCondition(v *notice.Version, _ Options) []Finding {
	return perContext(v, func(c *notice.Context) string {
		if c.Criminal == nil || strings.TrimSpace(c.Criminal.Condition) != "" {
			return ""
		}
		return fmt.Sprintf("%s involves personal data about criminal convictions or offences but names no authority for it; Article 10 allows it only under official authority or a condition in DPA 2018 Schedule 1 (s.10(5)).",
			notice.Capitalise(c.Name))
	})
}

// invalidMechanisms are transfer mechanisms the courts struck down: the
// EU–US Privacy Shield (Data Protection Commissioner v Facebook Ireland and
// Schrems, C-311/18, 16 July 2020) and Safe Harbour before it (Schrems,
// C-362/14, 6 October 2015). The UK–US data bridge (from 12 October 2023)
// relies on the EU–US Data Privacy Framework's UK Extension, not on them.
var invalidMechanisms = []struct{ words, name, ended string }{
	{"privacy shield", "the EU–US Privacy Shield", "the Court of Justice struck it down on 16 July 2020 (Schrems II, C-311/18)"},
	{"safe harbour", "Safe Harbour", "the Court of Justice struck it down on 6 October 2015 (Schrems, C-362/14)"},
	{"safe harbor", "Safe Harbour", "the Court of Justice struck it down on 6 October 2015 (Schrems, C-362/14)"},
}

func transferMechanismInvalid(v *notice.Version, _ Options) []Finding {
	var out []Finding
	for i, t := range v.Transfers {
		lower := strings.ToLower(t.Safeguard)
		for _, m := range invalidMechanisms {
			if strings.Contains(lower, m.words) {
				out = append(out, Finding{
					Message: fmt.Sprintf("The transfer to %s relies on %s, which is no longer a valid transfer mechanism: %s. Name the safeguard now relied on (UK adequacy regulations such as the UK–US data bridge, the IDTA or the UK Addendum to the EU clauses).",
						t.Destination, m.name, m.ended),
					Subject: fmt.Sprintf("transfers/%d", i), Provenance: t.Provenance,
				})
				break
			}
		}
	}
	return out
}

func transferWithoutSafeguard(v *notice.Version, _ Options) []Finding {
	var out []Finding
	for i, t := range v.Transfers {
		if strings.TrimSpace(t.Safeguard) == "" {
			out = append(out, Finding{
				Message: fmt.Sprintf("Data may go %s, but the notice names no safeguard (adequacy regulations, the IDTA or the UK Addendum, binding corporate rules, or an Article 49 exception); Article 13(1)(f) requires it.",
					destinationPhrase(t.Destination)),
				Subject: fmt.Sprintf("transfers/%d", i), Provenance: t.Provenance,
			})
		}
	}
	return out
}

// destinationPhrase reads "outside the UK" as it is and a country as "to the
// United States".
func destinationPhrase(d string) string {
	if strings.HasPrefix(d, "outside") || strings.HasPrefix(d, "to ") {
		return d
	}
	return "to " + d
}

func noRightsListed(v *notice.Version, _ Options) []Finding {
	if len(v.Rights) > 0 {
		return nil
	}
	return []Finding{{Message: "The notice lists none of the data subject's rights (access, rectification, erasure, restriction, objection, portability, withdrawing consent); Article 13(2)(b) and (c) require them.", Subject: "rights"}}
}

// rightsOmitContext reports processing no declaration covers when the
// rights the notice lists are all limited elsewhere: the basis was stated
// in the body, but the rights section forgot it.
func rightsOmitContext(v *notice.Version, _ Options) []Finding {
	if len(v.Rights) == 0 {
		return nil
	}
	return perContext(v, func(c *notice.Context) string {
		if slices.ContainsFunc(v.Rights, func(d notice.DeclaredRight) bool { return d.Covers(c.ID) }) {
			return ""
		}
		return fmt.Sprintf("The notice states a lawful basis (%s) for %s, but every right it lists is limited to other processing, so it tells people none of their rights over this.",
			notice.BasisLabel(c.Basis), c.Name)
	})
}

func automatedWithoutSafeguards(v *notice.Version, _ Options) []Finding {
	law := "Article 22(3) and Article 13(2)(f) require the right to obtain human intervention and to contest the decision"
	if v.EffectiveFrom == "" || v.EffectiveFrom >= notice.DUAACommencement {
		law = "Article 22C (in force from 5 February 2026) requires telling people about such decisions and letting them make representations, obtain human intervention and contest them"
	}
	return perContext(v, func(c *notice.Context) string {
		if !c.SolelyAutomatedDecisions || covering(v, notice.RightAutomatedDecisionReview, c.ID) >= 0 {
			return ""
		}
		return fmt.Sprintf("%s makes decisions based solely on automated processing, but the notice offers no way to have one reviewed; %s.",
			notice.Capitalise(c.Name), law)
	})
}

func noticeUndated(v *notice.Version, _ Options) []Finding {
	if v.Source.Published != "" || v.Source.Updated != "" {
		return nil
	}
	return []Finding{{Message: fmt.Sprintf("The notice gives no published or last-updated date, so it was taken to apply from %s, the day it was imported; date the notice so people can tell which version they read.", v.EffectiveFrom), Subject: "source"}}
}
