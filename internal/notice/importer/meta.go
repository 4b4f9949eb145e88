package importer

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// meta finds the title, the document type GOV.UK prints above it, and the
// published and updated dates, from front matter or the top of the page.
func (p *parser) meta() {
	p.frontMatter()
	for ui := range p.d.units {
		p.dateLine(ui)
	}
	if p.v.Title == "" {
		p.title()
	}
	if p.v.Title == "" && p.d.title != "" {
		p.v.Title = strings.TrimSuffix(strings.TrimSpace(p.d.title), " - GOV.UK")
		p.record("title", p.v.Title, notice.Provenance{Section: "page title", Confidence: shaped})
	}
	if p.v.Title == "" {
		p.note("No title was found; a notice needs one before it can be stored.")
	}
}

func (p *parser) frontMatter() {
	for _, f := range p.d.front {
		pr := notice.Provenance{Section: "front matter", Line: f.line, Confidence: stated}
		switch {
		case f.key == "title" && f.value != "":
			p.v.Title = f.value
			p.record("title", f.value, pr)
		case publishedKeys[f.key] || updatedKeys[f.key]:
			iso, precise, ok := parseDate(f.value)
			if !ok {
				continue
			}
			p.record(dateField[updatedKeys[f.key]], iso, pr)
			p.setDate(updatedKeys[f.key], iso, precise)
		default:
			continue
		}
		p.frontUse[f.key] = true
	}
}

var (
	dateField     = map[bool]string{false: "source.published", true: "source.updated"}
	publishedKeys = map[string]bool{"date": true, "published": true, "first_published": true, "published_at": true, "publication_date": true}
	updatedKeys   = map[string]bool{"updated": true, "last_updated": true, "updated_at": true, "modified": true, "last_modified": true, "reviewed": true}
	dateLabel     = regexp.MustCompile(`(?i)^(first published|published|last updated|last update|updated|last reviewed|reviewed|last modified|modified|last revised|effective from|effective date|date of (?:this )?notice)\b\s*:?\s*(?:on\s+)?(.*?)\.?$`)
	// dateSentence is the date in a short sentence such as "This notice was
	// last updated on 9 February 2022."
	dateSentence = regexp.MustCompile(`(?i)^(?:this|the) (?:privacy )?(?:notice|policy|page|statement|document) (?:was|is) (last updated|last reviewed|last revised|updated|reviewed|published|first published)\b\s*(?:on\s+)?(.*?)\.?$`)
)

// dateLine reads "Published 17 December 2018", "Last updated: July 2023",
// or, in saved HTML where label and date are separate elements, a lone
// "Published" followed by the date.
func (p *parser) dateLine(ui int) {
	u := p.unit(ui)
	m := dateLabel.FindStringSubmatch(u.fold)
	if m == nil {
		m = dateSentence.FindStringSubmatch(u.fold)
	}
	if m == nil || len(u.text) > 80 {
		return
	}
	label, rest, last := strings.ToLower(m[1]), m[2], ui
	if rest == "" && ui+1 < len(p.d.units) {
		rest, last = p.d.units[ui+1].fold, ui+1
	}
	iso, precise, ok := parseDate(rest)
	if !ok {
		return
	}
	updated := !strings.Contains(label, "published") && !strings.HasPrefix(label, "date")
	field := dateField[updated]
	if p.firstDate < 0 {
		p.firstDate = u.block
	}
	p.takeSpan(ui, last, field, iso, stated)
	p.setDate(updated, iso, precise)
}

// setDate keeps the first published date and the latest updated one,
// preferring a full date over a month.
func (p *parser) setDate(updated bool, iso string, precise bool) {
	if !updated {
		if p.v.Source.Published == "" {
			p.v.Source.Published = iso
		}
		return
	}
	cur := p.v.Source.Updated
	curPrecise := cur != "" && !strings.HasSuffix(cur, "-01")
	if cur == "" || precise && (!curPrecise || iso > cur) || !precise && !curPrecise && iso > cur {
		p.v.Source.Updated = iso
		if !precise {
			p.note("The updated date gives only a month (%s); the version is taken as updated on its first day.", iso[:7])
		}
	}
}

var (
	ordinal   = regexp.MustCompile(`\b(\d{1,2})(?:st|nd|rd|th)\b`)
	dateShape = regexp.MustCompile(`\d{4}-\d{2}-\d{2}|\d{1,2} [A-Za-z]{3,9},? \d{4}|[A-Za-z]{3,9} \d{1,2},? \d{4}|\d{1,2}/\d{1,2}/\d{4}|[A-Za-z]{3,9} \d{4}`)
)

var dateLayouts = []struct {
	layout  string
	precise bool
}{
	{"2006-01-02", true}, {"2 January 2006", true}, {"2 Jan 2006", true}, {"January 2 2006", true},
	{"Jan 2 2006", true}, {"2/1/2006", true}, {"January 2006", false}, {"Jan 2006", false},
}

// parseDate reads the date forms UK notices use, day first.
func parseDate(s string) (iso string, precise, ok bool) {
	s = ordinal.ReplaceAllString(s, "$1")
	found := dateShape.FindString(s)
	found = strings.ReplaceAll(found, ",", "")
	for _, l := range dateLayouts {
		if t, err := time.Parse(l.layout, found); err == nil && t.Year() >= 1990 && t.Year() < 2200 {
			return t.Format(time.DateOnly), l.precise, true
		}
	}
	return "", false, false
}

// title takes the line just above the first date line, which is where
// GOV.UK puts it; failing that the first top-level heading, or the first
// short line. A one- to three-word line above the title is the document
// type GOV.UK prints ("Guidance"), recorded rather than left unplaced.
func (p *parser) title() {
	bi := p.titleBlock()
	if bi < 0 {
		return
	}
	b := &p.d.blocks[bi]
	p.v.Title = b.text()
	pr := notice.Provenance{Line: b.firstLine(), Confidence: shaped}
	p.useBlock(bi)
	p.record("title", p.v.Title, pr)
	if bi == 1 && p.isDocType(0) {
		p.useBlock(0)
		p.record("document_type", p.d.blocks[0].text(), notice.Provenance{Line: p.d.blocks[0].firstLine(), Confidence: shaped})
	}
}

func (p *parser) titleBlock() int {
	if at := p.firstDate; at > 0 && at < 12 && p.isTitleShaped(at-1) {
		return at - 1
	}
	for bi := range p.d.blocks {
		if p.d.blocks[bi].kind == heading && p.d.blocks[bi].level == 1 {
			return bi
		}
	}
	switch {
	case len(p.d.blocks) > 1 && p.isDocType(0) && p.isTitleShaped(1):
		return 1
	case len(p.d.blocks) > 0 && p.isTitleShaped(0):
		return 0
	}
	return -1
}

func (p *parser) isDocType(bi int) bool {
	b := &p.d.blocks[bi]
	return b.kind == paragraph && len(b.lines) == 1 && len(strings.Fields(b.text())) <= 3
}

func (p *parser) isTitleShaped(bi int) bool {
	b := &p.d.blocks[bi]
	return b.kind != bullet && len(b.lines) == 1 && len(b.text()) <= 150 && !strings.HasSuffix(b.text(), ".")
}

func (p *parser) useBlock(bi int) {
	for _, ui := range p.d.blocks[bi].units {
		p.d.units[ui].used = true
	}
}

// year reads a four-digit year.
func year(s string) (int, bool) {
	y, err := strconv.Atoi(s)
	return y, err == nil && y >= 1990 && y < 2200
}
