package importer

import (
	"regexp"
	"strings"
)

// frontMatter reads a leading YAML block of flat "key: value" pairs, which
// is all GOV.UK-style repositories put there, and returns the number of the
// first line after it and the text from there. A block that never closes
// is not front matter.
func (ld *lineDecoder) frontMatter(text string) (int, string) {
	first, rest, _ := strings.Cut(text, "\n")
	if strings.TrimSpace(first) != "---" {
		return 1, text
	}
	var fields []frontField
	for n := 2; rest != "" && n < maxBlocks; n++ {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		line = strings.TrimSpace(line)
		if line == "---" || line == "..." {
			ld.doc.front = fields
			return n + 1, rest
		}
		key, value, ok := strings.Cut(line, ":")
		if ok && key != "" && !strings.HasPrefix(key, "#") {
			fields = append(fields, frontField{key: strings.ToLower(strings.TrimSpace(key)), value: unquote(strings.TrimSpace(value)), line: n})
		}
	}
	return 1, text
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

var (
	atxHeading = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`)
	// Govspeak, GOV.UK's markdown, wraps contact and address blocks in
	// lines such as "$C" and "$A", and call-outs in ^ or %.
	govspeakMarker = regexp.MustCompile(`^\$[A-Z]{1,3}\s*$`)
)

// markdownStructure handles the lines that are markup rather than text and
// reports whether it consumed the line.
func (ld *lineDecoder) markdownStructure(n int, trimmed, following string) bool {
	if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
		ld.fenced = !ld.fenced
		ld.brk()
		return true
	}
	if ld.fenced {
		ld.extend(n, fold(trimmed))
		return true
	}
	if m := atxHeading.FindStringSubmatch(trimmed); m != nil {
		ld.heading(n, len(m[1]), m[2])
		return true
	}
	if ld.setext(n, trimmed, following) || isRule(trimmed) || isUnderline(trimmed) || govspeakMarker.MatchString(trimmed) {
		ld.brk()
		return true
	}
	return false
}

func (ld *lineDecoder) heading(n, level int, text string) {
	ld.indents = ld.indents[:0]
	ld.start(heading, level, n, cleanMarkdown(text))
}

func isUnderline(s string) bool { return len(s) >= 2 && strings.Trim(s, "=") == "" }

// setext turns a lone paragraph line underlined with === or --- into a
// heading; the underline itself is then passed over as a rule.
func (ld *lineDecoder) setext(n int, trimmed, following string) bool {
	under := strings.TrimSpace(following)
	if ld.cur != nil || trimmed == "" || !isUnderline(under) && !(len(under) >= 2 && strings.Trim(under, "-") == "") {
		return false
	}
	level := 1
	if under[0] == '-' {
		level = 2
	}
	ld.heading(n, level, trimmed)
	return true
}

var (
	mdImage    = regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`)
	mdLink     = regexp.MustCompile(`\[([^\]]+)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)`)
	mdAutolink = regexp.MustCompile(`<((?:https?://|mailto:)[^>\s]+)>`)
	mdTag      = regexp.MustCompile(`</?[a-zA-Z][^>]{0,200}>`)
	mdEscape   = regexp.MustCompile("\\\\([\\\\`*_{}\\[\\]()#+\\-.!>^%])")
	mdAttr     = regexp.MustCompile(`\{:[^}]{0,200}\}`)
	// An escaped character is parked in the private use area while emphasis
	// is stripped, then put back.
	parkMarkup    = strings.NewReplacer("*", "\uE000", "`", "\uE001", "_", "\uE002", "^", "\uE003", "%", "\uE004")
	stripEmphasis = strings.NewReplacer("**", "", "__", "", "*", "", "`", "")
	unparkMarkup  = strings.NewReplacer("\uE000", "*", "\uE001", "`", "\uE002", "_", "\uE003", "^", "\uE004", "%")
)

// cleanMarkdown reduces inline markdown to the words a reader sees. A link
// keeps its address after its text, so a web address or email in a link
// is still found.
func cleanMarkdown(s string) string {
	s = strings.TrimPrefix(strings.TrimPrefix(s, ">"), " ")
	s = mdEscape.ReplaceAllStringFunc(s, func(m string) string { return parkMarkup.Replace(m[1:]) })
	s = mdImage.ReplaceAllString(s, "$1")
	s = mdLink.ReplaceAllStringFunc(s, linkText)
	s = mdAutolink.ReplaceAllStringFunc(s, func(m string) string { return strings.TrimPrefix(m[1:len(m)-1], "mailto:") })
	s = mdTag.ReplaceAllString(s, " ")
	s = mdAttr.ReplaceAllString(s, "")
	s = stripCallout(fold(stripEmphasis.Replace(s)))
	return unparkMarkup.Replace(s)
}

func linkText(m string) string {
	parts := mdLink.FindStringSubmatch(m)
	text, target := parts[1], strings.TrimPrefix(parts[2], "mailto:")
	if strings.Contains(text, target) || !(strings.Contains(target, "@") || strings.HasPrefix(target, "http")) {
		return text
	}
	return text + " " + target
}

// stripCallout removes govspeak's ^information^ and %warning% wrappers.
func stripCallout(s string) string {
	for _, mark := range []string{"^", "%"} {
		if len(s) >= 2 && strings.HasPrefix(s, mark) && strings.HasSuffix(s, mark) {
			return strings.TrimSpace(s[1 : len(s)-1])
		}
	}
	return strings.TrimSpace(strings.TrimPrefix(s, "^"))
}
