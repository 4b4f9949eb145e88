package importer

import (
	"regexp"
	"slices"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// Rights are read from the rights section (or, when a notice has none, from
// any sentence that speaks of a right), one declaration per right a
// sentence or list item names. Its scope comes from the sentence or the one
// introducing its list; its qualifier from "may have" or "in certain
// circumstances"; its channel from the same sentence ("by emailing us at
// …"), the next one ("You can exercise this by deleting that data
// yourself"), a sentence after the list ("If you have any of these
// requests, get in contact with our Privacy Team"), or one anywhere that
// says how ("To withdraw your consent, you can simply opt out…").

var rightPatterns = []struct {
	right notice.Right
	re    *regexp.Regexp
}{
	{notice.RightPortability, regexp.MustCompile(`machine[- ]readable|\bportab|structured,? commonly[- ]used|(?:transmit|transfer|move|send)\w* [^.]{0,60}\b(?:to another|from one) (?:organisation|controller|service)`)},
	{notice.RightWithdrawConsent, regexp.MustCompile(`(?:withdraw|remove|revoke)\w*(?: your)? (?:consent|agreement)|consent[^.]{0,40}withdraw`)},
	{notice.RightObjection, regexp.MustCompile(`\bobject(?:ion|ing|s)?\b|\bstop (?:processing|using)\b`)},
	{notice.RightAutomatedDecisionReview, regexp.MustCompile(`automated (?:individual )?decision|\bprofiling\b|decision based solely|human intervention`)},
	{notice.RightErasure, regexp.MustCompile(`\berase[ds]?\b|\berasure\b|\bdelet(?:e|ed|ion)\b|right to be forgotten`)},
	{notice.RightRestriction, restrictionWords},
	{notice.RightRectification, regexp.MustCompile(`rectif\w*|inaccura\w*|\bincomplete\b|\bincorrect\b|\bcorrect(?:ed|ion|ing)?\b|\bupdate (?:your|any|inaccurate)|\b(?:fix|amend|change)\b[^.]{0,60}\b(?:wrong|out of date)\b`)},
	{notice.RightAccess, regexp.MustCompile(`cop(?:y|ies) of (?:your|that|the|any|their) (?:personal )?(?:data|information)|\baccess (?:to )?(?:your|the|any) (?:personal )?(?:data|information)|subject access|information about how (?:your|we) |\bright (?:of|to) access|confirmation (?:that|of whether)`)},
}

var (
	objectWord       = regexp.MustCompile(`\bobject(?:ion|ing|s)?\b`)
	restrictionWords = regexp.MustCompile(`\brestrict\w*|\blimit (?:how|the (?:use|processing))`)
	directMarketing  = regexp.MustCompile(`marketing`)
	objectionBases   = regexp.MustCompile(`legitimate interest|public (?:task|interest)|official authority`)
	noRight          = regexp.MustCompile(`(?:do not|don't|does not|cannot|can't|will not) have (?:the|a|any) right|\bno right to\b|\bnot (?:entitled|able) to\b`)
	exerciseThis     = regexp.MustCompile(`^(?:you can|you may) (?:exercise|do) (?:this|that|it)\b|^to (?:do|exercise) (?:this|that|it)\b|^(?:to do so|to exercise this right)\b`)
	theseRequests    = regexp.MustCompile(`any of these (?:requests|rights)|exercise (?:any of )?(?:these|your) rights|make any of these requests|if you (?:want|wish) to (?:exercise|make)`)
	// withdrawalStated is consent withdrawal offered beside the consent
	// basis rather than in the rights section ("You can remove your consent
	// at any time by emailing …").
	withdrawalStated = regexp.MustCompile(`\byou (?:can|may|are able to|have the right to) (?:\w+ )?(?:withdraw|remove|revoke)\w*(?: your)? consent`)
	toVerb           = regexp.MustCompile(`^to (withdraw|object|request|ask|access|exercise)\b[^,]{0,80},`)
	mayQualifier     = regexp.MustCompile(`\bmay (?:also )?have (?:the|a) right|\bmay be (?:able|entitled)\b`)
	circumstances    = regexp.MustCompile(`in (certain|some|limited|particular) (?:circumstances|cases)(?:\s*\((?:for example|for instance|e\.g\.|such as),?\s*([^)]+)\))?|where (?:applicable|relevant)`)
	// offersRight is a sentence outside the rights section that offers a
	// right all the same: "You can find out if we hold any personal data
	// about you by making a subject access request", "Individuals can ask
	// us to prove that the automated decision has been made correctly".
	offersRight = regexp.MustCompile(`\b(?:you|individuals|people|data subjects)(?: or [a-z]+)? (?:can|may|are able to|are entitled to) (?:also )?(?:ask|request|make|withdraw|object|find out|have your)\b`)
	// rightsLead introduces a list of rights, even one mixed with other
	// promises ("we have responsibilities, and you have rights, these
	// include:").
	rightsLead = regexp.MustCompile(`\byou have (?:the following |these |certain |a number of )?rights\b|\byour rights\b|\brights (?:include|are)\b`)
	// continuation opens a sentence that only illustrates the one before.
	continuation = regexp.MustCompile(`^(?:for example|for instance|e\.g\.?|such as)\b`)
	// completionWords without correctionWords is Article 16's second
	// sentence stated on its own: completing incomplete data, not
	// correcting inaccurate data.
	completionWords = regexp.MustCompile(`\bincomplete\b`)
	correctionWords = regexp.MustCompile(`inaccura|incorrect|\bwrong\b|not accurate|out of date|\berrors?\b`)
)

// rightsIn names the rights a sentence or item declares.
func rightsIn(lower string) []notice.Right {
	if noRight.MatchString(lower) {
		return nil
	}
	var out []notice.Right
	for _, rp := range rightPatterns {
		if !rp.re.MatchString(lower) {
			continue
		}
		switch {
		case rp.right == notice.RightAccess && slices.Contains(out, notice.RightPortability):
			continue // "a copy … in a machine-readable format" is portability
		case rp.right == notice.RightAutomatedDecisionReview && noAutomated.MatchString(lower):
			continue // "We do not use automated decision-making" declares no right
		case rp.right == notice.RightObjection && !objectWord.MatchString(lower) && restrictionWords.MatchString(lower):
			continue // "stop using your information – the right to restriction of processing"
		case rp.right == notice.RightObjection && directMarketing.MatchString(lower):
			out = append(out, notice.RightObjectionDirectMarketing)
			if !objectionBases.MatchString(lower) {
				continue
			}
		}
		out = append(out, rp.right)
	}
	return out
}

type channelLater struct {
	unit   int
	rights []notice.Right // empty: every declaration before unit in its section
}

func (p *parser) rights() {
	hasSection := slices.ContainsFunc(p.d.sections, func(s section) bool { return s.topic == topicRights })
	var later []channelLater
	for ui := range p.d.units {
		u := p.unit(ui)
		if u.lower == "" {
			continue
		}
		if m := toVerb.FindStringSubmatch(u.lower); m != nil && p.d.blocks[u.block].kind != bullet && channelOf(u, p.v.PrivacyTeam) != nil {
			later = append(later, channelLater{unit: ui, rights: verbRights(m[1], u.lower)})
			continue
		}
		inScope := p.topicOf(ui) == topicRights || !hasSection && strings.Contains(u.lower, "right") || withdrawalStated.MatchString(u.lower) ||
			offersRight.MatchString(u.lower) || u.leadIn >= 0 && rightsLead.MatchString(p.unit(u.leadIn).lower)
		if !inScope || p.isContactLine(ui) {
			continue
		}
		switch {
		case continuation.MatchString(u.lower) && ui > 0 && p.unit(ui-1).block == u.block:
			p.illustrate(ui)
		case exerciseThis.MatchString(u.lower):
			p.channelForPrevious(ui)
		case theseRequests.MatchString(u.lower):
			later = append(later, channelLater{unit: ui})
		default:
			p.declare(ui)
		}
	}
	from := 0 // a channel for "these requests" covers the rights since the last such sentence
	for _, l := range later {
		p.channelLater(l, from)
		if len(l.rights) == 0 {
			from = p.unit(l.unit).line
		}
	}
}

// verbRights maps "To withdraw your consent, …" to the rights it is about;
// "To exercise your rights, …" is about all of them.
func verbRights(verb, lower string) []notice.Right {
	switch verb {
	case "withdraw":
		return []notice.Right{notice.RightWithdrawConsent}
	case "object":
		return []notice.Right{notice.RightObjection, notice.RightObjectionDirectMarketing}
	case "exercise":
		return nil
	}
	return rightsIn(lower)
}

func (p *parser) declare(ui int) {
	u := p.unit(ui)
	found := rightsIn(u.lower)
	if len(found) == 0 {
		found = p.headingRight(ui)
	}
	if len(found) == 0 || len(p.v.Rights) >= maxItems {
		return
	}
	qualifierText := u.lower
	if u.leadIn >= 0 {
		qualifierText += " " + p.unit(u.leadIn).lower
		p.introduce(u.leadIn, "rights")
	}
	for _, r := range found {
		d := notice.DeclaredRight{Right: r, Channel: channelOf(u, p.v.PrivacyTeam)}
		d.Completion = r == notice.RightRectification && completionWords.MatchString(u.lower) && !correctionWords.MatchString(u.lower)
		confidence := p.scope(&d, ui)
		qualify(&d, qualifierText)
		d.Provenance = p.take(ui, "rights", describe(d), confidence)
		p.v.Rights = append(p.v.Rights, d)
	}
}

// isContactLine tells a line of an address from a statement: "Subject
// Access Request Unit" above a street names an office, it offers no right.
func (p *parser) isContactLine(ui int) bool {
	u := p.unit(ui)
	if strings.Contains(u.lower, "right") {
		return false
	}
	if b := &p.d.blocks[u.block]; len(b.lines) > 1 && b.kind == paragraph {
		return !slices.ContainsFunc(b.lines, func(l srcLine) bool { return isProse(l.text) })
	}
	return len(strings.Fields(u.text)) <= 6 && hasOrgWord(u.text) && !strings.ContainsAny(u.text, ".,;:")
}

// illustrate gives the example a sentence adds ("For example where it is
// wrong and you would like it changed") to the declarations of the one
// before, as their condition, rather than reading it as new rights.
func (p *parser) illustrate(ui int) {
	line := p.unit(ui - 1).line
	example := strings.TrimSuffix(p.unit(ui).text, ".")
	for i := range p.v.Rights {
		if d := &p.v.Rights[i]; d.Provenance.Line == line && d.QualifierText == "" {
			d.QualifierText = lowerFirst(example)
			if d.Qualifier == notice.QualifierNone {
				d.Qualifier = notice.QualifierCertainCircumstance
			}
			p.take(ui, "rights.condition", string(d.Right)+": "+d.QualifierText, stated)
		}
	}
}

// headingRight reads a layout with a heading per right ("Your right to
// data portability") over a paragraph that may not name it again ("You can
// ask us to give you the information you gave us…"): the first sentence
// under such a heading that speaks of asking or of a right declares the
// heading's right.
func (p *parser) headingRight(ui int) []notice.Right {
	u := p.unit(ui)
	b := &p.d.blocks[u.block]
	if b.section < 0 || ui > 0 && p.d.blocks[p.unit(ui-1).block].section == b.section || !askingForRight.MatchString(u.lower) {
		return nil
	}
	if found := rightsIn(strings.ToLower(p.d.sections[b.section].title)); len(found) == 1 {
		return found
	}
	return nil
}

var askingForRight = regexp.MustCompile(`\bright\b|\byou (?:can|may) ask\b|\bask us\b|\brequest\b`)

// scope limits a declaration to the contexts its scope names. An unscoped
// consent withdrawal is taken to cover the consent-based contexts, which
// are the only ones it can apply to. A scope naming no context is kept as
// words, with a qualifier, so the right does not silently widen to all
// processing.
func (p *parser) scope(d *notice.DeclaredRight, ui int) float64 {
	phrase := p.scopeOf(ui)
	ids, ok := p.resolve(phrase)
	switch {
	case !ok:
		d.ScopeText = "in relation to " + phrase
		d.Qualifier, d.QualifierText = notice.QualifierCertainCircumstance, "only in relation to "+phrase+", which the notice does not describe as a processing activity"
		return inferred
	case phrase != "":
		d.Scope, d.ScopeText = ids, "in relation to "+phrase
		if bases := basesIn(strings.ToLower(phrase)); len(bases) > 0 {
			d.ScopeText = "where the lawful basis is " + basisList(bases)
		}
		return stated
	case d.Right == notice.RightWithdrawConsent:
		d.Scope = p.consentContexts()
		if len(d.Scope) > 0 {
			return inferred
		}
	}
	return stated
}

// consentContexts lists the consent-based contexts when the notice also
// has others; when everything is consent-based, no scope is needed.
func (p *parser) consentContexts() []string {
	var ids []string
	for _, c := range p.contexts {
		if c.Basis == notice.BasisConsent {
			ids = append(ids, c.ID)
		}
	}
	if len(ids) == len(p.contexts) {
		return nil
	}
	return ids
}

func basisList(bases []notice.Basis) string {
	labels := make([]string, len(bases))
	for i, b := range bases {
		labels[i] = notice.BasisLabel(b)
	}
	return strings.Join(labels, " or ")
}

func qualify(d *notice.DeclaredRight, lower string) {
	if d.Qualifier != notice.QualifierNone {
		return
	}
	if m := circumstances.FindStringSubmatch(lower); m != nil {
		d.Qualifier = notice.QualifierCertainCircumstance
		d.QualifierText = strings.TrimSpace(strings.SplitN(m[0], "(", 2)[0])
		if m[2] != "" {
			d.QualifierText += ", for example " + strings.TrimSpace(m[2])
		}
		return
	}
	if mayQualifier.MatchString(lower) {
		d.Qualifier = notice.QualifierMay
	}
}

func describe(d notice.DeclaredRight) string {
	parts := []string{string(d.Right)}
	if d.ScopeText != "" {
		parts = append(parts, d.ScopeText)
	} else if len(d.Scope) > 0 {
		parts = append(parts, "for "+strings.Join(d.Scope, ", ")+" (the consent-based processing)")
	}
	if d.Qualifier != notice.QualifierNone {
		parts = append(parts, "qualified: "+string(d.Qualifier))
	}
	if d.Channel != nil {
		parts = append(parts, "via "+string(d.Channel.Kind)+" "+d.Channel.Address)
	}
	return strings.TrimSpace(strings.Join(parts, "; "))
}

// channelForPrevious gives "You can exercise this by …" to the
// declarations of the sentence before.
func (p *parser) channelForPrevious(ui int) {
	ch := channelOf(p.unit(ui), p.v.PrivacyTeam)
	if ch == nil || ui == 0 {
		return
	}
	line := p.unit(ui - 1).line
	for i := range p.v.Rights {
		if d := &p.v.Rights[i]; d.Provenance.Line == line && d.Channel == nil {
			d.Channel = ch
			p.take(ui, "rights.channel", string(d.Right)+" via "+string(ch.Kind), stated)
		}
	}
}

// channelLater gives a channel stated apart from the rights to every
// declaration it covers that has none yet.
func (p *parser) channelLater(l channelLater, from int) {
	u := p.unit(l.unit)
	ch := channelOf(u, p.v.PrivacyTeam)
	if ch == nil {
		return
	}
	for i := range p.v.Rights {
		d := &p.v.Rights[i]
		covered := slices.Contains(l.rights, d.Right)
		if len(l.rights) == 0 {
			covered = from < d.Provenance.Line && d.Provenance.Line < u.line
		}
		if covered && d.Channel == nil {
			d.Channel = ch
			p.take(l.unit, "rights.channel", string(d.Right)+" via "+string(ch.Kind), stated)
		}
	}
}

var (
	byEmail     = regexp.MustCompile(`\b(?:by )?(?:emailing|e-mailing|email(?:ing)? us|sending an email|writing to)\b`)
	selfService = regexp.MustCompile(`\byourself\b|by deleting|by logging in|in your account|through your account|account settings|your profile settings`)
	optOut      = regexp.MustCompile(`\bopt(?:ing)? out\b|\bunsubscrib`)
	contactUs   = regexp.MustCompile(`\bcontact (?:us|our|the|your)\b|get in (?:contact|touch)`)
	byClause    = regexp.MustCompile(`(?i)\bby (.+?)\.?$`)
	howClause   = regexp.MustCompile(`(?i)(?:\byou can (?:simply )?|\bplease )(.+?)\.?$`)
)

// channelOf reads how a sentence says to exercise a right. A contact route
// naming a team resolves to the team's address when the notice gives one.
func channelOf(u *unit, team *notice.Party) *notice.Channel {
	email := emailRe.FindString(u.text)
	switch {
	case email != "" && byEmail.MatchString(u.lower):
		return &notice.Channel{Kind: notice.ChannelEmail, Address: email, Description: "email " + email}
	case selfService.MatchString(u.lower):
		return &notice.Channel{Kind: notice.ChannelSelfService, Description: how(u)}
	case optOut.MatchString(u.lower):
		return &notice.Channel{Kind: notice.ChannelOptOut, Address: email, Description: how(u)}
	case contactUs.MatchString(u.lower) || email != "":
		return contactChannel(u, email, team)
	}
	return nil
}

func contactChannel(u *unit, email string, team *notice.Party) *notice.Channel {
	who, name := "us", ""
	if mentionsTeam(u.lower) {
		name = teamName.FindString(u.fold)
	}
	if name != "" {
		who = "the " + name
		if team != nil && email == "" {
			email, who = team.Email, "the "+firstOf(team.Name, name)
		}
	}
	ch := &notice.Channel{Kind: notice.ChannelContact, Address: email, Description: "contact " + who}
	if email != "" {
		ch.Description += " at " + email
	}
	return ch
}

// how is the clause saying what to do: "by deleting that data yourself",
// or what follows "you can" or "please".
func how(u *unit) string {
	if m := byClause.FindStringSubmatch(u.fold); m != nil {
		return m[1]
	}
	if m := howClause.FindStringSubmatch(u.fold); m != nil {
		return m[1]
	}
	return u.text
}
