package importer

import (
	"regexp"
	"slices"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// What a list holds is said by the sentence introducing it ("We will
// process the following personal data:", "…will be shared by us with:"),
// or, for a list with no such sentence, by the section it sits in.
type listKind uint8

const (
	listNone listKind = iota
	listPurposes
	listData
	listRecipients
)

var (
	purposeCue   = regexp.MustCompile(`purpose|\bwe (?:will |may |also |can )*use (?:your |the |this |personal |diversity |such )*(?:data|information|details)|in order to|activities include|\bwe (?:will|may)(?: also)?:\s*$`)
	recipientCue = regexp.MustCompile(`\b(?:shared|disclosed|passed)(?: securely)?(?: by us)?(?: on an? [a-z ]+ basis)? (?:with|through|to|between)\b|\bshare (?:it |them |your (?:personal )?data |this (?:data|information) )?with\b|\brecipients?\b|the following (?:applications|providers|processors|suppliers|organisations|third parties|companies)|\bwe (?:also )?use the following`)
	dataCue      = regexp.MustCompile(`collect|\bwe (?:will |may )?(?:also )?process\b|(?:may|will) (?:also )?process(?: your)?:\s*$|following (?:personal |diversity |types of )?(?:data|information)|(?:data|information|details):\s*$|such as:?\s*$|categories`)
)

func leadKind(lower string) listKind {
	switch {
	case rightsLead.MatchString(lower):
		return listNone // a list of rights, read by rights()
	case purposeCue.MatchString(lower):
		return listPurposes
	case recipientCue.MatchString(lower):
		return listRecipients
	case dataCue.MatchString(lower):
		return listData
	}
	return listNone
}

var listFields = map[listKind]string{listPurposes: "purposes", listData: "data_categories", listRecipients: "recipients"}

func topicKind(t topic) listKind {
	switch t {
	case topicPurpose:
		return listPurposes
	case topicData:
		return listData
	case topicRecipients:
		return listRecipients
	}
	return listNone
}

// lists reads list items, and the sentences that state purposes, name
// recipients or mention special category data.
func (p *parser) lists() {
	for ui := range p.d.units {
		u := p.unit(ui)
		if u.lower == "" || p.topicOf(ui) == topicRights {
			continue
		}
		if p.d.blocks[u.block].kind == bullet {
			p.listItem(ui)
			continue
		}
		p.specialMention(ui)
		p.criminalMention(ui)
		if p.topicOf(ui) == topicPurpose {
			p.purposeSentence(ui)
		}
		if t := p.topicOf(ui); t != topicComplaints && t != topicContact && t != topicTransfers {
			p.recipientSentence(ui)
		}
	}
}

func (p *parser) listItem(ui int) {
	u := p.unit(ui)
	if u.used {
		return // a lawful basis stated as a list item
	}
	kind := p.itemKind(ui)
	switch kind {
	case listPurposes:
		p.purpose(ui, itemText(u.text))
	case listData:
		p.dataCategory(ui)
	case listRecipients:
		p.recipientItem(ui)
	default:
		return
	}
	if u.leadIn >= 0 {
		p.introduce(u.leadIn, listFields[kind])
	}
}

// itemKind is what a list item is: what its introduction says, or for a
// nested item what its parent item is, or for a list with no introduction
// what its section is about.
func (p *parser) itemKind(ui int) listKind {
	for hops := 0; hops < 4; hops++ {
		lead := p.unit(ui).leadIn
		if lead < 0 {
			return topicKind(p.topicOf(ui))
		}
		if kind := leadKind(p.unit(lead).lower); kind != listNone || p.d.blocks[p.unit(lead).block].kind != bullet {
			return kind
		}
		ui = lead
	}
	return listNone
}

var itemTrim = regexp.MustCompile(`^(?:to|and|or)\s+|[\s.;,]+$|\s+(?:and|or)$`)

func itemText(s string) string { return strings.TrimSpace(itemTrim.ReplaceAllString(s, "")) }

// contextOf places a list item or sentence: its own or its list's scope
// first; then a context its own words name outright (two words or more in
// common), which beats the context its list's introduction resembles ("We
// will also use diversity data to: … for reasonable adjustments at
// events"); then that one, unless the item is about a part of the
// introduction the context does not cover ("in your profile or forums" for
// a context about profiles, and the item is forum comments) or is data no
// one volunteers (an IP address under "you may choose to provide"); then
// one its own words resemble; then the general context.
func (p *parser) contextOf(ui int) *ctxDraft {
	if ids, ok := p.resolve(p.scopeOf(ui)); ok && len(ids) > 0 {
		return p.contextByID(ids[0])
	}
	u := p.unit(ui)
	own, _, ownShared := p.closestScored(u.text, true)
	if own != nil && ownShared >= 2 {
		return own
	}
	if u.leadIn >= 0 {
		lead := p.unit(u.leadIn).text
		if c := p.closest(lead, true); c != nil && !p.outsideOf(c, lead, u.text) && !technicalData.MatchString(u.lower) {
			return c
		}
	}
	if own != nil {
		return own
	}
	if g := p.general(); g != nil {
		return g
	}
	if len(p.contexts) > 0 {
		return p.contexts[0]
	}
	return nil
}

// technicalData is collected by the service itself, never volunteered.
var technicalData = regexp.MustCompile(`\bip address|\bdevice\b|\bbrowser\b|\bcookies?\b|\bsession\b|\blogs?\b|\buser id\b`)

// outsideOf reports an item that names something its introduction speaks
// of but the context does not: the introduction covers more than the
// context, and the item is that more.
func (p *parser) outsideOf(c *ctxDraft, lead, item string) bool {
	leadStems, itemStems := stems(lead), stems(item)
	for w := range itemStems {
		if leadStems[w] && !c.phraseStems[w] && !c.nameStems[w] {
			return true
		}
	}
	return false
}

// specialContext is where an item naming special category data goes when
// the notice gives that data processing of its own ("We also process your
// diversity data for the purpose of equality monitoring"): the most
// similar such context, or the only one.
func (p *parser) specialContext(ui int) *ctxDraft {
	var special []*ctxDraft
	for _, c := range p.contexts {
		if c.Special != nil && !c.general {
			special = append(special, c)
		}
	}
	if len(special) == 1 {
		return special[0]
	}
	words := p.unit(ui).text
	if lead := p.unit(ui).leadIn; lead >= 0 {
		words += " " + p.unit(lead).text
	}
	want := stems(words)
	var best *ctxDraft
	bestScore := 0.0
	for _, c := range special {
		if score := max(similarity(want, c.nameStems), similarity(want, c.phraseStems)); score > bestScore {
			best, bestScore = c, score
		}
	}
	return best
}

func (p *parser) contextByID(id string) *ctxDraft {
	for _, c := range p.contexts {
		if c.ID == id {
			return c
		}
	}
	return nil
}

func (p *parser) purpose(ui int, text string) {
	c := p.contextOf(ui)
	if c == nil || text == "" || len(c.Purposes) >= maxItems {
		return
	}
	c.Purposes = append(c.Purposes, text)
	p.take(ui, "contexts["+c.ID+"].purposes", text, shaped)
}

var purposeClause = regexp.MustCompile(`(?i)\bpurposes?\b.*?\b(?:is|are)\s+(?:to|for)\s+(.+?)\.?$`)

func (p *parser) purposeSentence(ui int) {
	u := p.unit(ui)
	if strings.HasSuffix(u.lower, ":") {
		return
	}
	if m := purposeClause.FindStringSubmatch(u.fold); m != nil {
		p.purpose(ui, m[1])
	}
}

func (p *parser) dataCategory(ui int) {
	u := p.unit(ui)
	c := p.contextOf(ui)
	if special := specialIn(u.lower); len(special) > 0 && c != nil && c.Special == nil {
		if elsewhere := p.specialContext(ui); elsewhere != nil {
			c = elsewhere
		}
	}
	text := itemText(u.text)
	if c == nil || text == "" || len(c.DataCategories) >= maxItems {
		return
	}
	if !slices.Contains(c.DataCategories, text) {
		c.DataCategories = append(c.DataCategories, text)
	}
	p.take(ui, "contexts["+c.ID+"].data_categories", text, shaped)
	p.addSpecial(c, specialIn(u.lower), ui)
	p.criminalMention(ui)
}

var (
	specialConnector  = regexp.MustCompile(`(?:sensitive (?:personal )?(?:data|information)|special categor(?:y|ies)(?: of)?(?: personal)?(?: data)?)\s+(?:relating to|about|concerning|such as|including|revealing|on|in the form of|like|:)\s+(.+)`)
	specialDefinition = regexp.MustCompile(`^(?:sensitive|special categor\S*)(?: personal)?(?: data)? (?:is|are|means|includes?)\b`)
)

// specialMention reads "We may also process sensitive personal data
// relating to health issues…", "Some of the information we hold is
// sensitive health and care information" and "We collect 'special
// categories of personal data'", not the definitions some notices give
// ("Sensitive personal data is personal data revealing…"). A mention that
// introduces the basis for special category data ("The legal basis for
// processing your sensitive personal data relating to disability is") is
// about the processing the notice gives that data, where it gives one.
func (p *parser) specialMention(ui int) {
	u := p.unit(ui)
	if specialDefinition.MatchString(u.lower) {
		return
	}
	var categories []string
	switch m := specialConnector.FindStringSubmatch(u.lower); {
	case m != nil:
		categories = specialIn(m[1])
	case specialAdjective.MatchString(u.lower):
		categories = specialIn(specialAdjective.FindStringSubmatch(u.lower)[1])
	case specialCollected.MatchString(u.lower) && !strings.HasSuffix(u.lower, ":"):
		categories = []string{genericSpecial}
	}
	if len(categories) == 0 {
		return
	}
	c := p.contextOf(ui)
	if c != nil && c.Special == nil && basisCue.MatchString(u.lower) {
		if elsewhere := p.specialContext(ui); elsewhere != nil {
			c = elsewhere
		}
	}
	if c != nil {
		p.addSpecial(c, categories, ui)
	}
}

var (
	specialAdjective = regexp.MustCompile(`\bsensitive ((?:[a-z]+ ){1,3})(?:data|information)\b`)
	specialCollected = regexp.MustCompile(`\bwe (?:may )?(?:also )?(?:collect|process|hold|use|receive)\w* ['"]?(?:special categor(?:y|ies)|sensitive)`)
	// criminalCue is personal data about criminal convictions and offences,
	// alleged ones included (Art 10).
	criminalCue    = regexp.MustCompile(`criminal (?:convictions?|offen[cs]es?|records?|proceedings|history)|\bunspent convictions?\b|\b(?:alleged )?commission of (?:any|an) offen[cs]e|proceedings for any offen[cs]e|\boffen[cs]es? committed`)
	criminalDenied = regexp.MustCompile(`\b(?:do not|does not|will not|never) (?:collect|process|hold|use|ask for)\b`)
	// criminalAuthority is what a notice names for it: official authority,
	// Article 10 or a DPA 2018 Schedule 1 condition.
	criminalAuthority = regexp.MustCompile(`official authority|\b(?:article|art\.?) ?10\b|schedule 1|sch\.? ?1\b`)
	scheduleParagraph = regexp.MustCompile(`paragraph (\d{1,2}) of schedule 1|schedule 1,? (?:part \d,? )?paragraph (\d{1,2})|paragraph (\d{1,2}),? schedule 1`)
)

// criminalMention marks the context a sentence or item about criminal
// offence data belongs to, with the authority the same sentence or the rest
// of its paragraph names; none named is recorded as none, for lint.
func (p *parser) criminalMention(ui int) {
	u := p.unit(ui)
	if !criminalCue.MatchString(u.lower) || criminalDenied.MatchString(u.lower) {
		return
	}
	c := p.contextOf(ui)
	if c == nil {
		return
	}
	if c.Criminal == nil {
		c.Criminal = &notice.CriminalOffenceData{}
	}
	for _, other := range p.d.blocks[u.block].units {
		if other < ui || c.Criminal.Condition != "" {
			continue
		}
		if lower := p.unit(other).lower; criminalAuthority.MatchString(lower) {
			c.Criminal.Condition = criminalCondition(lower)
			p.take(other, "contexts["+c.ID+"].criminal_offence_data.condition", c.Criminal.Condition, stated)
		}
	}
	p.take(ui, "contexts["+c.ID+"].criminal_offence_data", "true", shaped)
}

func criminalCondition(lower string) string {
	parts := []string{"Art 10"}
	if strings.Contains(lower, "official authority") {
		parts = append(parts, "under official authority")
	}
	if m := scheduleParagraph.FindStringSubmatch(lower); m != nil {
		parts = append(parts, "DPA 2018 Sch 1 para "+m[1]+m[2]+m[3])
	} else if strings.Contains(lower, "schedule 1") {
		parts = append(parts, "a DPA 2018 Schedule 1 condition")
	}
	return strings.Join(parts, ", ")
}
