package notice

import (
	"fmt"
	"slices"
	"strings"
)

// DUAACommencement is the day the Data (Use and Access) Act 2025 changes
// this package models came into force: s.70 and Schedule 4 (Art 6(1)(ea),
// recognised legitimate interests, and Annex 1), s.76 (Art 12A time limits)
// and s.80 and Schedule 6 (Articles 22A–22D in place of Article 22). The
// Data (Use and Access) Act 2025 (Commencement No. 6 and Transitional and
// Saving Provisions) Regulations 2026 (SI 2026/82, made 29 January 2026),
// regulation 2(c), (h) and (j), bring those sections into force on
// 5 February 2026. A notice version in force from that day, or a request
// received from it, is judged under the amended Articles; older ones keep
// Article 22.
const DUAACommencement = "2026-02-05"

// lawAnswer is what UK GDPR gives, regardless of what a notice says.
// condition, when set, is the one circumstance in which a right that does
// not usually apply does (erasure under public task after an objection).
type lawAnswer struct {
	applies   bool
	reason    string
	condition string
}

// BasisLabel is the plain-English name of a lawful basis.
func BasisLabel(b Basis) string {
	if b == BasisUnstated {
		return "no stated lawful basis"
	}
	return strings.ReplaceAll(string(b), "_", " ")
}

// Statutory reports whether UK GDPR, as it stood on the ISO date on, gives
// right r for processing context c, whatever the notice says, with the
// reason in plain English. Lint compares a notice's promises against it.
func Statutory(r Right, c *Context, on string) (applies bool, reason string) {
	a := statutory(r, c, on)
	return a.applies, a.reason
}

// amended reports whether the Data (Use and Access) Act 2025 changes were
// in force on the ISO date on; an unknown date is taken as today's law.
func amended(on string) bool { return on == "" || on >= DUAACommencement }

// statutory encodes the rights-by-lawful-basis table of UK GDPR.
func statutory(r Right, c *Context, on string) lawAnswer {
	relies := fmt.Sprintf("this processing (%s) relies on %s", c.Name, BasisLabel(c.Basis))
	switch r {
	case RightAccess:
		return lawAnswer{applies: true, reason: "Everyone has the right of access (Article 15), whatever the lawful basis."}
	case RightRectification:
		return lawAnswer{applies: true, reason: "Rectification and completion (Article 16) apply whatever the lawful basis."}
	case RightRestriction:
		return lawAnswer{applies: true, reason: "Restriction (Article 18) applies whatever the lawful basis, in the circumstances Article 18(1) sets out."}
	case RightObjectionDirectMarketing:
		return lawAnswer{applies: true, reason: "Objection to direct marketing (Article 21(2)) is absolute and applies whatever the lawful basis."}
	}
	if c.Basis == BasisUnstated {
		return unstatedBasisLaw(r, c, on)
	}
	switch r {
	case RightErasure:
		return erasureLaw(c, relies)
	case RightObjection:
		return objectionLaw(c, relies)
	case RightWithdrawConsent:
		if c.Basis == BasisConsent {
			return lawAnswer{applies: true, reason: "Consent can be withdrawn at any time (Article 7(3)); " + relies + "."}
		}
		return lawAnswer{reason: "Withdrawing consent applies only where consent is the lawful basis; " + relies + "."}
	case RightPortability:
		return portabilityLaw(c, relies)
	case RightAutomatedDecisionReview:
		return automatedDecisionLaw(c, on)
	}
	return lawAnswer{reason: fmt.Sprintf("%q is not a right this system knows.", r)}
}

// unstatedBasisLaw answers the rights that turn on the lawful basis for
// processing the notice gives none for: the request is received and the
// controller must say which basis it relies on before refusing it.
func unstatedBasisLaw(r Right, c *Context, on string) lawAnswer {
	if r == RightAutomatedDecisionReview {
		return automatedDecisionLaw(c, on)
	}
	return lawAnswer{applies: true, reason: fmt.Sprintf(
		"The notice states no lawful basis for %s (Article 13(1)(c) requires one), and whether this right applies depends on it; treat the request as valid until the controller confirms the basis it relies on.", c.Name)}
}

// erasureLaw: Article 17(3)(b) excludes erasure where processing is
// necessary for a legal obligation or a public task. Under public task a
// successful objection under Article 21(1) still leads to erasure
// (Article 17(1)(c)), so the answer there is "not usually", which is also
// why lint does not flag erasure promised under public task.
func erasureLaw(c *Context, relies string) lawAnswer {
	switch c.Basis {
	case BasisLegalObligation:
		return lawAnswer{reason: "Erasure (Article 17) does not apply where processing is necessary to comply with a legal obligation (Article 17(3)(b)), and the person cannot object to such processing, so Article 17(1)(c) cannot apply either; " + relies + "."}
	case BasisPublicTask:
		return lawAnswer{applies: true,
			condition: "Only if the person successfully objects to the processing (Article 17(1)(c))",
			reason: "Not usually — unless the person successfully objects (Article 17(1)(c)): erasure (Article 17) does not apply where processing is necessary for a task in the public interest or in the exercise of official authority (Article 17(3)(b)), but once the person objects under Article 21(1) and the controller has no overriding legitimate grounds, Article 17(1)(c) requires erasure; " +
				relies + "."}
	}
	return lawAnswer{applies: true, reason: "Erasure (Article 17) can apply where one of the grounds in Article 17(1) is met; " + relies + "."}
}

// objectionLaw: Article 21(1), as amended by the Data (Use and Access) Act
// 2025, covers processing based on points (e), (ea) and (f) of Article 6(1)
// only.
func objectionLaw(c *Context, relies string) lawAnswer {
	switch c.Basis {
	case BasisPublicTask, BasisRecognisedLegitimateInterests, BasisLegitimateInterests:
		return lawAnswer{applies: true, reason: "Objection (Article 21(1)) applies to processing based on public task, recognised legitimate interests or legitimate interests (Article 6(1)(e), (ea) or (f)); " + relies + "."}
	case BasisConsent:
		return lawAnswer{reason: "Objection (Article 21(1)) does not apply to processing based on consent; the person can withdraw consent instead."}
	}
	return lawAnswer{reason: "Objection (Article 21(1)) applies only to processing based on public task, recognised legitimate interests or legitimate interests (Article 6(1)(e), (ea) or (f)); " + relies + "."}
}

// portabilityLaw: Article 20(1) covers only the personal data the person
// provided, where processing is based on consent (or explicit consent) or
// contract and carried out by automated means.
func portabilityLaw(c *Context, relies string) lawAnswer {
	const scope = "Portability (Article 20) covers only the personal data you provided to the controller"
	if c.Basis != BasisConsent && c.Basis != BasisContract {
		return lawAnswer{reason: scope + ", and applies only where processing is based on consent or contract; " + relies + "."}
	}
	if !c.Automated {
		return lawAnswer{reason: scope + ", and applies only to processing carried out by automated means, and this processing is not."}
	}
	return lawAnswer{applies: true, reason: scope + ", where processing is based on consent or contract and carried out by automated means; " + relies + "."}
}

// automatedDecisionLaw cites Article 22 for the law before the Data (Use
// and Access) Act 2025 s.80 came into force, and Articles 22A–22D from then:
// significant decisions based solely on automated processing are allowed
// with the safeguards of Article 22C (information about the decision, the
// chance to make representations, human intervention, and to contest it),
// and restricted where special category data is involved (Article 22B).
func automatedDecisionLaw(c *Context, on string) lawAnswer {
	if !amended(on) {
		if c.SolelyAutomatedDecisions {
			return lawAnswer{applies: true, reason: "Article 22 applies because this processing makes solely automated decisions with legal or similarly significant effects."}
		}
		return lawAnswer{reason: fmt.Sprintf("Article 22 applies only to solely automated decisions with legal or similarly significant effects; the notice describes none for %s.", c.Name)}
	}
	if c.SolelyAutomatedDecisions {
		return lawAnswer{applies: true, reason: "Articles 22A–22D (which replaced Article 22 from 5 February 2026) apply because this processing makes significant decisions based solely on automated processing: the person must be told of such a decision and can make representations about it, obtain human intervention and contest it (Article 22C)."}
	}
	return lawAnswer{reason: fmt.Sprintf("Articles 22A–22D (which replaced Article 22 from 5 February 2026) apply only to significant decisions based solely on automated processing; the notice describes none for %s.", c.Name)}
}

// acrossContexts answers for the notice as a whole: the law gives the right
// if it gives it for any context, and applying names those contexts; the
// answer quoted is the first without a condition, where there is one. When
// it gives it nowhere, contexts refused for the same reason share one
// sentence.
func acrossContexts(v *Version, r Right, on string) (law lawAnswer, applying []string) {
	const placeholder = "\x00"
	type group struct {
		template string
		names    []string
	}
	var groups []group
	for i := range v.Contexts {
		anonymous := v.Contexts[i]
		anonymous.Name = placeholder
		a := statutory(r, &anonymous, on)
		if a.applies {
			if len(applying) == 0 || law.condition != "" && a.condition == "" {
				law = statutory(r, &v.Contexts[i], on)
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
	return lawAnswer{reason: strings.Join(reasons, " ")}, nil
}
