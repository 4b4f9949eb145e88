package importer

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/rightsdesk/rightsdesk/internal/notice"
)

var (
	// sharedWith captures who data goes to: "…will be shared by us with our
	// IT supplier who provides…", "…shared securely between senior leaders…".
	sharedWith = regexp.MustCompile(`(?i)\b(?:shared|disclosed|passed)(?: securely)?(?: by us)?(?: on an? [a-z ]+ basis)? (?:with|to|between)\s+(.+?)\.?$`)
	notShared  = regexp.MustCompile(`\b(?:not|never) (?:be )?(?:shared|disclosed|sold|passed)|will not:?$`)
	// namedList introduces named organisations: "including Placecube Ltd and
	// Amazon Web Services", "the third parties concerned are SmartSurvey and
	// Mailchimp".
	namedList = regexp.MustCompile(`(?i)\b(?:including|in particular(?: it will be shared with)?|such as|namely|(?:third parties|suppliers|processors|providers|companies)(?: concerned)? (?:are|include))\s+(.+?)\.?$`)
	// sharingContext tells a named list of recipients from other lists
	// of names ("data including your name and Email").
	sharingContext = regexp.MustCompile(`shared|disclosed|third part|supplier|processor|provider|recipient`)
	listSplit      = regexp.MustCompile(`\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+`)
	clauseEnd      = regexp.MustCompile(`(?i),? (?:which|so that|in order to|for the purposes? of|where necessary)\b.*$`)
)

func (p *parser) recipientItem(ui int) {
	u := p.unit(ui)
	if names := namedOrganisations(u.fold); len(names) > 0 {
		for _, n := range names {
			p.recipient(ui, n, "supplier")
		}
		return
	}
	p.recipient(ui, itemText(u.text), recipientKind(u.lower))
}

func (p *parser) recipientSentence(ui int) {
	u := p.unit(ui)
	if notShared.MatchString(u.lower) {
		return
	}
	if names := namedOrganisations(u.fold); len(names) > 0 && sharingContext.MatchString(u.lower+" "+p.previousLower(ui)) {
		for _, n := range names {
			p.recipient(ui, n, "supplier")
		}
		return
	}
	m := sharedWith.FindStringSubmatch(u.fold)
	if m == nil || strings.HasSuffix(u.lower, ":") {
		return
	}
	name := strings.TrimSpace(clauseEnd.ReplaceAllString(m[1], ""))
	p.recipient(ui, name, recipientKind(strings.ToLower(name)))
}

// previousLower is the sentence before, for "…shared with our key
// suppliers. In particular it will be shared with Identity Group…".
func (p *parser) previousLower(ui int) string {
	if ui > 0 && p.unit(ui-1).block == p.unit(ui).block {
		return p.unit(ui - 1).lower
	}
	return ""
}

// namedOrganisations returns the capitalised names in a named list.
func namedOrganisations(fold string) []string {
	m := namedList.FindStringSubmatch(fold)
	if m == nil {
		return nil
	}
	var names []string
	for _, part := range listSplit.Split(m[1], -1) {
		part = strings.TrimSpace(part)
		if r := []rune(part); len(r) > 1 && unicode.IsUpper(r[0]) && len(strings.Fields(part)) <= 6 {
			names = append(names, part)
		}
	}
	return names
}

func recipientKind(lower string) string {
	switch {
	case strings.Contains(lower, "processor"):
		return "processor"
	case strings.Contains(lower, "supplier"), strings.Contains(lower, "provider"), strings.Contains(lower, "contractor"),
		strings.Contains(lower, "agenc"), strings.Contains(lower, "compan"), strings.Contains(lower, " ltd"), strings.Contains(lower, "software"):
		return "supplier"
	case strings.Contains(lower, "users"), strings.Contains(lower, "members"), strings.Contains(lower, "leaders"):
		return "other users"
	case strings.Contains(lower, "civil servants"), strings.Contains(lower, "staff"), strings.Contains(lower, "colleagues"), strings.Contains(lower, "our teams"):
		return "internal"
	}
	return "other"
}

func (p *parser) recipient(ui int, name, kind string) {
	if name == "" || len(p.v.Recipients) >= maxItems {
		return
	}
	r := notice.Recipient{Name: name, Kind: kind}
	if c := p.scopedContext(ui); c != nil {
		r.Scope = []string{c.ID}
	}
	r.Provenance = p.take(ui, "recipients", name, shaped)
	p.v.Recipients = append(p.v.Recipients, r)
}

// scopedContext is the context a scope phrase names, when there is one;
// unlike contextOf it does not fall back to the general context, because a
// recipient named without a scope receives data from all processing.
func (p *parser) scopedContext(ui int) *ctxDraft {
	ids, ok := p.resolve(p.scopeOf(ui))
	if !ok || len(ids) != 1 {
		return nil
	}
	if c := p.contextByID(ids[0]); c != nil && !c.general {
		return c
	}
	return nil
}
