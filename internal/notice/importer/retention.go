package importer

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/notice"
)

var (
	keepCue  = regexp.MustCompile(`\b(?:kept|keep|keeps|retain|retained|retains|held|hold|stored|store|delete|deleted|deletes|erase|erased|destroy|destroyed|dispose|disposed|anonymi[sz]\w*|remove|removed|review|reviewed|reviews)\b|\bannual|each year|every year|once a year`)
	keepVerb = regexp.MustCompile(`\b(?:kept|keep|retain|retained|held|delete|deleted|erase|erased|destroy|destroyed)\b`)
	numWord  = `\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|eighteen|twenty|twenty-four|thirty|thirty-six`
	duration = regexp.MustCompile(`\b(` + numWord + `)(?:\s*\(\d{1,3}\))?[\s-]+(years?|months?|weeks?|days?)\b`)
	every    = regexp.MustCompile(`\b(?:every|each)\s+(?:(` + numWord + `)\s+)?(years?|months?)\b|\bannual(?:ly| basis| review)?\b|once a year|\byearly\b`)
	after    = regexp.MustCompile(`\b(?:after|upon)\s+(.+?)(?:[,;.:]|$)`)
	ifClause = regexp.MustCompile(`(?i)^(?:if|when|once)\s+(.+?),`)
	endOf    = regexp.MustCompile(`\buntil (?:the )?end of (?:([a-z]+) )?(\d{4})\b`)
	until    = regexp.MustCompile(`\buntil\s+(.{6,30})`)
)

var numberWords = map[string]int{
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
	"eleven": 11, "twelve": 12, "fifteen": 15, "eighteen": 18, "twenty": 20, "twenty-four": 24, "thirty": 30, "thirty-six": 36,
}

func number(s string) int {
	if n, ok := numberWords[s]; ok {
		return n
	}
	n, _ := strconv.Atoi(s)
	return n
}

// months turns a period into whole months, rounding a number of weeks or
// days up: the rule is never shorter than the notice says.
func months(n int, unit string) int {
	switch {
	case strings.HasPrefix(unit, "year"):
		return n * 12
	case strings.HasPrefix(unit, "month"):
		return n
	case strings.HasPrefix(unit, "week"):
		return (n*7 + 29) / 30
	}
	return (n + 29) / 30
}

// retention reads the retention section's sentences about keeping,
// deleting or reviewing data, and anywhere else a sentence that keeps data
// for a stated period. A list under a retention sentence holds its
// criteria ("for as long as you meet the following criteria:").
func (p *parser) retention() {
	rules := map[int]int{} // introducing unit → index of its rule
	for ui := range p.d.units {
		u := p.unit(ui)
		t := p.topicOf(ui)
		if u.lower == "" || t == topicRights || t == topicTransfers || t == topicChildren || childCue.MatchString(u.lower) || len(p.v.Retention) >= maxItems {
			continue
		}
		if at, ok := rules[u.leadIn]; ok && u.leadIn >= 0 {
			p.criterion(at, ui)
			continue
		}
		inSection := t == topicRetention && keepCue.MatchString(u.lower)
		if !inSection && !(keepVerb.MatchString(u.lower) && duration.MatchString(u.lower)) {
			continue
		}
		r := retentionRule(u)
		if c := p.scopedContext(ui); c != nil {
			r.Scope = []string{c.ID}
		}
		r.Provenance = p.take(ui, "retention", r.Description, shaped)
		rules[ui] = len(p.v.Retention)
		p.v.Retention = append(p.v.Retention, r)
	}
}

func (p *parser) criterion(rule, ui int) {
	r := &p.v.Retention[rule]
	sep := "; "
	if strings.HasSuffix(r.Description, ":") {
		sep = " "
	}
	r.Description += sep + itemText(p.unit(ui).text)
	pr := p.take(ui, "retention.criteria", itemText(p.unit(ui).text), shaped)
	r.Provenance.EndLine = max(pr.Line, pr.EndLine)
}

// retentionRule reads the period, trigger, end date and review cycle.
func retentionRule(u *unit) notice.RetentionRule {
	r := notice.RetentionRule{Description: excerpt(u.text)}
	if m := every.FindStringSubmatch(u.lower); m != nil {
		r.ReviewEvery = 12
		if m[1] != "" || strings.HasPrefix(m[2], "month") {
			r.ReviewEvery = months(max(number(m[1]), 1), m[2])
		}
	}
	for _, m := range duration.FindAllStringSubmatchIndex(u.lower, -1) {
		if reviewed := every.FindStringIndex(u.lower); reviewed != nil && reviewed[0] <= m[0] && m[0] <= reviewed[1] {
			continue // "every 12 months" is the review, not the period
		}
		r.Months = months(number(u.lower[m[2]:m[3]]), u.lower[m[4]:m[5]])
		break
	}
	r.After = trigger(u)
	r.Until = endDate(u.lower)
	return r
}

// trigger is the event a period runs from: "after you have left the
// department", or an opening "If you delete your individual account, …".
func trigger(u *unit) string {
	if m := after.FindStringSubmatch(u.fold); m != nil && !strings.HasPrefix(strings.ToLower(m[1]), "which") {
		return m[1]
	}
	if m := ifClause.FindStringSubmatch(u.fold); m != nil {
		return m[1]
	}
	return ""
}

func endDate(lower string) string {
	if m := endOf.FindStringSubmatch(lower); m != nil {
		y, ok := year(m[2])
		if !ok {
			return ""
		}
		month := time.December
		if t, err := time.Parse("January", notice.Capitalise(m[1])); m[1] != "" && err == nil {
			month = t.Month()
		}
		return time.Date(y, month+1, 0, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}
	if m := until.FindStringSubmatch(lower); m != nil {
		if iso, precise, ok := parseDate(m[1]); ok && precise {
			return iso
		}
	}
	return ""
}

var (
	transferCue   = regexp.MustCompile(`transferr|outside (?:of )?the|overseas|abroad|\binternational`)
	noTransfer    = regexp.MustCompile(`\b(?:will not|won't|do not|does not|never) (?:store|transfer|process|send)|not (?:be )?(?:stored|transferred|processed) outside`)
	destOutside   = regexp.MustCompile(`\b[Oo]utside (?:of )?(?:the )?(UK|United Kingdom|European Union|EU|European Economic Area|EEA|[A-Z][a-z]+)\b`)
	destIn        = regexp.MustCompile(`\b(?:transferred|stored|processed|hosted)(?: and (?:stored|processed|hosted))?(?: securely)? in (?:the )?([A-Z][A-Za-z]+(?: (?:of )?[A-Z][A-Za-z]+)*)`)
	safeguardCue  = regexp.MustCompile(`(?i)contract(?:ual)? clauses|adequacy|privacy shield|binding corporate rules|data transfer agreement|\bidta\b|addendum|data privacy framework|appropriate safeguards`)
	safeguardText = regexp.MustCompile(`(?i)\bthrough (?:the use of )?(.+?)\.?$`)
)

// transfers pairs each destination ("it may be transferred and stored
// securely outside the European Union") with the safeguard stated in the
// same sentence or the next one ("…through the use of Model Contract
// Clauses").
func (p *parser) transfers() {
	for ui := range p.d.units {
		u := p.unit(ui)
		if u.lower == "" || !transferCue.MatchString(u.lower) || noTransfer.MatchString(u.lower) || len(p.v.Transfers) >= maxItems {
			continue
		}
		dest := destination(u.fold)
		if dest == "" || p.topicOf(ui) == topicRights {
			continue
		}
		t := notice.Transfer{Destination: dest}
		last := ui
		if t.Safeguard = safeguard(u.fold); t.Safeguard == "" && ui+1 < len(p.d.units) && p.unit(ui+1).block == u.block {
			if t.Safeguard = safeguard(p.unit(ui + 1).fold); t.Safeguard != "" {
				last = ui + 1
			}
		}
		t.Provenance = p.takeSpan(ui, last, "transfers", dest+" ("+t.Safeguard+")", stated)
		p.v.Transfers = append(p.v.Transfers, t)
	}
}

func destination(fold string) string {
	if m := destOutside.FindStringSubmatch(fold); m != nil {
		return "outside the " + m[1]
	}
	if m := destIn.FindStringSubmatch(fold); m != nil {
		return m[1]
	}
	return ""
}

func safeguard(fold string) string {
	if !safeguardCue.MatchString(fold) {
		return ""
	}
	if m := safeguardText.FindStringSubmatch(fold); m != nil {
		return m[1]
	}
	return safeguardCue.FindString(fold)
}

var (
	childCue  = regexp.MustCompile(`\bchild|\bminors?\b|young people`)
	ageUnder  = regexp.MustCompile(`\b(?:under|below) (?:the age of )?(\d{1,2})\b`)
	ageOrLess = regexp.MustCompile(`\b(\d{1,2}) (?:years of age |years old )?or (?:younger|under)\b`)
)

// children reads the age under which a notice does not knowingly collect data.
func (p *parser) children() {
	for ui := range p.d.units {
		u := p.unit(ui)
		if u.lower == "" || !(childCue.MatchString(u.lower) || p.topicOf(ui) == topicChildren) || p.v.Children != nil {
			continue
		}
		age := 0
		if m := ageUnder.FindStringSubmatch(u.lower); m != nil {
			age = number(m[1])
		} else if m := ageOrLess.FindStringSubmatch(u.lower); m != nil {
			age = number(m[1]) + 1
		}
		if age > 0 {
			pr := p.take(ui, "children.not_knowingly_under", strconv.Itoa(age), stated)
			p.v.Children = &notice.ChildrenPolicy{NotKnowinglyUnder: age, Provenance: pr}
		}
	}
}

var (
	automatedCue = regexp.MustCompile(`automated (?:individual )?decision|\bprofiling\b|decisions? (?:based )?solely on automated|automatically (?:decide|make decisions)`)
	// noAutomated denies automated decisions; "the right not to be subject
	// to a decision based solely on automated processing" is no denial.
	noAutomated = regexp.MustCompile(`\b(?:do not|does not|will not|don't|doesn't|won't|never) (?:use|make|carry out|take|undertake|rely)\b|\bno (?:automated|solely automated|decisions)\b`)
)

// automatedDecisions marks the context a statement about solely automated
// decisions applies to, and records a denial as a fact too.
func (p *parser) automatedDecisions() {
	for ui := range p.d.units {
		u := p.unit(ui)
		if u.lower == "" || !automatedCue.MatchString(u.lower) || p.topicOf(ui) == topicRights {
			continue
		}
		if noAutomated.MatchString(u.lower) {
			p.take(ui, "solely_automated_decisions", "none", stated)
			continue
		}
		if c := p.contextOf(ui); c != nil {
			c.SolelyAutomatedDecisions = true
			p.take(ui, fmt.Sprintf("contexts[%s].solely_automated_decisions", c.ID), "true", stated)
		}
	}
}
