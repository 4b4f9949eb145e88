package importer

import (
	"regexp"
	"slices"
	"strings"
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
// first, then a context its list's introduction or its own words resemble,
// then the general context.
func (p *parser) contextOf(ui int) *ctxDraft {
	if ids, ok := p.resolve(p.scopeOf(ui)); ok && len(ids) > 0 {
		return p.contextByID(ids[0])
	}
	u := p.unit(ui)
	if u.leadIn >= 0 {
		if c := p.closest(p.unit(u.leadIn).text, true); c != nil {
			return c
		}
	}
	if c := p.closest(u.text, true); c != nil {
		return c
	}
	if g := p.general(); g != nil {
		return g
	}
	if len(p.contexts) > 0 {
		return p.contexts[0]
	}
	return nil
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
	text := itemText(u.text)
	if c == nil || text == "" || len(c.DataCategories) >= maxItems {
		return
	}
	if !slices.Contains(c.DataCategories, text) {
		c.DataCategories = append(c.DataCategories, text)
	}
	p.take(ui, "contexts["+c.ID+"].data_categories", text, shaped)
	p.addSpecial(c, specialIn(u.lower), ui)
}

var (
	specialConnector  = regexp.MustCompile(`(?:sensitive (?:personal )?(?:data|information)|special categor(?:y|ies)(?: of)?(?: personal)?(?: data)?)\s+(?:relating to|about|concerning|such as|including|revealing|on|in the form of|like|:)\s+(.+)`)
	specialDefinition = regexp.MustCompile(`^(?:sensitive|special categor\S*)(?: personal)?(?: data)? (?:is|are|means|includes?)\b`)
)

// specialMention reads "We may also process sensitive personal data
// relating to health issues…", not the definitions some notices give
// ("Sensitive personal data is personal data revealing…").
func (p *parser) specialMention(ui int) {
	u := p.unit(ui)
	m := specialConnector.FindStringSubmatch(u.lower)
	if m == nil || specialDefinition.MatchString(u.lower) {
		return
	}
	if c := p.contextOf(ui); c != nil {
		p.addSpecial(c, specialIn(m[1]), ui)
	}
}
