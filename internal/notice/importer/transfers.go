package importer

import (
	"regexp"
	"slices"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// A transfer is a sentence that keeps, sends or lets data be reached from a
// place outside the UK: "outside the European Union", "on AWS servers
// within the European Economic Area (EEA)", "accessed by support staff
// located in USA, Romania, Philippines, Singapore or Australia". The EEA
// counts, adequacy or not; the UK itself is never a destination ("stored in
// the UK or in the EEA" is a transfer to the EEA only).

// place is a country or area notices name as a destination; the UK and its
// nations are listed so that a list naming them can be read, and then left
// out.
const place = `European Economic Area|EEA|European Union|EU|United States of America|United States|USA|US|` +
	`Republic of Ireland|Ireland|Germany|Netherlands|France|Belgium|Luxembourg|Sweden|Finland|Denmark|Spain|Portugal|Italy|Poland|Romania|` +
	`Switzerland|Norway|Iceland|Canada|Australia|New Zealand|India|Singapore|Philippines|Japan|South Korea|South Africa|Israel|Brazil|` +
	`United Kingdom|UK|Great Britain|England|Wales|Scotland|Northern Ireland`

var (
	transferVerb  = regexp.MustCompile(`(?i)\b(?:stor|process|host|transfer|held|hold|kept|keep|locat|access|sen[dt]|mov|back)\w*`)
	noTransfer    = regexp.MustCompile(`\b(?:will not|won't|do not|does not|never) (?:store|transfer|process|send|move)|not (?:be )?(?:stored|transferred|processed) outside`)
	destOutside   = regexp.MustCompile(`\b[Oo]utside (?:of )?(?:the )?(` + place + `|[A-Z][a-z]+)\b`)
	destIn        = regexp.MustCompile(`\b(?:in|within|to) (?:the )?(?:locations in (?:the )?)?(` + place + `)\b`)
	destMore      = regexp.MustCompile(`^(?:,\s*|,?\s+(?:and|or)\s+(?:in\s+)?)(?:the\s+)?(` + place + `)\b`)
	safeguardCue  = regexp.MustCompile(`(?i)contract(?:ual)? clauses|clauses in (?:our|the|their) contracts|adequacy|adequate (?:legal )?protections?|privacy shield|safe harbou?r|binding corporate rules|data transfer agreement|\bidta\b|addendum|data privacy framework|data bridge|appropriate safeguards|article 4[569]\b`)
	safeguardText = regexp.MustCompile(`(?i)\b(?:through (?:the use of )?|on the basis of |covered by |by including |under )(.+?)\.?$`)
)

// transfers pairs each destination with the safeguard stated in the same
// sentence or the next one ("…through the use of Model Contract Clauses").
func (p *parser) transfers() {
	for ui := range p.d.units {
		u := p.unit(ui)
		if u.lower == "" || noTransfer.MatchString(u.lower) || !transferVerb.MatchString(u.lower) || len(p.v.Transfers) >= maxItems || p.topicOf(ui) == topicRights {
			continue
		}
		dest := destination(u.fold)
		if dest == "" {
			continue
		}
		t := notice.Transfer{Destination: dest}
		last := ui
		if t.Safeguard = safeguard(u.fold); t.Safeguard == "" && ui+1 < len(p.d.units) && p.unit(ui+1).block == u.block {
			if t.Safeguard = safeguard(p.unit(ui + 1).fold); t.Safeguard != "" {
				last = ui + 1
			}
		}
		t.Provenance = p.takeSpan(ui, last, "transfers", dest+" ("+t.Safeguard+")", stated)
		p.v.Transfers = append(p.v.Transfers, t)
	}
}

// destination names where a sentence sends data: "outside the X", or the
// places outside the UK it keeps or sends data in.
func destination(fold string) string {
	if m := destOutside.FindStringSubmatch(fold); m != nil {
		return "outside the " + m[1]
	}
	var places []string
	for _, loc := range destIn.FindAllStringSubmatchIndex(fold, -1) {
		places = append(places, fold[loc[2]:loc[3]])
		for rest := fold[loc[1]:]; ; {
			m := destMore.FindStringSubmatchIndex(rest)
			if m == nil {
				break
			}
			places = append(places, rest[m[2]:m[3]])
			rest = rest[m[1]:]
		}
	}
	places = slices.DeleteFunc(places, inTheUK)
	return strings.Join(slices.Compact(places), ", ")
}

func inTheUK(place string) bool {
	switch place {
	case "United Kingdom", "UK", "Great Britain", "England", "Wales", "Scotland", "Northern Ireland":
		return true
	}
	return false
}

func safeguard(fold string) string {
	if !safeguardCue.MatchString(fold) {
		return ""
	}
	if m := safeguardText.FindStringSubmatch(fold); m != nil && safeguardCue.MatchString(m[1]) {
		return m[1]
	}
	return safeguardCue.FindString(fold)
}
