package notice

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Availability is the answer to "does this notice give this right here?".
type Availability string

const (
	// Declared: the notice gives the right, without a condition.
	Declared Availability = "declared"
	// DeclaredConditionally: the notice gives it only for part of the
	// processing, or with a qualifier ("may", "in certain circumstances").
	DeclaredConditionally Availability = "declared_conditionally"
	// StatutoryNotDeclared: the notice is silent but the law gives the right.
	StatutoryNotDeclared Availability = "statutory_not_declared"
	// NotApplicable: the law does not give the right under this lawful basis.
	NotApplicable Availability = "not_applicable"
)

// Evaluation is the answer for one right, with the reason a caseworker can
// read out and, where the notice declares it, the declaration.
type Evaluation struct {
	Right        Right
	Availability Availability
	Condition    string
	Reason       string
	Declaration  *DeclaredRight
}

// UnknownContextError is returned when a context id is not in the version.
type UnknownContextError struct{ ID string }

func (e *UnknownContextError) Error() string {
	return fmt.Sprintf("the notice has no processing context %q", e.ID)
}

// Evaluate answers every right for the version, within one processing
// context or, when contextID is empty, across the whole notice, under the
// law as it stood when the version took effect.
func Evaluate(v *Version, contextID string) ([]Evaluation, error) {
	return EvaluateOn(v, contextID, "")
}

// EvaluateOn is Evaluate for a request received on the ISO date received:
// the law applied is the one in force on the later of that date and the
// version's effective date, so a request made after an amendment (Articles
// 22A–22D from 5 February 2026) is answered under it even when the notice
// is older.
func EvaluateOn(v *Version, contextID, received string) ([]Evaluation, error) {
	out := make([]Evaluation, 0, len(Rights))
	for _, r := range Rights {
		e, err := EvaluateRightOn(v, contextID, r, received)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// EvaluateRight answers one right; see Evaluate.
func EvaluateRight(v *Version, contextID string, r Right) (Evaluation, error) {
	return EvaluateRightOn(v, contextID, r, "")
}

// EvaluateRightOn answers one right for a request received on the ISO date
// received (empty: judged as of the version's date); see EvaluateOn.
func EvaluateRightOn(v *Version, contextID string, r Right, received string) (Evaluation, error) {
	on := max(v.EffectiveFrom, received)
	if contextID == "" {
		return evaluateWholeNotice(v, r, on), nil
	}
	c, ok := v.Context(contextID)
	if !ok {
		return Evaluation{}, &UnknownContextError{ID: contextID}
	}
	return evaluateInContext(v, c, r, on), nil
}

func evaluateInContext(v *Version, c *Context, r Right, on string) Evaluation {
	law := statutory(r, c, on)
	decls := declarations(v, r)
	for i := range decls {
		if decls[i].Covers(c.ID) {
			return declaredEvaluation(r, &decls[i], qualifierCondition(&decls[i]), law)
		}
	}
	prefix := "The notice does not mention this right. "
	if len(decls) > 0 {
		prefix = fmt.Sprintf("The notice offers this right only %s, not for %s. ", scopePhrase(v, decls), c.Name)
	}
	if law.applies {
		return Evaluation{Right: r, Availability: StatutoryNotDeclared, Reason: prefix + "The law gives it all the same: " + law.reason}
	}
	return Evaluation{Right: r, Availability: NotApplicable, Reason: prefix + law.reason}
}

func evaluateWholeNotice(v *Version, r Right, on string) Evaluation {
	decls := declarations(v, r)
	for i := range decls {
		if len(decls[i].Scope) == 0 {
			law, _ := acrossContexts(v, r, on)
			return declaredEvaluation(r, &decls[i], qualifierCondition(&decls[i]), law)
		}
	}
	if len(decls) > 0 {
		d := &decls[0]
		condition := joinConditions(Capitalise(scopePhrase(v, decls)), qualifierCondition(d))
		return Evaluation{
			Right: r, Availability: DeclaredConditionally, Condition: condition, Declaration: d,
			Reason: fmt.Sprintf("The notice offers this right %s.%s", scopePhrase(v, decls), channelSentence(d)),
		}
	}
	const silent = "The notice does not mention this right. "
	law, applying := acrossContexts(v, r, on)
	switch {
	case !law.applies:
		return Evaluation{Right: r, Availability: NotApplicable, Reason: silent + law.reason}
	case len(applying) < len(v.Contexts):
		return Evaluation{Right: r, Availability: StatutoryNotDeclared,
			Reason: silent + "The law gives it in relation to " + strings.Join(applying, " and ") + ": " + law.reason}
	}
	return Evaluation{Right: r, Availability: StatutoryNotDeclared, Reason: silent + "The law gives it all the same: " + law.reason}
}

func declaredEvaluation(r Right, d *DeclaredRight, condition string, law lawAnswer) Evaluation {
	e := Evaluation{Right: r, Availability: Declared, Declaration: d, Reason: "The notice offers this right for this processing." + channelSentence(d)}
	if len(d.Scope) == 0 {
		e.Reason = "The notice offers this right for all its processing." + channelSentence(d)
	}
	if condition != "" {
		e.Availability, e.Condition = DeclaredConditionally, condition
	}
	switch {
	case !law.applies:
		e.Reason += " It goes beyond what the law requires here: " + law.reason
	case law.condition != "":
		e.Reason += " What the law says: " + law.reason
	}
	return e
}

func declarations(v *Version, r Right) []DeclaredRight {
	var out []DeclaredRight
	for _, d := range v.Rights {
		if d.Right == r {
			out = append(out, d)
		}
	}
	return out
}

// scopePhrase names the contexts the declarations are limited to,
// e.g. "in relation to satisfaction surveys".
func scopePhrase(v *Version, decls []DeclaredRight) string {
	var names []string
	for _, d := range decls {
		for _, id := range d.Scope {
			if c, ok := v.Context(id); ok {
				names = append(names, c.Name)
			}
		}
	}
	return "in relation to " + strings.Join(names, " and ")
}

func qualifierCondition(d *DeclaredRight) string {
	switch {
	case d.QualifierText != "":
		return Capitalise(d.QualifierText)
	case d.Qualifier == QualifierMay:
		return "The notice says you may have this right, depending on the circumstances"
	case d.Qualifier == QualifierCertainCircumstance:
		return "Only in certain circumstances"
	}
	return ""
}

func channelSentence(d *DeclaredRight) string {
	if d.Channel == nil {
		return ""
	}
	return " " + Capitalise(d.Channel.Description) + "."
}

func joinConditions(a, b string) string {
	if b == "" {
		return a
	}
	return a + "; " + lowerFirst(b)
}

// Capitalise upper-cases the first letter of s, whatever its encoded length.
func Capitalise(s string) string { return mapFirstRune(s, unicode.ToUpper) }

func lowerFirst(s string) string { return mapFirstRune(s, unicode.ToLower) }

func mapFirstRune(s string, f func(rune) rune) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(f(r)) + s[n:]
}
