package importer

import (
	"regexp"
	"strings"
	"unicode"
)

// decode turns normalised text into blocks, then finds the sections and
// cuts the units every extractor reads.
func decode(text string, format Format) *document {
	var d *document
	switch format {
	case FormatHTML:
		d = decodeHTML(text)
	case FormatMarkdown:
		d = decodeLines(text, true)
	default:
		d = decodeLines(text, false)
	}
	if format != FormatMarkdown && format != FormatHTML {
		markTextHeadings(d)
	}
	d.sectionise()
	d.cut()
	return d
}

// bulletMarker matches the markers lists use in copied pages and markdown:
// symbols, and (in markdown) numbers. In copied text a numbered line is more
// often a section heading ("1.2 The data"), so it stays a paragraph there.
var (
	symbolBullet   = regexp.MustCompile(`^[•●▪◦·‣⁃∙○■□➢►–—*+-]\s+`)
	numberedBullet = regexp.MustCompile(`^(?:\d{1,3}[.)]|\(?[a-z]\)|\(?[ivx]{1,4}\))\s+`)
)

// lineDecoder reads copied text and markdown line by line.
type lineDecoder struct {
	*builder
	markdown bool
	indents  []int // indentation of the open list levels
	fenced   bool  // inside a ``` code fence
}

func decodeLines(text string, markdown bool) *document {
	ld := &lineDecoder{builder: newBuilder(), markdown: markdown}
	n, rest := 1, text
	if markdown {
		n, rest = ld.frontMatter(text)
	}
	for rest != "" {
		line, after, _ := strings.Cut(rest, "\n")
		following, _, _ := strings.Cut(after, "\n")
		ld.line(n, line, following)
		n, rest = n+1, after
	}
	return ld.doc
}

func (ld *lineDecoder) line(n int, raw, following string) {
	trimmed := strings.TrimSpace(raw)
	if ld.full() {
		if trimmed != "" {
			ld.spill(n, trimmed)
		}
		return
	}
	indent := len(raw) - len(strings.TrimLeft(raw, " "))
	if ld.markdown && ld.markdownStructure(n, trimmed, following) {
		return
	}
	if trimmed == "" {
		ld.brk()
		return
	}
	if loc := ld.bullet(trimmed); loc > 0 {
		ld.start(bullet, ld.depth(indent), n, ld.clean(trimmed[loc:]))
		return
	}
	if isTableRow(trimmed) {
		ld.indents = ld.indents[:0]
		if !isTableRule(trimmed) {
			ld.start(paragraph, 0, n, ld.clean(trimmed))
		}
		ld.brk() // each row is a block of its own
		return
	}
	continuing := ld.cur != nil && (ld.cur.kind == paragraph || indent > 0)
	if !continuing {
		ld.indents = ld.indents[:0]
		ld.start(paragraph, 0, n, ld.clean(trimmed))
		return
	}
	ld.extend(n, ld.clean(trimmed))
}

// bullet returns where the item text starts, or 0 when the line is no item.
func (ld *lineDecoder) bullet(s string) int {
	if loc := symbolBullet.FindStringIndex(s); loc != nil && !isRule(s) {
		return loc[1]
	}
	if ld.markdown {
		if loc := numberedBullet.FindStringIndex(s); loc != nil {
			return loc[1]
		}
	}
	return 0
}

// depth turns indentation into a list level: deeper than the open level
// nests, shallower closes levels.
func (ld *lineDecoder) depth(indent int) int {
	for len(ld.indents) > 0 && ld.indents[len(ld.indents)-1] > indent {
		ld.indents = ld.indents[:len(ld.indents)-1]
	}
	if len(ld.indents) == 0 || ld.indents[len(ld.indents)-1] < indent {
		ld.indents = append(ld.indents, indent)
	}
	return len(ld.indents)
}

func (ld *lineDecoder) clean(s string) string {
	if ld.markdown {
		return cleanMarkdown(s)
	}
	return fold(s)
}

// isTableRow is a row of a table written with pipes ("| _ga | 2 years |");
// isTableRule the line of dashes under a markdown table's header.
func isTableRow(s string) bool { return len(s) > 2 && s[0] == '|' && s[len(s)-1] == '|' }

func isTableRule(s string) bool { return strings.Trim(s, "|-: ") == "" }

func isRule(s string) bool {
	t := strings.ReplaceAll(s, " ", "")
	return len(t) >= 3 && strings.Trim(t, "-*_") == ""
}

// Headings in copied text carry no markup, so they are told by shape: a
// line standing alone, short, without closing punctuation, that is numbered
// ("2. Your rights", "1.2 The data"), names a topic privacy notices have, or
// opens the way headings do ("Where personal data have not been obtained
// from you"). Organisation names in contact blocks share the shape but none
// of those signs.
var (
	numberedHeading = regexp.MustCompile(`^(\d{1,2}(?:\.\d{1,2})*)\.?\s+\p{L}`)
	headingOpeners  = regexp.MustCompile(`^(?i:what|why|how|where|when|who|which|whose|your|our|about|changes|updates?|questions|contact|complaints?|purposes?|retention|recipients|international|children|cookies|security|legal|lawful|sharing|transfers?|definitions|introduction|summary|overview)\b`)
	contactSigns    = regexp.MustCompile(`@|https?://|www\.|\d{4,}|\d{3} \d{3}`)
)

// A line with none of those signs is still a heading when prose follows it
// and it names no organisation ("Automated decisions"), which keeps "Data
// Protection Officer" above an address a line of the address.
func markTextHeadings(d *document) {
	for i := range d.blocks {
		b := &d.blocks[i]
		if b.kind != paragraph || len(b.lines) != 1 || isTableRow(b.lines[0].text) {
			continue
		}
		if level, ok := textHeading(b.lines[0].text); ok {
			b.kind, b.level = heading, level
		} else if i+1 < len(d.blocks) && plainHeading(b.lines[0].text) && sentenceLike(d.blocks[i+1].text()) {
			b.kind, b.level = heading, 1
		}
	}
}

func sentenceLike(s string) bool {
	return isProse(s) || len(strings.Fields(s)) >= 4 && strings.ContainsAny(s[len(s)-1:], ".:?!")
}

func plainHeading(s string) bool {
	words := strings.Fields(s)
	return len(words) <= 8 && !strings.ContainsAny(s, ":;.,!") && !contactSigns.MatchString(s) && !hasOrgWord(s) &&
		unicode.IsUpper([]rune(s)[0])
}

func textHeading(s string) (level int, ok bool) {
	words := strings.Fields(s)
	if len(words) == 0 || len(words) > 12 || len(s) > 100 || strings.ContainsAny(s, ":;") || contactSigns.MatchString(s) {
		return 0, false
	}
	if strings.ContainsAny(s[len(s)-1:], ".,!") {
		return 0, false
	}
	if m := numberedHeading.FindStringSubmatch(s); m != nil {
		return strings.Count(m[1], ".") + 1, true
	}
	if topicOf(s) != topicNone || headingOpeners.MatchString(s) {
		return 1, true
	}
	return 0, false
}
