package importer

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// A processing context is born from a lawful-basis statement: an unscoped
// one ("The legal basis for processing your personal data is …") makes the
// general context, a scoped one ("In the case of images, video and audio,
// the legal basis … is your consent") makes a context named by its scope.
// An Article 9 statement scoped to something no basis statement named
// ("In relation to diversity monitoring, processing is necessary for
// reasons of substantial public interest") makes a context too, which takes
// the general lawful basis.

type ctxDraft struct {
	notice.Context
	phrase      string // the scope that introduced it; "" for the general context
	general     bool
	nameStems   map[string]bool
	phraseStems map[string]bool
}

type region uint8

const (
	regionNone region = iota
	regionArt6        // after "The legal basis of processing your personal data is:"
	regionArt9        // after "Our lawful basis for processing your sensitive personal data is as below."
)

var (
	basisCue     = regexp.MustCompile(`\b(?:legal|lawful) (?:basis|bases|grounds?)\b|on the basis (?:of|that|you)\b|\bwe rely on\b|\brelying on\b|because you (?:have )?(?:consent|given)|with your consent|you consent to us|\b(?:article|art\.?) ?6\b`)
	leadInCue    = regexp.MustCompile(`:\s*$|\bas (?:below|follows)\b`)
	sensitiveCue = regexp.MustCompile(`sensitive (?:personal )?(?:data|information)|special categor|\b(?:article|art\.?) ?9\b`)
	rightsTalk   = regexp.MustCompile(`\b(?:you have|you may have|you also have) (?:the|a) right|\bright to (?:withdraw|object|request)|\bto withdraw (?:your )?consent`)
	// art6 patterns each come with a word the text must contain, a cheap
	// test that spares the regular expression on most sentences.
	art6 = []struct {
		basis notice.Basis
		hint  string
		re    *regexp.Regexp
	}{
		{notice.BasisConsent, "consent", regexp.MustCompile(`\bconsent(?:s|ed)?\b`)},
		{notice.BasisContract, "contract", regexp.MustCompile(`performance of a contract|\b(?:a|the|your|our) contract (?:with|to which|we have)|employment contract|enter(?:ing)? into a contract|necessary for (?:a|the|your) contract|contractual (?:obligation|necessity)|under (?:a|the|your) contract`)},
		{notice.BasisLegalObligation, "l", regexp.MustCompile(`legal obligation|statutory (?:obligation|duty|duties)|comply with (?:the|a|our|its) (?:law|legal|statutory)|required (?:to do so )?by law|obliged by law`)},
		{notice.BasisVitalInterests, "vital", regexp.MustCompile(`vital interest`)},
		{notice.BasisPublicTask, "", regexp.MustCompile(`public task|task carried out in the public interest|exercise of (?:the )?official authority|(?:exercise|performance) of (?:our|its|a) (?:public|statutory) functions?`)},
		{notice.BasisLegitimateInterests, "legitimate", regexp.MustCompile(`legitimate interest`)},
	}
	art6Letter    = regexp.MustCompile(`(?:article|art\.?)\s*6\s*\(\s*1\s*\)\s*\(\s*([a-f])\s*\)`)
	consentDenied = regexp.MustCompile(`(?:not|never) (?:rely|relying|based|ask(?:ing)? for) (?:on |upon )?(?:your )?consent|without (?:your )?consent|do not need your consent`)
)

// basesIn lists the Article 6 bases a lower-case text names, in Article 6
// order.
func basesIn(lower string) []notice.Basis {
	var out []notice.Basis
	for _, b := range art6 {
		if strings.Contains(lower, b.hint) && b.re.MatchString(lower) && !(b.basis == notice.BasisConsent && consentDenied.MatchString(lower)) {
			out = append(out, b.basis)
		}
	}
	if !strings.Contains(lower, "6") {
		return out
	}
	for _, m := range art6Letter.FindAllStringSubmatch(lower, -1) {
		if b := notice.Bases[m[1][0]-'a']; !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	return out
}

var art9 = []struct {
	letter, label string
	re            *regexp.Regexp
}{
	{"a", "explicit consent", regexp.MustCompile(`explicit consent`)},
	{"b", "employment law", regexp.MustCompile(`employment(?:,)? (?:law|social security)|social security|social protection`)},
	{"c", "vital interests", regexp.MustCompile(`vital interest`)},
	{"d", "not-for-profit body", regexp.MustCompile(`not[- ]for[- ]profit`)},
	{"e", "made public by the data subject", regexp.MustCompile(`manifestly made public|made public by you|you have made public`)},
	{"f", "legal claims", regexp.MustCompile(`legal claims|judicial capacity`)},
	{"g", "substantial public interest", regexp.MustCompile(`substantial public interest`)},
	{"h", "health or social care", regexp.MustCompile(`occupational medicine|medical diagnosis|health or social care|provision of (?:health|social) care`)},
	{"i", "public health", regexp.MustCompile(`public health`)},
	{"j", "archiving, research or statistics", regexp.MustCompile(`archiving|scientific or historical research|statistical purposes`)},
}

var art9Letter = regexp.MustCompile(`(?:article|art\.?)?\s*9\s*\(\s*2\s*\)\s*\(\s*([a-j])\s*\)`)

// conditionIn names the Article 9(2) condition a text relies on, as
// "Art 9(2)(b) employment law", or "".
func conditionIn(lower string) string {
	letter := ""
	if strings.Contains(lower, "9") {
		if m := art9Letter.FindStringSubmatch(lower); m != nil {
			letter = m[1]
		}
	}
	for _, c := range art9 {
		if c.letter == letter || letter == "" && c.re.MatchString(lower) {
			return fmt.Sprintf("Art 9(2)(%s) %s", c.letter, c.label)
		}
	}
	return ""
}

// bases reads every lawful-basis and Article 9 statement outside the rights
// section, in document order, into contexts.
func (p *parser) bases() {
	reg, sec, opener := regionNone, -2, -1
	for ui := range p.d.units {
		u := p.unit(ui)
		if s := p.d.blocks[u.block].section; s != sec {
			reg, sec = regionNone, s
		}
		if u.lower == "" || p.topicOf(ui) == topicRights || rightsTalk.MatchString(u.lower) {
			continue
		}
		switch {
		case conditionIn(u.lower) != "" && (sensitiveCue.MatchString(u.lower) || reg == regionArt9):
			p.condition(ui)
		case p.isBasisStatement(ui, reg):
			p.basisStatement(ui)
		default:
			if basisCue.MatchString(u.lower) && leadInCue.MatchString(u.lower) {
				reg, opener = regionArt6, ui
				if sensitiveCue.MatchString(u.lower) {
					reg = regionArt9
				}
			}
			continue
		}
		p.useIntroductions(ui, reg, opener)
	}
}

// useIntroductions marks the sentences that led to a statement as placed:
// the one opening its region and the one introducing its list.
func (p *parser) useIntroductions(ui int, reg region, opener int) {
	if reg != regionNone && opener >= 0 {
		p.introduce(opener, "contexts")
	}
	for lead := p.unit(ui).leadIn; lead >= 0 && !p.unit(lead).used; lead = p.unit(lead).leadIn {
		p.introduce(lead, "contexts")
	}
}

// basisReference is a basis mentioned as a condition ("…or until consent is
// withdrawn (if we are relying on your consent)"), not stated.
var basisReference = regexp.MustCompile(`\b(?:if|where|when|unless)\b[^.,]{0,30}\b(?:rely|relying|based|basis)\b`)

// basisTopics are the sections a lawful basis may be stated in; a retention
// or rights section only refers back to one.
func basisTopic(t topic) bool {
	return t != topicRetention && t != topicRights && t != topicTransfers && t != topicComplaints && t != topicContact && t != topicChildren
}

func (p *parser) isBasisStatement(ui int, reg region) bool {
	u := p.unit(ui)
	if len(basesIn(u.lower)) == 0 || sensitiveCue.MatchString(u.lower) || basisReference.MatchString(u.lower) || !basisTopic(p.topicOf(ui)) {
		return false
	}
	// "If your data is processed on the basis of consent, …" refers to a
	// basis already stated; it states none.
	if len(basesIn(strings.ToLower(p.scopeOf(ui)))) > 0 {
		return false
	}
	if basisCue.MatchString(u.lower) || reg != regionNone || p.topicOf(ui) == topicBasis {
		return true
	}
	return u.leadIn >= 0 && basisCue.MatchString(p.unit(u.leadIn).lower)
}

func (p *parser) basisStatement(ui int) {
	phrase := p.scopeOf(ui)
	for _, b := range basesIn(p.unit(ui).lower) {
		if c := p.contextFor(phrase, b, ui); c != nil {
			p.take(ui, "contexts["+c.ID+"].basis", string(b), stated)
		}
	}
}

// contextFor finds the context a basis statement adds to, or opens one.
func (p *parser) contextFor(phrase string, b notice.Basis, ui int) *ctxDraft {
	general := phrase == "" || generalScope.MatchString(phrase)
	for _, c := range p.contexts {
		if c.Basis == b && c.general == general && (general || similarity(stems(phrase), c.phraseStems) >= 0.8) {
			return c
		}
	}
	if general {
		phrase = ""
	}
	c := p.newContext(phrase, ui)
	if c != nil {
		c.Basis = b
	}
	return c
}

// newContext opens a context; a general one (phrase "") is named when
// every context is known.
func (p *parser) newContext(phrase string, ui int) *ctxDraft {
	if len(p.contexts) == maxContexts {
		if !p.tooManyContexts {
			p.tooManyContexts = true
			p.note("The document states more than %d processing contexts; lawful-basis statements from line %d on were not read.", maxContexts, p.unit(ui).line)
		}
		return nil
	}
	c := &ctxDraft{phrase: phrase, general: phrase == "", phraseStems: stems(phrase)}
	c.Name, c.Automated = phrase, true
	c.ID = p.uniqueID(contextID(phrase))
	c.nameStems = stems(c.Name)
	c.Provenance = p.prov(ui, ui, stated)
	p.contexts = append(p.contexts, c)
	return c
}

var idNoise = toSet("a an the we you your our of to that are is for and in")

func contextID(phrase string) string {
	if phrase == "" {
		return "general"
	}
	var words []string
	for _, w := range strings.Split(slugID(phrase), "-") {
		if w != "" && !idNoise[w] && len(words) < 5 {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		return "context"
	}
	return clip(strings.Join(words, "-"), 40)
}

func (p *parser) uniqueID(id string) string {
	taken := func(s string) bool {
		return slices.ContainsFunc(p.contexts, func(c *ctxDraft) bool { return c.ID == s })
	}
	candidate := id
	for n := 2; taken(candidate); n++ {
		candidate = fmt.Sprintf("%s-%d", id, n)
	}
	return candidate
}

// condition records an Article 9 condition on the context its scope names,
// opening one if none matches; an unscoped condition waits for
// settleContexts, which knows where the special category data went.
func (p *parser) condition(ui int) {
	phrase := p.scopeOf(ui)
	if phrase == "" {
		p.pending = append(p.pending, ui)
		return
	}
	c := p.closest(phrase, false)
	if c == nil {
		c = p.newContext(phrase, ui)
	}
	if c == nil {
		return
	}
	p.setCondition(c, ui)
	p.addSpecial(c, specialIn(strings.ToLower(phrase)), ui)
}

func (p *parser) setCondition(c *ctxDraft, ui int) {
	cond := conditionIn(p.unit(ui).lower)
	if c.Special == nil {
		c.Special = &notice.SpecialCategory{}
	}
	switch {
	case c.Special.Condition == "":
		c.Special.Condition = cond
	case !strings.Contains(c.Special.Condition, cond):
		c.Special.Condition += "; " + cond
	}
	p.take(ui, "contexts["+c.ID+"].special_category.condition", cond, stated)
}

var specialCategories = []struct {
	name string
	re   *regexp.Regexp
}{
	{"racial or ethnic origin", regexp.MustCompile(`\b(?:racial|ethnic|ethnicity|race)\b`)},
	{"political opinions", regexp.MustCompile(`political (?:opinion|view|belief)`)},
	{"religious or philosophical beliefs", regexp.MustCompile(`religio|philosophical belief|\bfaith\b`)},
	{"trade union membership", regexp.MustCompile(`trade union`)},
	{"genetic data", regexp.MustCompile(`genetic`)},
	{"biometric data", regexp.MustCompile(`biometric|fingerprint|facial recognition`)},
	{"health", regexp.MustCompile(`\bhealth\b|disabilit|medical|illness|sickness|mental|pregnan`)},
	{"sex life", regexp.MustCompile(`sex life`)},
	{"sexual orientation", regexp.MustCompile(`sexual orientation|sexuality`)},
}

// specialIn lists the Article 9 categories a lower-case text names.
func specialIn(lower string) []string {
	var out []string
	for _, s := range specialCategories {
		if s.re.MatchString(lower) {
			out = append(out, s.name)
		}
	}
	return out
}

func (p *parser) addSpecial(c *ctxDraft, categories []string, ui int) {
	if len(categories) == 0 {
		return
	}
	if c.Special == nil {
		c.Special = &notice.SpecialCategory{}
	}
	for _, cat := range categories {
		if !slices.Contains(c.Special.Categories, cat) {
			c.Special.Categories = append(c.Special.Categories, cat)
			p.take(ui, "contexts["+c.ID+"].special_category.categories", cat, shaped)
		}
	}
}

// settleContexts finishes what needed every context to be known: bases for
// contexts only an Article 9 statement opened, unscoped Article 9
// conditions, and names for general contexts.
func (p *parser) settleContexts() {
	general := p.general()
	for _, c := range p.contexts {
		if c.Basis == "" && general != nil {
			c.Basis = general.Basis
			p.record("contexts["+c.ID+"].basis", string(c.Basis), notice.Provenance{Line: general.Provenance.Line, Section: general.Provenance.Section, Confidence: inferred})
		}
	}
	for _, ui := range p.pending {
		p.placeCondition(ui, general)
	}
	p.nameGeneral()
	if len(p.contexts) == 0 {
		p.note("No lawful basis was recognised, so there is no processing context; a notice needs at least one before it can be stored.")
	} else if slices.ContainsFunc(p.contexts, func(c *ctxDraft) bool { return c.Basis == "" }) {
		p.note("A context has an Article 9 condition but no Article 6 lawful basis was recognised for it.")
	}
}

// placeCondition puts an unscoped Article 9 condition on every context
// holding special category data without one, or else on the general one.
func (p *parser) placeCondition(ui int, general *ctxDraft) {
	placed := false
	for _, c := range p.contexts {
		if c.Special != nil && len(c.Special.Categories) > 0 && c.Special.Condition == "" {
			p.setCondition(c, ui)
			placed = true
		}
	}
	if !placed && general != nil {
		p.setCondition(general, ui)
	}
}

func (p *parser) general() *ctxDraft {
	for _, c := range p.contexts {
		if c.general {
			return c
		}
	}
	return nil
}

func (p *parser) nameGeneral() {
	var generals []*ctxDraft
	for _, c := range p.contexts {
		if c.general {
			generals = append(generals, c)
		}
	}
	for _, c := range generals {
		switch {
		case len(p.contexts) == 1:
			c.Name = "the processing this notice describes"
		case len(generals) == 1:
			c.Name = "all other processing"
		default:
			c.Name = "other processing on the basis of " + notice.BasisLabel(c.Basis)
		}
	}
}
