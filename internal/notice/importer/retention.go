package importer

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/notice"
)

var (
	keepCue  = regexp.MustCompile(`\b(?:kept|keep|keeps|retain|retained|retains|held|hold|stored|store|delete|deleted|deletes|erase|erased|destroy|destroyed|dispose|disposed|deactivat\w*|anonymi[sz]\w*|remove|removed|review|reviewed|reviews)\b|\bannual|each year|every year|once a year`)
	keepVerb = regexp.MustCompile(`\b(?:kept|keep|retain|retained|held|stored|store|stores|delete|deleted|erase|erased|destroy|destroyed)\b`)
	numWord  = `\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|eighteen|twenty|twenty-four|thirty|thirty-six`
	// duration reads "7 years", "six (6) months", "3 financial years".
	duration = regexp.MustCompile(`\b(` + numWord + `)(?:\s*\(\d{1,3}\))?[\s-]+(?:(?:financial|calendar|working|academic) )?(years?|months?|weeks?|days?)\b`)
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

// period turns "n unit" into months or days: years and months as months,
// weeks and days as days, so "7 days" stays a week and is not read as a
// month.
func period(n int, unit string) (months, days int) {
	switch {
	case strings.HasPrefix(unit, "year"):
		return n * 12, 0
	case strings.HasPrefix(unit, "month"):
		return n, 0
	case strings.HasPrefix(unit, "week"):
		return 0, n * 7
	}
	return 0, n
}

// months is a review cycle in whole months, rounding weeks and days up.
func months(n int, unit string) int {
	m, d := period(n, unit)
	return m + (d+29)/30
}

// retention reads the retention section's sentences about keeping,
// deleting or reviewing data, and anywhere else a sentence that keeps data
// for a stated period. A list under a retention sentence holds its
// criteria ("for as long as you meet the following criteria:").
func (p *parser) retention() {
	p.retentionTables()
	rules := map[int]int{} // introducing unit → index of its rule
	for ui := range p.d.units {
		u := p.unit(ui)
		if isTableRow(p.d.blocks[u.block].text()) {
			continue // read by retentionTables
		}
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
		if p.repeatsRule(ui, r) {
			p.take(ui, "retention.repeated", r.Description, shaped)
			continue
		}
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

// retentionTables reads tables with a column saying how long each row's
// data is kept ("| _ga | … | 2 years |", a cookie table's "Expires"): each
// row is a rule for what its first cell names.
func (p *parser) retentionTables() {
	column := -1
	for bi := range p.d.blocks {
		b := &p.d.blocks[bi]
		if b.kind == heading || len(b.units) == 0 || !isTableRow(b.text()) {
			column = -1
			continue
		}
		cells := tableCells(b.text())
		if column < 0 {
			column = slices.IndexFunc(cells, func(c string) bool { return keptColumn.MatchString(strings.ToLower(c)) })
			if column >= 0 {
				p.useBlock(bi)
				p.record("retention.table", strings.Join(cells, " | "), p.prov(b.units[0], b.units[len(b.units)-1], shaped))
			}
			continue
		}
		if column >= len(cells) || len(p.v.Retention) >= maxItems {
			continue
		}
		p.tableRule(bi, cells[0], cells[column])
	}
}

var keptColumn = regexp.MustCompile(`expir|retention|retained|how long|kept for|duration|lifespan|lifetime`)

func tableCells(row string) []string {
	cells := strings.Split(strings.Trim(row, "| "), "|")
	for i := range cells {
		cells[i] = strings.TrimSpace(cells[i])
	}
	return cells
}

func (p *parser) tableRule(bi int, what, kept string) {
	b := &p.d.blocks[bi]
	lower := strings.ToLower(kept)
	r := notice.RetentionRule{Description: what + ": " + kept}
	if m := duration.FindStringSubmatch(lower); m != nil {
		r.Months, r.Days = period(number(m[1]), m[2])
	} else {
		r.After = strings.TrimPrefix(strings.TrimPrefix(lower, "when "), "until ")
	}
	r.Provenance = p.takeSpan(b.units[0], b.units[len(b.units)-1], "retention", r.Description, shaped)
	p.v.Retention = append(p.v.Retention, r)
}

// repeatsRule reports a sentence that only restates the period of the
// rule just before it in the same paragraph ("…up to 50 years after the
// closure of a case. After 50 years it will be securely destroyed.").
func (p *parser) repeatsRule(ui int, r notice.RetentionRule) bool {
	if ui == 0 || len(p.v.Retention) == 0 || r.Months == 0 && r.Days == 0 {
		return false
	}
	last := p.v.Retention[len(p.v.Retention)-1]
	prev := p.d.units[ui-1]
	return prev.block == p.unit(ui).block && last.Provenance.Line == prev.line && last.Months == r.Months && last.Days == r.Days
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
	matches := duration.FindAllStringSubmatchIndex(u.lower, -1)
	for i, m := range matches {
		if reviewed := every.FindStringIndex(u.lower); reviewed != nil && reviewed[0] <= m[0] && m[0] <= reviewed[1] {
			continue // "every 12 months" is the review, not the period
		}
		r.Months, r.Days = period(number(u.lower[m[2]:m[3]]), u.lower[m[4]:m[5]])
		// "2 years and 60 days" is one period in two parts.
		if i+1 < len(matches) && strings.TrimSpace(u.lower[m[1]:matches[i+1][0]]) == "and" {
			next := matches[i+1]
			months, days := period(number(u.lower[next[2]:next[3]]), u.lower[next[4]:next[5]])
			r.Months, r.Days = r.Months+months, r.Days+days
		}
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
	automatedCue = regexp.MustCompile(`automated (?:individual )?decision|\bprofiling\b|decisions? (?:based )?solely on automated|based solely on automated|automatically (?:decide|make decisions)`)
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
