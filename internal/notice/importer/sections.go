package importer

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// topic is what a section is about, read from its heading.
type topic uint8

const (
	topicNone topic = iota // the heading names no topic
	topicOther
	topicPurpose
	topicData
	topicBasis
	topicRecipients
	topicRetention
	topicTransfers
	topicRights
	topicComplaints
	topicContact
	topicChildren
	topicSecurity
)

// topicWords are tried in order, most specific first: "How long we keep
// your data" is about retention although it says "your data".
var topicWords = []struct {
	topic topic
	words []string
}{
	{topicRights, []string{"rights"}},
	{topicBasis, []string{"legal basis", "lawful basis", "legal bases", "lawful bases", "basis for processing", "basis of processing", "legal grounds"}},
	{topicChildren, []string{"child"}},
	{topicRetention, []string{"retention", "how long", "keep your", "retain", "storage period"}},
	{topicTransfers, []string{"international", "transfer", "where your data is processed", "where your data is stored", "overseas", "outside the uk"}},
	{topicRecipients, []string{"recipient", "sharing", "who we share", "share your", "shared with", "third part", "what we do with", "disclos"}},
	{topicComplaints, []string{"complain"}},
	{topicContact, []string{"contact"}},
	{topicSecurity, []string{"how we protect", "protecting your", "protect your", "secur", "safe"}},
	{topicPurpose, []string{"purpose", "why we", "how we use", "use of your", "what we use"}},
	{topicData, []string{"the data", "what data", "data we", "your data", "information we", "personal data", "categories of", "what we collect"}},
}

func topicOf(title string) topic {
	lower := strings.ToLower(title)
	for _, tw := range topicWords {
		for _, w := range tw.words {
			if strings.Contains(lower, w) {
				return tw.topic
			}
		}
	}
	return topicNone
}

type section struct {
	title string
	level int
	topic topic
}

// sectionise gives each block the section it sits in. A heading that names
// no topic takes its parent's ("1.3 Sensitive data" under "1. Your data"),
// or none at the top level.
func (d *document) sectionise() {
	var open []int // sections enclosing the current block, outermost first
	for i := range d.blocks {
		b := &d.blocks[i]
		if b.kind == heading {
			for len(open) > 0 && d.sections[open[len(open)-1]].level >= b.level {
				open = open[:len(open)-1]
			}
			t := topicOf(b.text())
			if t == topicNone {
				t = topicOther
				if len(open) > 0 {
					t = d.sections[open[len(open)-1]].topic
				}
			}
			d.sections = append(d.sections, section{title: b.text(), level: b.level, topic: t})
			open = append(open, len(d.sections)-1)
		}
		if len(open) > 0 {
			b.section = open[len(open)-1]
		}
	}
}

// unit is a sentence or list item: the grain facts are drawn from.
type unit struct {
	text    string
	fold    string // text with straight quotes and dashes, for matching that keeps case
	lower   string // fold in lower case; both empty when too long to be prose
	line    int
	endLine int
	block   int
	leadIn  int // the unit introducing this list item, or -1
	used    bool
}

// cut splits every paragraph and list item into units and links each list
// item to the sentence that introduces its list ("We will process the
// following personal data:").
func (d *document) cut() {
	paraLead := -1
	var depthLead []int // last unit of the latest item at each depth
	for i := range d.blocks {
		b := &d.blocks[i]
		if b.kind == heading {
			paraLead, depthLead = -1, depthLead[:0]
			continue
		}
		lead := paraLead
		if b.kind == bullet && b.level >= 2 && b.level-2 < len(depthLead) {
			lead = depthLead[b.level-2]
		}
		d.addUnits(i, lead)
		last := -1
		if len(b.units) > 0 {
			last = b.units[len(b.units)-1]
		}
		if b.kind == paragraph {
			paraLead, depthLead = last, depthLead[:0]
			continue
		}
		depthLead = depthLead[:min(len(depthLead), b.level-1)]
		for len(depthLead) < b.level-1 {
			depthLead = append(depthLead, lead)
		}
		depthLead = append(depthLead, last)
	}
}

func (d *document) addUnits(bi, lead int) {
	b := &d.blocks[bi]
	for _, s := range sentences(b, maxUnits-len(d.units)) {
		if len(d.units) == maxUnits {
			d.spill(s)
			continue
		}
		u := unit{text: s.text, line: s.line, endLine: s.endLine, block: bi, leadIn: -1}
		if b.kind == bullet {
			u.leadIn = lead
		}
		if len(s.text) <= maxUnitLen {
			u.fold = matchFolding.Replace(s.text)
			u.lower = strings.ToLower(u.fold)
		} else {
			u.text = excerpt(s.text)
		}
		b.units = append(b.units, len(d.units))
		d.units = append(d.units, u)
	}
}

// spill records text past the limits as one unplaced stretch.
func (d *document) spill(s span) {
	o := &d.overflow
	if o.Line == 0 || s.line < o.Line {
		o.Line, o.Text = s.line, excerpt(s.text)
	}
	o.EndLine = max(o.EndLine, s.endLine)
}

var matchFolding = strings.NewReplacer("’", "'", "‘", "'", "“", `"`, "”", `"`, "–", "-", "—", "-")

type span struct {
	text          string
	line, endLine int
}

// sentences cuts a block's text at full stops, question and exclamation
// marks that end a sentence, mapping each sentence back to its lines. After
// limit sentences the rest of the block is one last span.
func sentences(b *block, limit int) []span {
	text := b.text()
	var out []span
	from, line := 0, 0 // line indexes b.lines; sentences only move forward
	lineEnd := len(b.lines[0].text)
	lineAt := func(off int) int {
		for line+1 < len(b.lines) && off > lineEnd {
			line++
			lineEnd += 1 + len(b.lines[line].text)
		}
		return b.lines[line].n
	}
	for _, end := range sentenceEnds(text, max(limit, 0)) {
		if s := strings.TrimSpace(text[from:end]); s != "" {
			first := lineAt(from + len(text[from:end]) - len(strings.TrimLeft(text[from:end], " ")))
			out = append(out, span{s, first, lineAt(end - 1)})
		}
		from = end
	}
	return out
}

// sentenceEnds returns the offset after each sentence, the last being the
// end of the text; after limit ends it stops looking.
func sentenceEnds(text string, limit int) []int {
	var ends []int
	for i := 0; i+2 < len(text) && len(ends) < limit; i++ {
		c := text[i]
		if (c != '.' && c != '!' && c != '?') || text[i+1] != ' ' {
			continue
		}
		r, _ := utf8.DecodeRuneInString(text[i+2:])
		if !unicode.IsUpper(r) && !unicode.IsDigit(r) && !strings.ContainsRune(`"‘“(`, r) {
			continue
		}
		if c == '.' && abbreviated(text[:i]) {
			continue
		}
		ends = append(ends, i+1)
	}
	return append(ends, len(text))
}

var abbreviations = map[string]bool{
	"e.g": true, "i.e": true, "etc": true, "ltd": true, "co": true, "no": true, "st": true, "mr": true, "mrs": true,
	"ms": true, "dr": true, "art": true, "arts": true, "para": true, "sch": true, "approx": true, "inc": true,
	"vs": true, "cf": true, "reg": true, "s": true, "ss": true, "eg": true, "ie": true, "plc": true,
}

func abbreviated(before string) bool {
	word := before[strings.LastIndexByte(before, ' ')+1:]
	return utf8.RuneCountInString(word) == 1 || abbreviations[strings.ToLower(word)]
}
