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
	{"special-category-without-condition", Error, "special category data with no Article 9 condition", specialWithoutCondition},
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
	var out []Finding
	for i := range v.Contexts {
		c := &v.Contexts[i]
		if c.Special != nil && strings.TrimSpace(c.Special.Condition) == "" {
			out = append(out, contextFinding(c, fmt.Sprintf(
				"%s involves special category data (%s) but names no Article 9 condition; processing it is unlawful without one.",
				notice.Capitalise(c.Name), orNone(c.Special.Categories))))
		}
	}
	return out
}

func noComplaintRoute(v *notice.Version, _ Options) []Finding {
	a := &v.ComplaintAuthority
	switch {
	case a.Name == "":
		return []Finding{{Message: "The notice does not tell people they can complain to the Information Commissioner's Office (or another supervisory authority).", Subject: "complaint_authority"}}
	case !reachable(a):
		return []Finding{{Message: fmt.Sprintf("The notice names %s for complaints but gives no address, email, phone number or web page to reach it.", a.Name), Subject: "complaint_authority"}}
	}
	return nil
}

func noDPOContact(v *notice.Version, _ Options) []Finding {
	if reachable(&v.DPO) {
		return nil
	}
	return []Finding{{Message: "The notice gives no address, email or phone number for a data protection officer; where the controller has one (every public authority must), the notice must say how to reach them.", Subject: "dpo"}}
}

func reachable(p *notice.Party) bool {
	return p.Address != "" || p.Email != "" || p.Phone != "" || p.Web != ""
}

func withdrawalMissing(v *notice.Version, _ Options) []Finding {
	var out []Finding
	for i := range v.Contexts {
		c := &v.Contexts[i]
		if c.Basis == notice.BasisConsent && covering(v, notice.RightWithdrawConsent, c.ID) < 0 {
			out = append(out, contextFinding(c, fmt.Sprintf(
				"%s relies on consent, but the notice does not say consent can be withdrawn or how; people can withdraw it at any time (Article 7(3)).",
				notice.Capitalise(c.Name))))
		}
	}
	return out
}

func portabilityMissing(v *notice.Version, _ Options) []Finding {
	var out []Finding
	offered := offeredFor(v, notice.RightPortability)
	for i := range v.Contexts {
		c := &v.Contexts[i]
		if applies, _ := notice.Statutory(notice.RightPortability, c); !applies || covering(v, notice.RightPortability, c.ID) >= 0 {
			continue
		}
		msg := fmt.Sprintf("%s relies on %s and is carried out by automated means, so Article 20 gives portability, but the notice does not offer it",
			notice.Capitalise(c.Name), notice.BasisLabel(c.Basis))
		if len(offered) > 0 {
			msg += "; it offers portability only in relation to " + strings.Join(offered, " and ")
		}
		out = append(out, contextFinding(c, msg+"."))
	}
	return out
}

func portabilityBeyondLaw(v *notice.Version, _ Options) []Finding {
	return promisedWhereExcluded(v, notice.RightPortability,
		func(b notice.Basis) bool { return b != notice.BasisConsent && b != notice.BasisContract },
		"Portability is promised for %s, which relies on %s; Article 20 gives it only where processing is based on consent or contract, so requesters will expect more than the law requires.")
}

// promisedWhereExcluded reports each declaration of r that covers a context
// whose basis excluded says the law does not give r; message takes the
// context's name and basis.
func promisedWhereExcluded(v *notice.Version, r notice.Right, excluded func(notice.Basis) bool, message string) []Finding {
	var out []Finding
	for i, d := range v.Rights {
		if d.Right != r {
			continue
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
	var out []Finding
	for i := range v.Contexts {
		c := &v.Contexts[i]
		if (c.Basis == notice.BasisPublicTask || c.Basis == notice.BasisLegitimateInterests) && covering(v, notice.RightObjection, c.ID) < 0 {
			out = append(out, contextFinding(c, fmt.Sprintf(
				"%s relies on %s, so people may object to it (Article 21(1)), but the notice does not say so.",
				notice.Capitalise(c.Name), notice.BasisLabel(c.Basis))))
		}
	}
	return out
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
		periodic = periodic || r.Months > 0 || r.Until != "" || r.ReviewEvery > 0 || r.After != ""
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

func contextFinding(c *notice.Context, msg string) Finding {
	return Finding{Message: msg, Subject: "contexts/" + c.ID, Provenance: c.Provenance}
}

func orNone(categories []string) string {
	if len(categories) == 0 {
		return "categories not named"
	}
	return strings.Join(categories, ", ")
}
