package letters

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// A letter's text is written in a small markup, the same whether a
// template wrote it or staff edited it, so the email's HTML and text
// parts and the PDF are always the same words:
//
//	# Heading (the first one is the letter's subject)
//	## Section heading
//	### Sub-heading
//	#### Sub-sub-heading
//	- a list item
//	a paragraph; lines that follow join it, until a blank line
//
// A line right after a list item continues that item, so a paragraph
// after a list needs a blank line first; items may have blank lines
// between them and are still one list. Templates may leave as many blank lines
// and as much indentation as they like: the canonical text has one blank
// line between blocks, each paragraph and item on one line.

const (
	blockHeading1  = "heading1"
	blockHeading2  = "heading2"
	blockHeading3  = "heading3"
	blockHeading4  = "heading4"
	blockParagraph = "paragraph"
	blockList      = "list"
)

var headingMarks = []struct{ mark, kind string }{
	{"#### ", blockHeading4}, {"### ", blockHeading3}, {"## ", blockHeading2}, {"# ", blockHeading1},
}

// parseBlocks reads letter text into blocks.
func parseBlocks(text string) []Block {
	var (
		out []Block
		cur *Block
		// broken is a blank line inside a list: the next item carries the
		// list on, anything else ends it.
		broken bool
	)
	flush := func() {
		if cur != nil {
			out = append(out, *cur)
			cur = nil
		}
	}
	for line := range strings.Lines(strings.ReplaceAll(text, "\r\n", "\n")) {
		line = strings.Join(strings.Fields(line), " ")
		item, isItem := strings.CutPrefix(line, "- ")
		kind, rest, isHeading := heading(line)
		switch {
		case line == "":
			if cur != nil && cur.Kind == blockList {
				broken = true
			} else {
				flush()
			}
			continue
		case isHeading:
			flush()
			out = append(out, Block{Kind: kind, Text: rest})
		case isItem:
			if cur == nil || cur.Kind != blockList {
				flush()
				cur = &Block{Kind: blockList}
			}
			cur.Items = append(cur.Items, item)
		case cur != nil && cur.Kind == blockList && !broken:
			cur.Items[len(cur.Items)-1] += " " + line
		case cur != nil && cur.Kind == blockParagraph && !bareMark(cur.Text):
			cur.Text += " " + line
		default:
			flush()
			cur = &Block{Kind: blockParagraph, Text: line}
		}
		broken = false
	}
	flush()
	return out
}

// bareMark reports a paragraph that is only a heading or item mark ("#",
// "-"): a line joined to it would make its canonical text read back as a
// heading or an item, so the line starts a paragraph of its own.
func bareMark(text string) bool {
	return text == "-" || slices.ContainsFunc(headingMarks, func(h struct{ mark, kind string }) bool { return text == strings.TrimSpace(h.mark) })
}

func heading(line string) (kind, rest string, ok bool) {
	for _, h := range headingMarks {
		if rest, ok := strings.CutPrefix(line, h.mark); ok {
			return h.kind, rest, true
		}
	}
	return "", "", false
}

// layout writes each block with write, one blank line between blocks.
func layout(blocks []Block, write func(b *strings.Builder, bl Block)) string {
	var b strings.Builder
	for i, bl := range blocks {
		if i > 0 {
			b.WriteString("\n")
		}
		write(&b, bl)
	}
	return b.String()
}

// canonical writes blocks back as text: one blank line between blocks.
func canonical(blocks []Block) string {
	return layout(blocks, func(b *strings.Builder, bl Block) {
		switch bl.Kind {
		case blockList:
			for _, item := range bl.Items {
				b.WriteString("- " + item + "\n")
			}
		case blockParagraph:
			b.WriteString(bl.Text + "\n")
		default:
			b.WriteString(markOf(bl.Kind) + bl.Text + "\n")
		}
	})
}

func markOf(kind string) string {
	for _, h := range headingMarks {
		if h.kind == kind {
			return h.mark
		}
	}
	return ""
}

// Normalise returns text in canonical form: what a rendered letter's Text
// is, and what staff-edited text becomes before it is hashed.
func Normalise(text string) string { return canonical(parseBlocks(text)) }

// plainWidth is the width of the plain-text part of an email: short
// enough for any mail client to show without wrapping it again.
const plainWidth = 72

// plain lays the blocks out for the plain-text part of an email: headings
// without their marks (the subject underlined), paragraphs and list items
// wrapped.
func plain(blocks []Block) string {
	return layout(blocks, func(b *strings.Builder, bl Block) {
		switch bl.Kind {
		case blockList:
			for _, item := range bl.Items {
				b.WriteString(wrap(item, plainWidth, "- ", "  "))
			}
		case blockHeading1:
			b.WriteString(wrap(bl.Text, plainWidth, "", ""))
			b.WriteString(strings.Repeat("=", min(utf8.RuneCountInString(bl.Text), plainWidth)) + "\n")
		default:
			b.WriteString(wrap(bl.Text, plainWidth, "", ""))
		}
	})
}

// wrap breaks text at spaces into lines of at most width runes, the first
// starting with first and the rest with rest; a word longer than a line
// keeps a line of its own.
func wrap(text string, width int, first, rest string) string {
	var b strings.Builder
	line, prefix := "", first
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case utf8.RuneCountInString(prefix+line+" "+word) <= width:
			line += " " + word
		default:
			b.WriteString(prefix + line + "\n")
			line, prefix = word, rest
		}
	}
	b.WriteString(prefix + line + "\n")
	return b.String()
}
