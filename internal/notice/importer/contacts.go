package importer

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/rightsdesk/rightsdesk/internal/notice"
)

type partKind uint8

const (
	partText partKind = iota // a name or an address line
	partEmail
	partPhone
	partWeb
	partPostcode // the address line that ends the address
	partRole     // "DPO", "Data Protection Officer": the office, not a name
	partOther    // a labelled line with nothing to take ("Public Enquiries: Contact Form")
	partProse    // a sentence: the contact details have ended
)

type contactPart struct {
	kind  partKind
	value string
}

type contactDetails struct {
	parts      []contactPart
	units      []int             // the units the parts came from
	textphones map[string]string // "textphone" → number; kept apart from the phone
}

var (
	emailRe    = regexp.MustCompile(`[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`)
	webRe      = regexp.MustCompile(`(?:https?://|www\.)[^\s<>"]+`)
	phoneRe    = regexp.MustCompile(`(?:\+44\s?(?:\(0\)\s?)?|\(?0)\d[\d ()-]{7,14}\d`)
	postcodeRe = regexp.MustCompile(`\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b`)
	altPhone   = regexp.MustCompile(`(?i)\b(textphone|minicom|fax|text relay|relay uk)\b`)
	roleLine   = regexp.MustCompile(`(?i)^(?:the )?(?:dpo|data protection officer)$`)
	partSplit  = regexp.MustCompile(`\s*,\s*(?:or\s+)?|\s+or\s+`)
	leadingOr  = regexp.MustCompile(`(?i)^(?:or|and|by|on|at|email|e-mail|tel|telephone|phone)\b[:.]?\s*`)
)

// classify reads one line or comma-separated part of a contact block. A
// line may carry several details ("Telephone: 0303 123 1113
// casework@ico.org.uk"); otherwise it is a name or address line, a label
// with nothing to take, or prose.
func classify(raw string) []contactPart {
	raw = strings.TrimRight(strings.TrimSpace(raw), ",;")
	s := strings.TrimSpace(strings.TrimSuffix(raw, "."))
	var found []contactPart
	for _, e := range emailRe.FindAllString(s, 3) {
		found = append(found, contactPart{partEmail, e})
	}
	rest := emailRe.ReplaceAllString(raw, " ")
	if w := webRe.FindString(rest); w != "" {
		rest = strings.Replace(rest, w, " ", 1)
		if !strings.HasSuffix(w, "...") && !strings.HasSuffix(w, "…") { // a cut-short address is no address
			found = append(found, contactPart{partWeb, strings.TrimRight(w, ".,;)")})
		}
	}
	if ph := phoneRe.FindString(rest); ph != "" && !postcodeRe.MatchString(rest) {
		found = append(found, contactPart{partPhone, fold(ph)})
	}
	if len(found) > 0 || rest != raw {
		return found
	}
	return []contactPart{lineKind(raw, s)}
}

// lineKind reads a line with no email, phone or web address in it; raw
// still has its closing full stop, which marks a sentence.
func lineKind(raw, s string) contactPart {
	switch {
	case strings.HasSuffix(raw, ".") && len(strings.Fields(s)) >= 4:
		return contactPart{kind: partProse}
	case postcodeRe.MatchString(s):
		return contactPart{partPostcode, s}
	case roleLine.MatchString(s):
		return contactPart{kind: partRole}
	case utf8.RuneCountInString(s) > 80 || len(strings.Fields(s)) > 8:
		return contactPart{kind: partProse}
	case strings.Contains(s, ":"), s == "":
		return contactPart{kind: partOther}
	}
	return contactPart{partText, s}
}

// lineParts reads a contact line, splitting one that runs a whole address
// together ("Data Protection Officer, Environment Agency, Horizon House,
// Bristol, BS1 5AH") at its commas.
func lineParts(line string) []contactPart {
	parts := classify(line)
	if len(parts) != 1 || parts[0].kind != partPostcode || strings.Count(line, ",") < 2 {
		return parts
	}
	var out []contactPart
	for _, piece := range partSplit.Split(line, -1) {
		out = append(out, classify(piece)...)
	}
	return out
}

func isProse(line string) bool {
	parts := classify(line)
	return len(parts) == 1 && parts[0].kind == partProse
}

// addParts reads the comma list after an introduction's colon, or a
// sentence such as "Helpline number: 0303 123 1113".
func (r *contactDetails) addParts(ui int, inline string) {
	found := false
	for _, raw := range partSplit.Split(inline, -1) {
		raw = leadingOr.ReplaceAllString(strings.TrimSpace(raw), "")
		for _, part := range classify(raw) {
			if part.kind != partOther && part.kind != partProse {
				r.add(part, raw)
				found = true
			}
		}
	}
	if found {
		r.units = append(r.units, ui)
	}
}

// addLoose takes the email address and phone number a sentence gives in
// passing ("contact our Data Protection Officer at dpo@example.gov.uk").
func (r *contactDetails) addLoose(ui int, sentence string) {
	before := len(r.parts)
	for _, found := range []string{emailRe.FindString(sentence), phoneRe.FindString(sentence), webRe.FindString(sentence)} {
		if found != "" {
			r.add(classify(found)[0], found)
		}
	}
	if len(r.parts) > before {
		r.units = append(r.units, ui)
	}
}

// addBlock reads a block's lines, reporting false when the block is prose,
// which ends the contact details.
func (r *contactDetails) addBlock(b *block, firstUnit int) bool {
	found := false
	for i, l := range b.lines {
		if isProse(l.text) {
			if i == 0 {
				return false
			}
			break
		}
		for _, part := range lineParts(l.text) {
			if part.kind != partOther {
				r.add(part, l.text)
				found = true
			}
		}
	}
	if found {
		for ui := firstUnit; ui < firstUnit+len(b.units); ui++ {
			r.units = append(r.units, ui)
		}
	}
	return true
}

func (r *contactDetails) add(part contactPart, raw string) {
	if part.kind == partPhone {
		if m := altPhone.FindString(raw); m != "" {
			if r.textphones == nil {
				r.textphones = map[string]string{}
			}
			r.textphones[strings.ToLower(strings.ReplaceAll(m, " ", "_"))] = part.value
			return
		}
	}
	r.parts = append(r.parts, part)
}

// party assembles the parts: the first line may be a name (a person's for a
// DPO, an organisation's for a complaint authority, the controller's own
// name, which is not repeated in its address); the address runs to the
// postcode and is kept only when it reaches one.
func (r *contactDetails) party(kind partyKind, controller string, intro *unit) notice.Party {
	var (
		p       notice.Party
		address []string
		ended   bool
		role    bool // a name comes before the office it holds: "Stephen Jones, Data Protection Officer"
	)
	for _, part := range r.parts {
		switch part.kind {
		case partRole:
			role = true
		case partEmail:
			p.Email = firstOf(p.Email, part.value)
		case partPhone:
			p.Phone = firstOf(p.Phone, part.value)
		case partWeb:
			p.Web = firstOf(p.Web, part.value)
		case partPostcode:
			if !ended {
				address, ended = appendNew(address, part.value), true
			}
		case partText:
			switch {
			case ended:
			case len(address) == 0 && p.Name == "" && !role && namesParty(kind, part.value, controller):
				p.Name = part.value
			default:
				address = appendNew(address, part.value)
			}
		}
	}
	if ended {
		p.Address = strings.Join(address, ", ")
	}
	if kind == partyController && controller != "" {
		p.Name = "" // the controller's own name is not repeated in its address
	}
	return withIntroName(p, kind, intro)
}

// namesParty says whether a first line is the party's name.
func namesParty(kind partyKind, line, controller string) bool {
	switch kind {
	case partyDPO:
		return isPerson(line)
	case partyAuthority:
		return hasOrgWord(line)
	case partyController:
		return strings.EqualFold(line, controller) || controller == "" && hasOrgWord(line)
	}
	return false
}

// withIntroName takes a name the introducing sentence gives when the block
// gave none: "complain to the Information Commissioner", "Contact the GDS
// Privacy Team".
func withIntroName(p notice.Party, kind partyKind, intro *unit) notice.Party {
	switch {
	case kind == partyTeam:
		p.Name = teamName.FindString(intro.fold)
	case kind == partyAuthority && p.Name == "" && strings.Contains(intro.lower, "information commissioner"):
		p.Name = "Information Commissioner's Office"
	}
	return p
}

func firstOf(have, next string) string {
	if have != "" {
		return have
	}
	return next
}

// appendNew skips a line repeated straight after itself, a common slip in
// copied addresses.
func appendNew(lines []string, line string) []string {
	if len(lines) > 0 && lines[len(lines)-1] == line {
		return lines
	}
	return append(lines, line)
}
