package importer

import (
	"strings"
	"unicode/utf8"
)

// Every format is decoded into the same shape: blocks (headings,
// paragraphs, bullets) made of source lines, grouped into sections under
// their headings, and cut into units — the sentences and bullet items that
// facts are drawn from and that provenance points at.

type blockKind uint8

const (
	paragraph blockKind = iota
	heading
	bullet
)

type srcLine struct {
	n    int    // 1-based line in the source document
	text string // markup gone, spacing folded
}

type block struct {
	kind    blockKind
	level   int // heading level, or bullet depth; both from 1
	lines   []srcLine
	section int   // index into document.sections; -1 before the first heading
	units   []int // indexes into document.units
}

func (b *block) text() string {
	if len(b.lines) == 1 {
		return b.lines[0].text
	}
	parts := make([]string, len(b.lines))
	for i, l := range b.lines {
		parts[i] = l.text
	}
	return strings.Join(parts, " ")
}

func (b *block) firstLine() int { return b.lines[0].n }

type frontField struct {
	key, value string
	line       int
}

type document struct {
	blocks   []block
	front    []frontField // markdown front matter
	overflow Unplaced     // text past the limits, when there is any
	title    string       // an HTML page's <title>
	sections []section
	units    []unit
}

// builder collects blocks for the line-based and HTML decoders.
type builder struct {
	doc   *document
	cur   *block // the paragraph or bullet still taking lines; nil after a break
	lines int    // lines kept so far
}

func newBuilder() *builder { return &builder{doc: &document{}} }

// start opens a new block with its first line.
func (b *builder) start(kind blockKind, level, line int, text string) {
	b.cur = nil
	if text == "" {
		return
	}
	if b.full() {
		b.spill(line, text)
		return
	}
	b.lines++
	b.doc.blocks = append(b.doc.blocks, block{kind: kind, level: level, lines: []srcLine{{line, text}}, section: -1})
	if kind != heading {
		b.cur = &b.doc.blocks[len(b.doc.blocks)-1]
	}
}

// extend adds a line to the open block, or opens a paragraph.
func (b *builder) extend(line int, text string) {
	switch {
	case text == "":
	case b.cur == nil:
		b.start(paragraph, 0, line, text)
	case b.lines >= maxLines:
		b.spill(line, text)
	default:
		b.lines++
		b.cur.lines = append(b.cur.lines, srcLine{line, text})
	}
}

func (b *builder) brk() { b.cur = nil }

// full reports whether the limits are reached, after which lines are only
// counted into the overflow, not cleaned or split.
func (b *builder) full() bool { return len(b.doc.blocks) >= maxBlocks || b.lines >= maxLines }

func (b *builder) spill(line int, text string) { b.doc.spill(span{text, line, line}) }

// excerpt shortens text for a report, on a rune boundary.
func excerpt(s string) string {
	if utf8.RuneCountInString(s) <= excerptLen {
		return s
	}
	runes := []rune(s[:min(len(s), excerptLen*utf8.UTFMax)])
	return string(runes[:excerptLen]) + "…"
}

// fold collapses runs of spaces and trims.
func fold(s string) string {
	if !strings.Contains(s, "  ") {
		return strings.TrimSpace(s)
	}
	return strings.Join(strings.Fields(s), " ")
}
