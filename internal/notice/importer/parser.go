package importer

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// parser runs the extractors over a decoded document. Each extractor reads
// units, marks those it draws a fact from as used, and records the fact.
type parser struct {
	d        *document
	v        notice.Version
	facts    []Fact
	notes    []string
	contexts []*ctxDraft
	pending  []int // units stating an Article 9 condition for no named context
	// lastCondition is where the last scoped Article 9 statement went, for
	// an unscoped one that follows it in the same paragraph.
	lastCondition *scopedCondition
	firstDate     int // block of the first date line, or -1
	frontUse      map[string]bool
	// tooManyContexts is set once the contexts limit is reached, so the
	// note saying so is made once.
	tooManyContexts bool
}

func newParser(d *document) *parser {
	return &parser{d: d, firstDate: -1, frontUse: map[string]bool{}}
}

func (p *parser) run() {
	p.meta()
	p.parties()
	p.bases()
	if len(p.contexts) == 0 {
		p.unstatedContext()
	}
	p.lists()
	p.settleContexts()
	p.retention()
	p.transfers()
	p.children()
	p.automatedDecisions()
	p.rights()
}

// Confidence levels: how directly the text says what was taken from it.
const (
	stated   = 0.9 // the words say it outright ("the legal basis … is your consent")
	shaped   = 0.7 // read from the document's shape (a list under a heading)
	inferred = 0.5 // a default or an inference the notice does not state
)

func (p *parser) unit(ui int) *unit { return &p.d.units[ui] }

func (p *parser) sectionOf(ui int) *section {
	if s := p.d.blocks[p.d.units[ui].block].section; s >= 0 {
		return &p.d.sections[s]
	}
	return nil
}

func (p *parser) topicOf(ui int) topic {
	if s := p.sectionOf(ui); s != nil {
		return s.topic
	}
	return topicNone
}

// prov points at a unit, or at the span from one unit to another.
func (p *parser) prov(from, to int, confidence float64) notice.Provenance {
	pr := notice.Provenance{Line: p.d.units[from].line, Confidence: confidence}
	if s := p.sectionOf(from); s != nil {
		pr.Section = s.title
	}
	if end := p.d.units[to].endLine; end != pr.Line {
		pr.EndLine = end
	}
	return pr
}

// take marks a unit used, records the fact and returns its provenance.
func (p *parser) take(ui int, field, value string, confidence float64) notice.Provenance {
	return p.takeSpan(ui, ui, field, value, confidence)
}

func (p *parser) takeSpan(from, to int, field, value string, confidence float64) notice.Provenance {
	for i := from; i <= to; i++ {
		p.d.units[i].used = true
	}
	pr := p.prov(from, to, confidence)
	p.record(field, value, pr)
	return pr
}

// introduce places a sentence that introduces a list or a run of
// statements ("We will process the following personal data:"): it carries
// no fact of its own, but it is read, so it is recorded as what it is.
func (p *parser) introduce(ui int, field string) {
	if !p.unit(ui).used {
		p.take(ui, field+".introduction", excerpt(p.unit(ui).text), shaped)
	}
}

func (p *parser) record(field, value string, pr notice.Provenance) {
	p.facts = append(p.facts, Fact{Field: field, Value: value, Provenance: pr})
}

func (p *parser) note(format string, args ...any) {
	p.notes = append(p.notes, fmt.Sprintf(format, args...))
}

// draft assembles what the extractors found.
func (p *parser) draft(opts Options, format Format, digest string) *Draft {
	v := p.v
	for _, c := range p.contexts {
		v.Contexts = append(v.Contexts, c.Context)
	}
	v.Source.Kind, v.Source.Digest = "import", digest
	v.Source.Document = opts.Document
	if v.Source.Document == "" {
		v.Source.Document = v.Title
	}
	v.EffectiveFrom = p.effectiveFrom(opts)
	// Facts read in document order; inferred facts with no line come last.
	slices.SortStableFunc(p.facts, func(a, b Fact) int {
		return cmp.Compare(lineOrLast(a.Provenance.Line), lineOrLast(b.Provenance.Line))
	})
	d := &Draft{ID: opts.ID, Format: format, Version: v, Facts: p.facts, Notes: p.notes}
	if d.ID == "" {
		d.ID = p.derivedID()
	}
	d.Unplaced = p.unplaced()
	d.Version.Extra = p.extra(v.Extra, d.Unplaced)
	if d.ID == "" {
		d.Notes = append(d.Notes, "No title, service or controller was found to derive an id from; give one (--id).")
	}
	return d
}

// derivedID is the id a notice gets from its title or, when the title says
// only what every notice is ("Privacy policy", the usual title of a GOV.UK
// service's page), from the service it covers or its controller.
func (p *parser) derivedID() string {
	if id := slugID(p.v.Title); id != "" && !genericSlug(id) {
		return id
	}
	for _, name := range []string{p.service(), p.v.Controller.Name} {
		if id := slugID(name); id != "" && !genericSlug(id) {
			p.note("The title %q names no service, so the id %q was derived from %q.", p.v.Title, id, name)
			return id
		}
	}
	return slugID(p.v.Title)
}

var genericWords = toSet("privacy notice policy statement and cookies cookie the our your data protection information personal charter how we use")

func genericSlug(id string) bool {
	for _, w := range strings.Split(id, "-") {
		if !genericWords[w] {
			return false
		}
	}
	return true
}

var (
	// serviceRun names the service a notice covers: "Refer serious
	// misconduct by a teacher in England is run by the Teaching Regulation
	// Agency", "The Petitions service is provided by the Senedd", "we run
	// the Waste Carriers, Brokers and Dealers service".
	serviceRun = []*regexp.Regexp{
		regexp.MustCompile(`^(?:The )?(.{3,80}?) (?:is|are) (?:run|provided|managed|operated|delivered|administered|offered) by\b`),
		regexp.MustCompile(`\bwe run the (.{3,60}? service)\b`),
	}
	notAService = regexp.MustCompile(`(?i)^(?:this|the|our|it|we) ?(?:service|site|website|platform|page)?$`)
)

// service is the name of the service the notice covers, or "".
func (p *parser) service() string {
	for ui := range p.d.units {
		for _, re := range serviceRun {
			if m := re.FindStringSubmatch(p.unit(ui).fold); m != nil && !notAService.MatchString(m[1]) {
				return strings.TrimSpace(m[1])
			}
		}
	}
	return ""
}

func lineOrLast(line int) int {
	if line == 0 {
		return math.MaxInt
	}
	return line
}

func (p *parser) effectiveFrom(opts Options) string {
	switch {
	case opts.EffectiveFrom != "":
		return opts.EffectiveFrom
	case p.v.Source.Updated != "":
		return p.v.Source.Updated
	case p.v.Source.Published != "":
		return p.v.Source.Published
	}
	p.note("The document gives no published or updated date; the version takes effect from %s, the day it was imported.", opts.Today)
	return opts.Today
}

// unplaced lists every unit no fact was drawn from, the front matter
// nobody read, and anything past the limits.
func (p *parser) unplaced() []Unplaced {
	var out []Unplaced
	for _, f := range p.d.front {
		if !p.frontUse[f.key] {
			out = append(out, Unplaced{Section: "front matter", Line: f.line, Text: f.key + ": " + excerpt(f.value)})
		}
	}
	for i := range p.d.units {
		u := &p.d.units[i]
		if u.used {
			continue
		}
		if len(out) == maxUnplaced {
			out = append(out, Unplaced{Line: u.line, EndLine: p.d.units[len(p.d.units)-1].endLine, Text: "… and every later passage not listed above"})
			break
		}
		entry := Unplaced{Line: u.line, Text: excerpt(u.text)}
		if u.endLine != u.line {
			entry.EndLine = u.endLine
		}
		if s := p.sectionOf(i); s != nil {
			entry.Section = s.title
		}
		out = append(out, entry)
	}
	if o := p.d.overflow; o.Line > 0 {
		o.Text = "not read, past the importer's limits: " + o.Text
		out = append(out, o)
	}
	return out
}

// extra keeps unplaced passages with the stored version, so what the
// importer could not read is never lost, only set aside.
func (p *parser) extra(found map[string]string, unplaced []Unplaced) map[string]string {
	if len(unplaced) == 0 {
		return found
	}
	extra := make(map[string]string, len(found)+len(unplaced))
	maps.Copy(extra, found)
	for _, u := range unplaced {
		key := fmt.Sprintf("unplaced line %d", u.Line)
		if u.EndLine > u.Line {
			key = fmt.Sprintf("unplaced lines %d-%d", u.Line, u.EndLine)
		}
		if prev, ok := extra[key]; ok {
			u.Text = prev + " " + u.Text
		}
		extra[key] = u.Text
	}
	return extra
}

// slugID derives a notice id from a title, leaving out the words every
// notice's title has: "Privacy notice for IT Service Desk platform" becomes
// "it-service-desk-platform".
func slugID(title string) string {
	lower := latin.Replace(strings.ToLower(matchFolding.Replace(title)))
	for _, drop := range []string{"privacy notice", "privacy policy", "privacy information", "personal information charter"} {
		lower = strings.ReplaceAll(lower, drop, " ")
	}
	words := strings.FieldsFunc(lower, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') })
	for len(words) > 0 && (words[0] == "for" || words[0] == "the") {
		words = words[1:]
	}
	return clip(strings.Join(words, "-"), 63)
}

// latin spells accented Latin letters without their accents, so an id
// keeps the letters of "département".
var latin = strings.NewReplacer(
	"à", "a", "á", "a", "â", "a", "ã", "a", "ä", "a", "å", "a", "æ", "ae", "ç", "c", "è", "e", "é", "e", "ê", "e", "ë", "e",
	"ì", "i", "í", "i", "î", "i", "ï", "i", "ñ", "n", "ò", "o", "ó", "o", "ô", "o", "õ", "o", "ö", "o", "ø", "o", "œ", "oe",
	"ù", "u", "ú", "u", "û", "u", "ü", "u", "ý", "y", "ÿ", "y", "ŵ", "w", "ŷ", "y", "ß", "ss",
)

// clip shortens a slug to n bytes at a hyphen where it can.
func clip(slug string, n int) string {
	if len(slug) <= n {
		return slug
	}
	slug = slug[:n]
	if i := strings.LastIndexByte(slug, '-'); i > n/2 {
		slug = slug[:i]
	}
	return strings.Trim(slug, "-")
}
