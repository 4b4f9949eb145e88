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
	// explicit marks a general context the notice itself calls the rest
	// ("for all other purposes"), which a context opened by an Article 9
	// statement may take its basis from.
	explicit bool
	// ownPurpose marks a context opened by a sentence stating a further
	// purpose with no basis ("We also process your diversity data for the
	// purpose of equality monitoring"): its basis is never borrowed.
	ownPurpose bool
	// pendingCondition is set once an unscoped Article 9 condition was
	// placed on the context, so the next unscoped one in the same run
	// joins it rather than falling back to the general context.
	pendingCondition bool
}

type region uint8

const (
	regionNone region = iota
	regionArt6        // after "The legal basis of processing your personal data is:"
	regionArt9        // after "Our lawful basis for processing your sensitive personal data is as below."
)

var (
	// basisCue is wording that states a lawful basis. "With your consent"
	// is not one: "we will only disclose it where it is lawful to do so, or
	// with your consent" sets a condition on disclosure, not a basis.
	basisCue  = regexp.MustCompile(`\b(?:legal|lawful) (?:basis|bases|grounds?)\b|on the basis (?:of|that|you)\b|\bwe rely on\b|\brelying on\b|because you (?:have )?(?:consent|given)|you consent to us|\bwe obtain your consent\b|\b(?:article|art\.?) ?\(?6\b`)
	leadInCue = regexp.MustCompile(`:\s*$|\s-\s*$|\bas (?:below|follows)\b`)
	// sensitiveCue marks a statement about special category data: by name,
	// by Article 9, or by the Article 9 data it names outright.
	sensitiveCue = regexp.MustCompile(`sensitive (?:personal )?(?:data|information)|special categor|\b(?:article|art\.?) ?9\b|\bbiometric data\b|\bgenetic data\b|\bdata concerning health\b`)
	rightsTalk   = regexp.MustCompile(`\b(?:you have|you may have|you also have) (?:the|a) right|\bright to (?:withdraw|object|request)|(?:withdraw|revoke|remove)\w*(?: your)? consent|\bchange your mind\b`)
	// incidentalConsent mentions consent as a condition on something other
	// than the processing: disclosure, sharing or commercial use "with (or
	// without) your consent", or an opt-out.
	// consentStated says outright that processing rests on consent, which
	// an opt-out in the same sentence does not undo.
	consentStated     = regexp.MustCompile(`(?:legal|lawful) basis[^.]{0,60}\bconsent|on the basis (?:of|that) (?:your |you )?consent|\brel(?:y|ies|ying) on (?:your )?consent|because you (?:have )?consent`)
	incidentalConsent = regexp.MustCompile(`\b(?:disclos|shar|pass|sell|mak|publish)\w*\b[^.]{0,80}\b(?:with|without) (?:your )?consent|\bopt(?:ing)?[- ]out\b|\bconsent (?:is not|isn't) (?:needed|required)`)
	// art6 patterns each come with a word the text must contain, a cheap
	// test that spares the regular expression on most sentences.
	art6 = []struct {
		basis notice.Basis
		hint  string
		re    *regexp.Regexp
	}{
		{notice.BasisConsent, "consent", regexp.MustCompile(`\bconsent(?:s|ed)?\b`)},
		{notice.BasisContract, "contract", regexp.MustCompile(`performance of a contract|\b(?:a|the|your|our) contract (?:with|to which|we have)|employment contract|contract of employment|enter(?:ing)? into a contract|necessary for (?:a|the|your) contract|contractual (?:obligation|necessity)|under (?:a|the|your) contract`)},
		{notice.BasisLegalObligation, "l", regexp.MustCompile(`legal obligation|statutory (?:obligation|duty|duties)|comply with (?:the|a|our|its) (?:law|legal|statutory)|required (?:to do so )?by law|obliged by law`)},
		{notice.BasisVitalInterests, "vital", regexp.MustCompile(`vital interest`)},
		{notice.BasisPublicTask, "", regexp.MustCompile(`public task|\btask (?:carried out )?in the public interest|public interest task|\bofficial authority|(?:exercise|performance) of (?:our|its|a|their) (?:public|statutory) functions?|\bour functions as a government department`)},
		{notice.BasisRecognisedLegitimateInterests, "recogni", recognisedInterest},
		{notice.BasisLegitimateInterests, "legitimate", regexp.MustCompile(`legitimate interest`)},
	}
	recognisedInterest = regexp.MustCompile(`recogni[sz]ed legitimate interest`)
	// art6Point reads "Article 6(1)(e)", "Article 6 (1) (e)" and "Article
	// (6)(1)(f)", and (ea) for recognised legitimate interests.
	art6Point     = regexp.MustCompile(`(?:article|art\.?)\s*\(?\s*6\s*\)?\s*\(\s*1\s*\)\s*\(\s*(ea|[a-f])\s*\)`)
	consentDenied = regexp.MustCompile(`(?:not|never) (?:rely|relying|based|ask(?:ing)? for) (?:on |upon )?(?:your )?consent|without (?:your )?consent|do not need your consent`)
)

// basesIn lists the Article 6 bases a lower-case text names, in Article 6
// order. Legitimate interests named only as recognised legitimate
// interests (Art 6(1)(ea)) is that basis alone, not (f) as well.
func basesIn(lower string) []notice.Basis {
	var out []notice.Basis
	for _, b := range art6 {
		if !strings.Contains(lower, b.hint) || !b.re.MatchString(lower) {
			continue
		}
		switch {
		case b.basis == notice.BasisConsent && (consentDenied.MatchString(lower) || incidentalConsent.MatchString(lower) && !consentStated.MatchString(lower)):
			continue
		case b.basis == notice.BasisLegitimateInterests && strings.Count(lower, "legitimate interest") == len(recognisedInterest.FindAllString(lower, -1)):
			continue
		}
		out = append(out, b.basis)
	}
	if !strings.Contains(lower, "6") {
		return out
	}
	for _, m := range art6Point.FindAllStringSubmatch(lower, -1) {
		if b := basisAtPoint(m[1]); b != "" && !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	return out
}

func basisAtPoint(point string) notice.Basis {
	for _, b := range notice.Bases {
		if notice.Art6Point(b) == point {
			return b
		}
	}
	return notice.BasisUnstated
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
	{"g", "substantial public interest", regexp.MustCompile(`substantial public interest|equality of opportunity or treatment|statutory and government(?:al)? purposes?|governmental purposes?`)},
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
		sensitive := sensitiveCue.MatchString(u.lower) || reg == regionArt9 || p.sensitiveSection(ui)
		switch {
		case conditionIn(u.lower) != "" && sensitive:
			p.condition(ui)
		case p.isBasisStatement(ui, reg):
			p.basisStatement(ui)
		case p.furtherPurpose(ui):
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

// art10Cue is a statement about criminal offence data, whose "official
// authority" is Article 10's, not an Article 6 basis.
var art10Cue = regexp.MustCompile(`\b(?:article|art\.?) ?10\b|criminal (?:convictions?|offen)`)

// basisReference is a basis mentioned as a condition ("…or until consent is
// withdrawn (if we are relying on your consent)"), not stated.
var basisReference = regexp.MustCompile(`\b(?:if|where|when|unless)\b[^.,]{0,30}\b(?:rely|relying|based|basis)\b`)

// basisTopics are the sections a lawful basis may be stated in; a retention
// or rights section only refers back to one.
func basisTopic(t topic) bool {
	return t != topicRetention && t != topicRights && t != topicTransfers && t != topicComplaints && t != topicContact && t != topicChildren
}

// statedBases are the bases a sentence names or, for a sentence that
// states a basis in words that do not name it ("the legal basis we rely on
// is that the processing is necessary for our interests…"), the one basis
// its heading names ("Legitimate interests (UK GDPR Article (6)(1)(f))").
func (p *parser) statedBases(ui int) []notice.Basis {
	u := p.unit(ui)
	if bases := basesIn(u.lower); len(bases) > 0 || !basisCue.MatchString(u.lower) {
		return bases
	}
	if s := p.sectionOf(ui); s != nil {
		if bases := basesIn(strings.ToLower(matchFolding.Replace(s.title))); len(bases) == 1 {
			return bases
		}
	}
	return nil
}

func (p *parser) isBasisStatement(ui int, reg region) bool {
	u := p.unit(ui)
	if len(p.statedBases(ui)) == 0 || sensitiveCue.MatchString(u.lower) || basisReference.MatchString(u.lower) || !basisTopic(p.topicOf(ui)) ||
		art10Cue.MatchString(u.lower) {
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

// basisStatement opens or extends a context for each basis the statement
// names. Consent that introduces a list of purposes ("We obtain your
// consent to process your personal data for the following purposes:")
// makes one context per purpose, since consent is given, and withdrawn, for
// each specific purpose (Art 6(1)(a), Art 7(3)); one that adds a
// further purpose to a basis already stated ("We also process your data so
// that we can monitor your performance as part of your employment
// contract") opens a context named by that purpose.
func (p *parser) basisStatement(ui int) {
	u := p.unit(ui)
	bases := p.statedBases(ui)
	if items := p.purposeItems(ui); len(items) > 0 && slices.Equal(bases, []notice.Basis{notice.BasisConsent}) {
		for _, it := range items {
			purpose := itemText(p.unit(it).text)
			for _, b := range bases {
				if c := p.contextFor(lowerFirst(purpose), b, it); c != nil {
					c.Purposes = append(c.Purposes, purpose)
					p.take(it, "contexts["+c.ID+"].basis", string(b), stated)
				}
			}
		}
		p.take(ui, "contexts.introduction", excerpt(u.text), shaped)
		return
	}
	phrase := p.scopeOf(ui)
	if phrase == "" && alsoProcess.MatchString(u.lower) {
		if m := processingPurpose.FindStringSubmatch(u.fold); m != nil {
			phrase = lowerFirst(strings.TrimSpace(m[1]))
		}
	}
	for _, b := range bases {
		if c := p.contextFor(phrase, b, ui); c != nil {
			p.take(ui, "contexts["+c.ID+"].basis", string(b), stated)
		}
	}
}

var (
	purposesLead = regexp.MustCompile(`(?:purposes?|the following)[^.]*:\s*$`)
	alsoProcess  = regexp.MustCompile(`^we (?:will )?also (?:process|use|collect|hold)\b`)
	// processingPurpose is the purpose a sentence gives its processing.
	processingPurpose = regexp.MustCompile(`(?i)\b(?:so that we can|so we can|for us to|in order to|in order that we can)\s+(.+?)(?:\s+as part of\b.*)?\.?$`)
)

// purposeItems are the list items a basis statement introduces when it
// introduces purposes rather than further basis statements.
func (p *parser) purposeItems(ui int) []int {
	if !purposesLead.MatchString(p.unit(ui).lower) {
		return nil
	}
	var items []int
	for it := ui + 1; it < len(p.d.units) && p.unit(it).leadIn == ui; it++ {
		if len(basesIn(p.unit(it).lower)) > 0 {
			return nil
		}
		items = append(items, it)
	}
	return items
}

// furtherPurpose opens a context for a sentence that gives special category
// data a purpose of its own and pairs it with no Article 6 basis: "We also
// collect this data for the purposes of monitoring equality", "We also
// process your diversity data for the purpose of equality monitoring". The
// context keeps no basis: Article 13(1)(c) asks the notice for one, and lint
// reports that it gives none.
func (p *parser) furtherPurpose(ui int) bool {
	u := p.unit(ui)
	m := furtherPurposeRe.FindStringSubmatch(u.lower)
	if m == nil || len(basesIn(u.lower)) > 0 {
		return false
	}
	categories := specialIn(m[1] + " data")
	if len(categories) == 0 && strings.TrimSpace(m[1]) == "this" && p.specialParagraph(ui) {
		categories = []string{genericSpecial}
	}
	if len(categories) == 0 {
		return false
	}
	purpose := strings.TrimSpace(m[2])
	c := p.closest(purpose, true)
	if c == nil {
		if c = p.newContext(purpose, ui); c == nil {
			return false
		}
		c.ownPurpose = true
		c.Purposes = append(c.Purposes, purpose)
		p.take(ui, "contexts["+c.ID+"].purposes", purpose, stated)
	}
	p.addSpecial(c, categories, ui)
	return true
}

var furtherPurposeRe = regexp.MustCompile(`\bwe (?:will )?also (?:collect|process|use|hold)\w* (?:your |the )?([a-z ]{0,40}?) ?(?:personal )?(?:data|information|characteristics) for (?:the )?purposes? of ([^,.;]+)`)

// genericSpecial names special category data a notice mentions without
// saying which.
const genericSpecial = "special category data"

// specialParagraph reports whether an earlier sentence of the unit's
// paragraph speaks of special category data, so "this data" means it.
func (p *parser) specialParagraph(ui int) bool {
	for _, other := range p.d.blocks[p.unit(ui).block].units {
		if other < ui && sensitiveCue.MatchString(p.unit(other).lower) {
			return true
		}
	}
	return false
}

// sensitiveSection reports whether the unit sits under a heading about
// special category data, where every condition stated is an Article 9 one.
func (p *parser) sensitiveSection(ui int) bool {
	s := p.sectionOf(ui)
	return s != nil && sensitiveCue.MatchString(strings.ToLower(s.title))
}

// contextFor finds the context a basis statement adds to, or opens one.
func (p *parser) contextFor(phrase string, b notice.Basis, ui int) *ctxDraft {
	general := phrase == "" || generalScope.MatchString(phrase)
	for _, c := range p.contexts {
		if c.Basis == b && c.general == general && (general || similarity(stems(phrase), c.phraseStems) >= 0.8) {
			return c
		}
	}
	explicit := phrase != "" && general
	if general {
		phrase = ""
	}
	c := p.newContext(phrase, ui)
	if c != nil {
		c.Basis, c.explicit = b, explicit
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
		// "In addition we rely on the statutory and government purposes
		// condition" adds to the condition its paragraph just scoped.
		if c := p.lastCondition; c != nil && c.block == p.unit(ui).block {
			p.setCondition(c.ctx, ui)
			return
		}
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
	p.lastCondition = &scopedCondition{ctx: c, block: p.unit(ui).block}
}

// scopedCondition is the context the last scoped Article 9 statement went
// to, and its paragraph.
type scopedCondition struct {
	ctx   *ctxDraft
	block int
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
	// Public bodies collect "diversity data" for equality monitoring: in
	// practice ethnicity, religion, sexual orientation and disability.
	{"diversity data", regexp.MustCompile(`\bdiversity (?:data|characteristics|information)\b`)},
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
	if lender := p.basisLender(); lender != nil {
		for _, c := range p.contexts {
			if c.Basis == notice.BasisUnstated && !c.ownPurpose {
				c.Basis = lender.Basis
				p.record("contexts["+c.ID+"].basis", string(c.Basis), notice.Provenance{Line: lender.Provenance.Line, Section: lender.Provenance.Section, Confidence: inferred})
			}
		}
	}
	for _, ui := range p.pending {
		p.placeCondition(ui)
	}
	p.shareWithSiblings()
	for _, c := range p.contexts {
		p.phraseData(c)
	}
	p.nameGeneral()
	if slices.ContainsFunc(p.contexts, func(c *ctxDraft) bool { return c.Basis == notice.BasisUnstated }) {
		p.note("The notice pairs some processing with no Article 6 lawful basis (or none at all); it is kept without one, as published, and lint reports it (Article 13(1)(c)).")
	}
}

// basisLender is the context whose basis a context opened by an Article 9
// statement takes: the one the notice calls "all other" processing, or the
// general context when the notice states one basis for everything. A
// notice that pairs several bases with purposes lends none: the basis is
// never guessed.
func (p *parser) basisLender() *ctxDraft {
	var general *ctxDraft
	bases := map[notice.Basis]bool{}
	for _, c := range p.contexts {
		if c.explicit {
			return c
		}
		if c.general && general == nil {
			general = c
		}
		if c.Basis != notice.BasisUnstated {
			bases[c.Basis] = true
		}
	}
	if len(bases) == 1 {
		return general
	}
	return nil
}

// unstatedContext stands for the processing of a notice that states no
// lawful basis at all, so the draft still has the context every request
// is filed against; it points at the first sentence saying what is done
// with the data.
func (p *parser) unstatedContext() {
	at := -1
	for ui := range p.d.units {
		if t := p.topicOf(ui); (t == topicPurpose || t == topicData) && p.unit(ui).lower != "" {
			at = ui
			break
		}
	}
	if at < 0 && len(p.d.units) > 0 {
		at = 0
	}
	if at < 0 {
		return
	}
	c := p.newContext("", at)
	c.Name, c.Provenance.Confidence = "the processing this notice describes", inferred
}

// placeCondition puts an unscoped Article 9 condition on every context
// holding special category data without one; failing that, on those that
// took the last unscoped condition (a second condition for the same data),
// or else on the general processing.
func (p *parser) placeCondition(ui int) {
	var targets []*ctxDraft
	for _, c := range p.contexts {
		if c.Special != nil && len(c.Special.Categories) > 0 && c.Special.Condition == "" {
			targets = append(targets, c)
		}
	}
	if len(targets) == 0 {
		for _, c := range p.contexts {
			if c.pendingCondition {
				targets = append(targets, c)
			}
		}
	}
	if len(targets) == 0 {
		if g := p.general(); g != nil {
			targets = append(targets, g)
		}
	}
	for _, c := range targets {
		p.setCondition(c, ui)
		c.pendingCondition = true
	}
}

// shareWithSiblings gives the contexts one sentence opened ("a task in the
// public interest and to protect the vital interests of people") the same
// purposes, data and special category data: it is one processing on two
// bases, and list items and conditions only reached the first of them.
func (p *parser) shareWithSiblings() {
	for i, c := range p.contexts {
		for _, sibling := range p.contexts[i+1:] {
			if sibling.general != c.general || sibling.Provenance.Line != c.Provenance.Line || sibling.phrase != c.phrase {
				continue
			}
			for _, pair := range [][2]*ctxDraft{{c, sibling}, {sibling, c}} {
				from, to := pair[0], pair[1]
				to.Purposes = appendMissing(to.Purposes, from.Purposes...)
				to.DataCategories = appendMissing(to.DataCategories, from.DataCategories...)
				if from.Special != nil && to.Special == nil {
					special := *from.Special
					special.Categories = slices.Clone(from.Special.Categories)
					to.Special = &special
				}
			}
		}
	}
}

// phraseData reads a context named by a list of kinds of data ("In the case
// of images, video and audio, the legal basis … is your consent") as the
// data it covers, adding each kind no listed category already names.
func (p *parser) phraseData(c *ctxDraft) {
	if c.phrase == "" || c.general {
		return
	}
	kinds := listSplit.Split(c.phrase, -1)
	if len(kinds) < 2 {
		return
	}
	for _, k := range kinds {
		if words := strings.Fields(k); len(words) == 0 || len(words) > 3 || slices.ContainsFunc(words, func(w string) bool { return notDataWords[w] }) {
			return
		}
	}
	for _, k := range kinds {
		want := stems(k)
		if slices.ContainsFunc(c.DataCategories, func(have string) bool { return sharedStems(want, stems(have)) > 0 }) {
			continue
		}
		c.DataCategories = append(c.DataCategories, k)
		p.record("contexts["+c.ID+"].data_categories", k, notice.Provenance{Line: c.Provenance.Line, Section: c.Provenance.Section, Confidence: inferred})
	}
}

// notDataWords mark a scope phrase as a clause, not a list of data.
var notDataWords = toSet("we you our your us they when where that those not who which if is are")

func appendMissing(list []string, items ...string) []string {
	for _, it := range items {
		if !slices.Contains(list, it) {
			list = append(list, it)
		}
	}
	return list
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
	base := "all other processing"
	if len(generals) == len(p.contexts) {
		base = "the processing this notice describes"
	}
	for _, c := range generals {
		c.Name = base
		if len(generals) > 1 {
			c.Name += ", on the basis of " + notice.BasisLabel(c.Basis)
		}
	}
}
