package importer

import (
	"regexp"
	"slices"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// Parties are found in two steps. A sentence names the controller ("The
// data controller for your personal data is the Cabinet Office"), and, in
// notices with several audiences, the controller for each ("For employees
// of X, the data controller … is X, and the Cabinet Office is acting as
// their data processor"). Contact details follow an introducing sentence
// ("The contact details for the data controller's Data Protection Officer
// are:", "The Information Commissioner can be contacted at:") either on the
// same line as a comma list or in the short lines after it: a name, address
// lines ending in a postcode, a phone number, an email address.

type partyKind uint8

const (
	partyNone partyKind = iota
	partyController
	partyDPO
	partyAuthority
	partyTeam
)

var partyField = map[partyKind]string{partyController: "controller", partyDPO: "dpo", partyAuthority: "complaint_authority", partyTeam: "privacy_team"}

var (
	controllerIs = regexp.MustCompile(`\b(?i:data controller)\b[^.]*?\b(?i:is)\s+(?:(?i:the)\s+)?([A-Z][^;:()]*?)(?:\.(?:\s|$)|;|\s-\s|,\s+(?:and|which|who|but|or|a|an)\s|\s\(|:|$)`)
	// isController reads "NHS England is a 'joint controller'", "The
	// Department for Science, Innovation and Technology (DSIT), as GDS's
	// parent organisation, is the data controller" and, after an opening
	// clause, "For the purpose of data protection legislation, DfE is the
	// data controller".
	isController = []*regexp.Regexp{
		regexp.MustCompile(`^(?:Under|For|In|As|Within|Throughout)\b[^,]{2,80}, (?:the )?([A-Z][^;:,]{1,80}?) (?:is|are|acts as) (?:a|the) ['"]?(?:lead |joint |independent )?(?:data )?['"]?controller\b`),
		regexp.MustCompile(`^(?:[Tt]he\s+)?([A-Z][^;:]{1,90}?)(?:, as [^,]{1,60},)? (?:is|are|acts as) (?:a|the) ['"]?(?:lead |joint |independent )?(?:data )?['"]?controller\b`),
	}
	// audienceWords are the people a "For employees of X, the data
	// controller is X" statement is about.
	audienceWords = regexp.MustCompile(`\b(?:employees|staff|members|users|people|those|customers|applicants|students|visitors|workers|officers|civil servants|contractors|pupils|patients)\b`)
	asProcessor   = regexp.MustCompile(`(?:acting|acts|act) as (?:their|its|a|the) (?:data )?processor|is (?:their|its|a|the) (?:data )?processor|\brole is (?:as )?(?:a|the|their|its) (?:data )?processor`)

	dpoCue     = regexp.MustCompile(`data protection officer|\bdpo\b`)
	contactCue = regexp.MustCompile(`contact|\b(?:are|is|at):|\bemail\b|write to|get in touch|reached`)
	// complaintCue names the regulator, not the controller's own complaints
	// process ("you can make a complaint to us at …").
	complaintCue = regexp.MustCompile(`supervisory authority|information commissioner|\bico\b`)
	controllerAt = regexp.MustCompile(`(?:contact details|address) (?:for|of) the (?:data )?controller|(?:data )?controller (?:can be|may be) (?:contacted|reached)|contact the (?:data )?controller`)
	teamName     = regexp.MustCompile(`((?:[A-Z][A-Za-z]*\s+)*(?:Privacy|Data Protection|Information Rights|Information Governance)\s+(?:Team|Office|Unit))\b`)
)

func (p *parser) parties() {
	for ui := range p.d.units {
		u := p.unit(ui)
		if u.lower == "" {
			continue
		}
		if strings.Contains(u.lower, "controller") {
			p.controllerStatement(ui)
		}
		kind := introKind(u.fold, u.lower)
		if kind == partyNone {
			kind = p.introducedByNextLine(ui)
		}
		if kind != partyNone {
			p.contactRun(ui, kind)
		}
	}
	p.finishParties()
}

func (p *parser) controllerStatement(ui int) {
	u := p.unit(ui)
	name := ""
	if m := controllerIs.FindStringSubmatch(u.fold); m != nil {
		name = strings.TrimSpace(m[1])
	}
	for _, re := range isController {
		if m := re.FindStringSubmatch(u.fold); name == "" && m != nil {
			name = m[1]
		}
	}
	if name == "" || len(strings.Fields(name)) > 10 {
		return
	}
	// "NHS Digital is the data controller for any personal information you
	// provide to create an NHS login. Our role is as a processor of this
	// information": someone else's controllership, stated in prose.
	processor := asProcessor.MatchString(u.lower) || ui+1 < len(p.d.units) && p.unit(ui+1).block == u.block && asProcessor.MatchString(p.unit(ui+1).lower)
	if strings.HasPrefix(u.lower, "for ") && audienceWords.MatchString(ownScope(u)) && len(p.v.Audiences) < maxItems {
		p.audience(ui, name, processor)
	}
	if !processor && p.v.Controller.Name == "" {
		p.v.Controller.Name = name
		p.take(ui, "controller.name", name, stated)
	}
}

func (p *parser) audience(ui int, controller string, processor bool) {
	label := ownScope(p.unit(ui))
	if label == "" {
		return
	}
	a := notice.Audience{ID: audienceID(label), Label: label, Role: notice.RoleController, Controller: notice.Party{Name: controller}}
	if processor {
		a.Role = notice.RoleProcessor
	}
	a.Provenance = p.take(ui, "audiences["+a.ID+"]", string(a.Role)+" of "+controller, stated)
	p.v.Audiences = append(p.v.Audiences, a)
}

var audienceNoise = toSet("a an the we you your our of to that are is for and in or its their who")

func audienceID(label string) string {
	var words []string
	for _, w := range strings.Split(slugID(label), "-") {
		if w != "" && !audienceNoise[w] && len(words) < 5 {
			words = append(words, w)
		}
	}
	return clip(strings.Join(words, "-"), 48)
}

// introKind says whose contact details a sentence introduces, if anyone's.
// It reads a line rather than a whole block, because an address block
// joined into one unit ("Information Commissioner's Office Wycliffe House
// …") would otherwise read as a sentence about the Commissioner.
func introKind(fold, lower string) partyKind {
	if len(strings.Fields(lower)) < 4 {
		return partyNone // a name or an address line, not a sentence introducing one
	}
	switch {
	case dpoCue.MatchString(lower) && contactCue.MatchString(lower):
		return partyDPO
	case complaintCue.MatchString(withoutAddresses(lower)) && !strings.Contains(lower, "without prejudice"):
		return partyAuthority
	case controllerAt.MatchString(lower):
		return partyController
	case mentionsTeam(lower) && teamName.MatchString(fold) && contactCue.MatchString(lower):
		return partyTeam
	}
	return partyNone
}

// introducedByNextLine reads "For more information, please contact:"
// followed by a block whose first line names the office ("The Data
// Protection Officer") as an introduction of that office's details.
func (p *parser) introducedByNextLine(ui int) partyKind {
	u := p.unit(ui)
	units := p.d.blocks[u.block].units
	if !strings.HasSuffix(u.lower, ":") || !contactCue.MatchString(u.lower) || units[len(units)-1] != ui || u.block+1 >= len(p.d.blocks) {
		return partyNone
	}
	next := &p.d.blocks[u.block+1]
	if next.kind == heading {
		return partyNone
	}
	first := strings.TrimRight(matchFolding.Replace(next.lines[0].text), ",; ")
	switch {
	case roleLine.MatchString(first):
		return partyDPO
	case complaintCue.MatchString(strings.ToLower(first)):
		return partyAuthority
	}
	return partyNone
}

// contactRun gathers the details after an introducing sentence: the rest of
// its own line, then the short lines of the blocks that follow, until a
// heading, prose, or another introduction.
func (p *parser) contactRun(ui int, kind partyKind) {
	run := &contactDetails{}
	u := p.unit(ui)
	if inline, ok := afterColon(u.fold); ok {
		run.addParts(ui, inline)
	} else {
		run.addLoose(ui, u.fold)
	}
	last := p.restOfParagraph(ui, run)
	if last != p.d.blocks[u.block].units[len(p.d.blocks[u.block].units)-1] {
		p.applyContacts(ui, last, kind, run)
		return
	}
	for _, bi := range p.followingBlocks(ui) {
		b := &p.d.blocks[bi]
		if !run.addBlock(b, b.units[0]) {
			break
		}
		last = b.units[len(b.units)-1]
	}
	p.applyContacts(ui, last, kind, run)
}

// restOfParagraph reads the sentences after an introduction in its own
// paragraph ("The ICO's address: …. Helpline number: 0303 123 1113.") until
// one carries no contact details, and returns the last unit read.
func (p *parser) restOfParagraph(ui int, run *contactDetails) int {
	units := p.d.blocks[p.unit(ui).block].units
	last := ui
	for _, next := range units[slices.Index(units, ui)+1:] {
		text := p.unit(next).fold
		if after, ok := afterColon(text); ok {
			text = after
		}
		before := len(run.parts)
		if run.addParts(next, text); len(run.parts) == before {
			break
		}
		last = next
	}
	return last
}

// afterColon is what follows the colon that ends an introduction ("…are:
// dpo@example.gov.uk"); the colon in "https:" is not one.
func afterColon(s string) (string, bool) {
	if i := strings.Index(s, ": "); i >= 0 {
		return s[i+2:], true
	}
	return "", strings.HasSuffix(s, ":")
}

// withoutAddresses drops email and web addresses, so "casework@ico.org.uk"
// does not read as a mention of the ICO.
func withoutAddresses(lower string) string {
	if !strings.Contains(lower, "@") && !strings.Contains(lower, "www.") && !strings.Contains(lower, "://") {
		return lower
	}
	return webRe.ReplaceAllString(emailRe.ReplaceAllString(lower, " "), " ")
}

// mentionsTeam is a cheap test before the team-name expression, which is
// slow to try at every position of every sentence.
func mentionsTeam(lower string) bool {
	return strings.Contains(lower, "privacy") || strings.Contains(lower, "data protection") || strings.Contains(lower, "information")
}

// followingBlocks lists the blocks after a unit's own that may carry its
// contact details, stopping at a heading or another introduction.
func (p *parser) followingBlocks(ui int) []int {
	var out []int
	from := p.unit(ui).block
	if last := p.d.blocks[from].units; last[len(last)-1] != ui {
		return nil // the sentence is not the last of its paragraph: prose follows it
	}
	for bi := from + 1; bi < len(p.d.blocks) && len(out) < 12; bi++ {
		b := &p.d.blocks[bi]
		if b.kind == heading || len(b.units) == 0 {
			break
		}
		if b.kind == bullet && isProse(b.lines[0].text) {
			continue // "Contact the Privacy Team if you either:" lists reasons, then the address
		}
		if first := matchFolding.Replace(b.lines[0].text); introKind(first, strings.ToLower(first)) != partyNone {
			break
		}
		out = append(out, bi)
	}
	return out
}

// applyContacts merges the details into the party, keeping what an earlier
// run already found.
func (p *parser) applyContacts(from, to int, kind partyKind, run *contactDetails) {
	if len(run.parts) == 0 && kind != partyAuthority {
		return
	}
	party := p.partyFor(kind)
	if party == nil {
		return
	}
	got := run.party(kind, p.v.Controller.Name, p.unit(from))
	field := partyField[kind]
	if party.Provenance == nil {
		pr := p.prov(from, max(to, from), stated)
		party.Provenance = &pr
	}
	for _, f := range []struct {
		name     string
		dst      *string
		src      string
		evidence int
	}{
		{"name", &party.Name, got.Name, from},
		{"address", &party.Address, got.Address, to},
		{"email", &party.Email, got.Email, to},
		{"phone", &party.Phone, got.Phone, to},
		{"web", &party.Web, got.Web, to},
	} {
		if *f.dst == "" && f.src != "" {
			*f.dst = f.src
			p.takeSpan(from, max(f.evidence, from), field+"."+f.name, f.src, stated)
		}
	}
	p.markRun(run)
	for label, number := range run.textphones {
		p.extraFact(field+"_"+label, number, to)
	}
}

func (p *parser) partyFor(kind partyKind) *notice.Party {
	switch kind {
	case partyController:
		return &p.v.Controller
	case partyDPO:
		return &p.v.DPO
	case partyAuthority:
		return &p.v.ComplaintAuthority
	case partyTeam:
		if p.v.PrivacyTeam == nil {
			p.v.PrivacyTeam = &notice.Party{}
		}
		return p.v.PrivacyTeam
	}
	return nil
}

func (p *parser) markRun(run *contactDetails) {
	for _, ui := range run.units {
		p.d.units[ui].used = true
	}
}

func (p *parser) extraFact(key, value string, ui int) {
	if p.v.Extra == nil {
		p.v.Extra = map[string]string{}
	}
	p.v.Extra[key] = value
	p.take(ui, "extra."+key, value, stated)
}

// finishParties fills what the notice leaves to be understood: a DPO with
// contact details but no name is the controller's, and an audience whose
// controller is the notice's controller shares its address.
func (p *parser) finishParties() {
	dpo := &p.v.DPO
	if dpo.Name == "" && (dpo.Email != "" || dpo.Address != "" || dpo.Phone != "") {
		dpo.Name = strings.TrimSpace(p.v.Controller.Name + " Data Protection Officer")
		p.record("dpo.name", dpo.Name, notice.Provenance{Confidence: inferred})
	}
	if t := p.v.PrivacyTeam; t != nil && t.Email == "" && t.Address == "" && t.Phone == "" {
		p.v.PrivacyTeam = nil
	}
	for i := range p.v.Audiences {
		a := &p.v.Audiences[i]
		if a.Role == notice.RoleController && strings.EqualFold(a.Controller.Name, p.v.Controller.Name) {
			a.Controller = p.v.Controller
		}
	}
	if p.v.Controller.Name == "" {
		p.note("No data controller was named.")
	}
}

var personWord = regexp.MustCompile(`^[A-Z][a-z'’-]+$|^[A-Z]\.?$`)

var orgWords = toSet("office officer cabinet department ministry team ltd limited council commissioner commission centre center service services agency authority house street road lane building court place square unit group trust board government hm")

// isPerson is "Stephen Jones": two to four capitalised words, none of them
// an organisation's.
func isPerson(s string) bool {
	words := strings.Fields(s)
	if len(words) < 2 || len(words) > 4 {
		return false
	}
	return !slices.ContainsFunc(words, func(w string) bool { return !personWord.MatchString(w) || orgWords[strings.ToLower(w)] })
}

func hasOrgWord(s string) bool {
	return slices.ContainsFunc(strings.Fields(strings.ToLower(matchFolding.Replace(s))), func(w string) bool {
		return orgWords[strings.TrimSuffix(w, "'s")]
	})
}
