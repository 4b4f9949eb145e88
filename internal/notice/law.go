package notice

import (
	"fmt"
	"slices"
	"strings"
)

// lawAnswer is what UK GDPR gives, regardless of what a notice says.
type lawAnswer struct {
	applies bool
	reason  string
}

// BasisLabel is the plain-English name of a lawful basis.
func BasisLabel(b Basis) string {
	return strings.ReplaceAll(string(b), "_", " ")
}

// Statutory reports whether UK GDPR gives right r for processing context c,
// whatever the notice says, with the reason in plain English. Lint compares
// a notice's promises against it.
func Statutory(r Right, c *Context) (applies bool, reason string) {
	a := statutory(r, c)
	return a.applies, a.reason
}

// statutory encodes the rights-by-lawful-basis table of UK GDPR.
func statutory(r Right, c *Context) lawAnswer {
	relies := fmt.Sprintf("this processing (%s) relies on %s", c.Name, BasisLabel(c.Basis))
	switch r {
	case RightAccess:
		return lawAnswer{true, "Everyone has the right of access (Article 15), whatever the lawful basis."}
	case RightRectification:
		return lawAnswer{true, "Rectification and completion (Article 16) apply whatever the lawful basis."}
	case RightRestriction:
		return lawAnswer{true, "Restriction (Article 18) applies whatever the lawful basis, in the circumstances Article 18(1) sets out."}
	case RightObjectionDirectMarketing:
		return lawAnswer{true, "Objection to direct marketing (Article 21(2)) is absolute and applies whatever the lawful basis."}
	case RightErasure:
		if c.Basis == BasisLegalObligation || c.Basis == BasisPublicTask {
			return lawAnswer{false, "Erasure (Article 17) does not apply where processing is necessary for a legal obligation or a public task (Article 17(3)(b)); " + relies + "."}
		}
		return lawAnswer{true, "Erasure (Article 17) can apply where one of the grounds in Article 17(1) is met; " + relies + "."}
	case RightObjection:
		return objectionLaw(c, relies)
	case RightWithdrawConsent:
		if c.Basis == BasisConsent {
			return lawAnswer{true, "Consent can be withdrawn at any time (Article 7(3)); " + relies + "."}
		}
		return lawAnswer{false, "Withdrawing consent applies only where consent is the lawful basis; " + relies + "."}
	case RightPortability:
		return portabilityLaw(c, relies)
	case RightAutomatedDecisionReview:
		if c.SolelyAutomatedDecisions {
			return lawAnswer{true, "Article 22 applies because this processing makes solely automated decisions with legal or similarly significant effects."}
		}
		return lawAnswer{false, fmt.Sprintf("Article 22 applies only to solely automated decisions with legal or similarly significant effects; the notice describes none for %s.", c.Name)}
	}
	return lawAnswer{false, fmt.Sprintf("%q is not a right this system knows.", r)}
}

func objectionLaw(c *Context, relies string) lawAnswer {
	switch c.Basis {
	case BasisPublicTask, BasisLegitimateInterests:
		return lawAnswer{true, "Objection (Article 21(1)) applies to processing based on public task or legitimate interests; " + relies + "."}
	case BasisConsent:
		return lawAnswer{false, "Objection (Article 21(1)) does not apply to processing based on consent; the person can withdraw consent instead."}
	}
	return lawAnswer{false, "Objection (Article 21(1)) applies only to processing based on public task or legitimate interests; " + relies + "."}
}

func portabilityLaw(c *Context, relies string) lawAnswer {
	if c.Basis != BasisConsent && c.Basis != BasisContract {
		return lawAnswer{false, "Portability (Article 20) applies only to processing based on consent or contract; " + relies + "."}
	}
	if !c.Automated {
		return lawAnswer{false, "Portability (Article 20) applies only to processing carried out by automated means, and this processing is not."}
	}
	return lawAnswer{true, "Portability (Article 20) applies to processing based on consent or contract and carried out by automated means; " + relies + "."}
}

// acrossContexts answers for the notice as a whole: the law gives the right
// if it gives it for any context, and applying names those contexts. When it
// gives it nowhere, contexts refused for the same reason share one sentence.
func acrossContexts(v *Version, r Right) (law lawAnswer, applying []string) {
	const placeholder = "\x00"
	type group struct {
		template string
		names    []string
	}
	var groups []group
	for i := range v.Contexts {
		anonymous := v.Contexts[i]
		anonymous.Name = placeholder
		a := statutory(r, &anonymous)
		if a.applies {
			if len(applying) == 0 {
				law = statutory(r, &v.Contexts[i])
			}
			applying = append(applying, v.Contexts[i].Name)
			continue
		}
		at := slices.IndexFunc(groups, func(g group) bool { return g.template == a.reason })
		if at < 0 {
			groups, at = append(groups, group{template: a.reason}), len(groups)
		}
		groups[at].names = append(groups[at].names, v.Contexts[i].Name)
	}
	if law.applies {
		return law, applying
	}
	reasons := make([]string, len(groups))
	for i, g := range groups {
		reasons[i] = strings.ReplaceAll(g.template, placeholder, strings.Join(g.names, "; "))
	}
	return lawAnswer{false, strings.Join(reasons, " ")}, nil
}
