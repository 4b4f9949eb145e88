package letters

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// Facts is what a letter is written from.
type Facts struct {
	// Case is the case as it is once the action the letter goes with is
	// done: to draft a letter before the action, apply the command to a
	// copy of the case and write from the copy.
	Case *cases.Case
	// Notice finds a notice with every version, as cases.Env.Notice does;
	// the letter uses the version pinned on the case.
	Notice func(id string) (*notice.Notice, bool)
	// On is the letter's date (YYYY-MM-DD): the caller's today.
	On string
	// Recipient is, for an Article 19 notice, the recipient written to:
	// one of the case's Article 19 tasks.
	Recipient string
	// DuplicateOf is, for the letter closing a duplicate, the reference of
	// the case that goes on in its place.
	DuplicateOf string
	// SearchRequest is, for a search request or its chaser, the id of the
	// request on the case; SearchLink is the owner's link (or the
	// placeholder the kept copy holds in its place).
	SearchRequest string
	SearchLink    string
	// DeliveryCode is, for the email sending a one-time code to download
	// the response, the code's placeholder: the outbox puts the code in
	// its place, and the kept copy never holds it.
	DeliveryCode string
}

// pinnedNotice is a notice on the case with the version pinned on it.
type pinnedNotice struct {
	ref     cases.CaseNotice
	version *notice.Version
}

// refuse is a letter that cannot be written from the case as it is.
func refuse(c *cases.Case, format string, args ...any) error {
	return &fault.FailedPrecondition{Subject: c.Name(), Description: fmt.Sprintf(format, args...)}
}

func (f Facts) check() error {
	if f.Case == nil {
		return fault.Invalid("case", "a letter needs a case")
	}
	on, err := deadline.ParseDate(f.On)
	if err != nil {
		return fault.Invalid("on", "the letter's date %q is not a date (YYYY-MM-DD)", f.On)
	}
	if on.String() < f.Case.ReceivedOn {
		return fault.Invalid("on", "the letter's date %s is before the request was received (%s)", f.On, f.Case.ReceivedOn)
	}
	return nil
}

// pinned resolves the case's notices at their pinned versions.
func (f Facts) pinned() ([]pinnedNotice, error) {
	out := make([]pinnedNotice, 0, len(f.Case.Notices))
	for _, ref := range f.Case.Notices {
		var n *notice.Notice
		if f.Notice != nil {
			n, _ = f.Notice(ref.ID)
		}
		if n == nil {
			return nil, refuse(f.Case, "the case names notice %q, which the catalogue does not hold", ref.ID)
		}
		v, ok := n.Version(ref.Version)
		if !ok {
			return nil, refuse(f.Case, "the case is pinned to version %d of notice %q, which the catalogue does not hold", ref.Version, ref.ID)
		}
		out = append(out, pinnedNotice{ref: ref, version: v})
	}
	return out, nil
}

// common is what every letter to the requester says about the case.
func (w *Writer) common(f Facts, notices []pinnedNotice) Common {
	c := f.Case
	out := Common{
		Organisation: w.org.sender(), Regulator: w.org.Regulator,
		Date: longDate(f.On), Reference: c.Reference,
		To:         addressee(c.Requester.Person),
		Received:   longDate(c.ReceivedOn),
		ReceivedBy: receivedBy[c.Channel],
		Clock:      clockOf(c.Clock),
	}
	if c.IdentityRequestedOn != "" {
		out.IdentityAskedOn = longDate(c.IdentityRequestedOn)
	}
	if out.ReceivedBy == "" {
		out.ReceivedBy = receivedBy[cases.ChannelAPI]
	}
	if c.Requester.Relationship == cases.RelationshipRepresentative && c.Requester.DataSubject != nil {
		out.OnBehalfOf = c.Requester.DataSubject.Name
	}
	titles := map[string]string{}
	for _, n := range notices {
		out.Notices = append(out.Notices, noticeOf(n))
		titles[n.ref.ID] = n.version.Title
	}
	for _, r := range c.Rights {
		out.Rights = append(out.Rights, rightOf(r, titles))
	}
	for _, s := range c.Searches {
		entry := Search{Source: s.Source, On: longDate(s.On), Found: s.Found, Reason: s.Reason}
		if s.Kind == cases.SearchDone {
			out.Searches = append(out.Searches, entry)
		} else {
			out.NotSearched = append(out.NotSearched, entry)
		}
	}
	for _, e := range c.ExemptionsRelied() {
		out.Exemptions = append(out.Exemptions, Exemption{Title: e.Title, Reference: e.Reference, Plain: e.Plain})
	}
	return out
}

func addressee(p cases.Person) Addressee {
	return Addressee{Name: p.Name, Email: p.Email, PostalAddress: addressLines(p.PostalAddress)}
}

var receivedBy = map[cases.Channel]string{
	cases.ChannelWeb: "online", cases.ChannelEmail: "by email", cases.ChannelPost: "by post",
	cases.ChannelPhone: "by phone", cases.ChannelInPerson: "in person", cases.ChannelAPI: "through another system",
}

func clockOf(k cases.Clock) Clock {
	out := Clock{
		Start: longDate(k.Start), Due: longDate(k.Due), StatutoryDue: longDate(k.StatutoryDue),
		ExtendedDue: longDate(k.ExtendedDue), ExtensionNoticeBy: longDate(k.ExtensionNoticeBy),
		Paused: k.Paused, PausedSince: longDate(k.PausedSince),
	}
	// The dated steps are the working; the undated ones name the rule set
	// and the pause, which mean nothing to a requester.
	for _, s := range k.Steps {
		if s.Date != "" && !staffOnlyStep(s.Text) {
			out.Explanation = append(out.Explanation, s.Text)
		}
	}
	return out
}

// staffOnlyPrefixes start the dated steps of the clock's working that are
// notes to staff, not reasons for a date: the organisation's own internal
// target, the duty to tell the requester of an extension (the letter that
// tells them is that duty done), and the extension with staff's reason in
// brackets (the extension notice gives the reason in its own words).
var staffOnlyPrefixes = []string{"Internal target", "The requester must be told", "The consumer must be told", "Extended by"}

func staffOnlyStep(text string) bool {
	return slices.ContainsFunc(staffOnlyPrefixes, func(p string) bool { return strings.HasPrefix(text, p) })
}

// longDate writes an ISO date as people read it, "2 March 2026"; empty
// stays empty.
func longDate(iso string) string {
	d, err := deadline.ParseDate(iso)
	if err != nil {
		return iso
	}
	return fmt.Sprintf("%d %s %d", d.Day, d.Month, d.Year)
}

// words is how letters name a right.
type words struct{ title, ask, article string }

var rightWords = map[notice.Right]words{
	notice.RightAccess:                   {"A copy of your personal data", "give you a copy of your personal data", "Article 15"},
	notice.RightRectification:            {"Correcting your personal data", "correct or complete your personal data", "Article 16"},
	notice.RightErasure:                  {"Deleting your personal data", "delete your personal data", "Article 17"},
	notice.RightRestriction:              {"Limiting how we use your personal data", "limit how we use your personal data", "Article 18"},
	notice.RightObjection:                {"Objecting to how we use your personal data", "stop using your personal data, because you object to how we use it", "Article 21(1)"},
	notice.RightObjectionDirectMarketing: {"Stopping direct marketing", "stop using your personal data for direct marketing", "Article 21(2)"},
	notice.RightWithdrawConsent:          {"Withdrawing your consent", "stop using your personal data where you gave your consent", "Article 7(3)"},
	notice.RightPortability:              {"Moving your data to another organisation", "give you your personal data in a format you can move to another organisation", "Article 20"},
	notice.RightAutomatedDecisionReview:  {"Reviewing a decision made by automated means", "have a person review a decision made about you by automated means", "Article 22C"},
}

func rightOf(r cases.RequestedRight, titles map[string]string) Right {
	w := rightWords[r.Right]
	out := Right{ID: string(r.Right), Title: w.title, Ask: w.ask, Article: w.article}
	for _, e := range r.PerNotice {
		out.Notices = append(out.Notices, Evaluation{
			Notice: titles[e.NoticeID], Availability: string(e.Availability), Limit: sentence(e.Condition), Reason: e.Reason,
		})
	}
	return out
}

// sentence makes s a sentence: capital first, full stop last.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	s = notice.Capitalise(s)
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

func contactOf(p notice.Party) Contact {
	return Contact{Name: p.Name, Address: strings.Join(addressLines(p.Address), ", "), Email: p.Email, Phone: p.Phone, Web: p.Web}
}

// lineRefs are the pointers into the source document the catalogue's own
// notes carry, e.g. " (line 72)", which mean nothing in a letter.
var lineRefs = regexp.MustCompile(`\s*\(lines? [0-9][0-9, and–-]*\)`)

// noticeOf is the facts of a notice version a letter gives: the Article
// 15(1)(a)–(h) and 15(2) information, from the version pinned on the case.
func noticeOf(n pinnedNotice) Notice {
	v := n.version
	out := Notice{
		Title: v.Title, Version: v.Number, InForceFrom: longDate(v.EffectiveFrom),
		Controller: contactOf(v.Controller), DPO: contactOf(v.DPO), Complaint: contactOf(v.ComplaintAuthority),
		Source: strings.TrimSpace(lineRefs.ReplaceAllString(v.Extra["data_source"], "")),
	}
	if ctx, ok := v.Context(n.ref.Context); ok {
		out.Context = ctx.Name
	}
	for _, a := range v.Audiences {
		if a.ID == n.ref.Audience {
			out.Audience = a.Label
		}
	}
	for _, c := range v.Contexts {
		p := Processing{
			Name: c.Name, Basis: basisText(c.Basis), Purposes: c.Purposes, Categories: c.DataCategories,
			Automated: c.SolelyAutomatedDecisions,
		}
		if c.Special != nil {
			p.Special, p.SpecialCondition = c.Special.Categories, c.Special.Condition
		}
		out.Processing = append(out.Processing, p)
		if c.SolelyAutomatedDecisions {
			out.Automated = append(out.Automated, c.Name)
		}
	}
	for _, r := range v.Recipients {
		out.Recipients = append(out.Recipients, Recipient{Name: r.Name, Kind: r.Kind})
	}
	for _, r := range v.Retention {
		out.Retention = append(out.Retention, r.Description)
	}
	for _, t := range v.Transfers {
		out.Transfers = append(out.Transfers, Transfer{Destination: t.Destination, Safeguard: t.Safeguard})
	}
	out.Rights = declaredRights(v)
	return out
}

func basisText(b notice.Basis) string {
	if b == notice.BasisUnstated {
		return "not stated in the notice"
	}
	return fmt.Sprintf("%s (Article 6(1)(%s))", notice.BasisLabel(b), notice.Art6Point(b))
}

// declaredRights lists each right the notice declares once, with every
// limit it puts on it.
func declaredRights(v *notice.Version) []NoticeRight {
	var (
		order  []notice.Right
		limits = map[notice.Right][]string{}
	)
	for _, d := range v.Rights {
		if !slices.Contains(order, d.Right) {
			order = append(order, d.Right)
		}
		limits[d.Right] = append(limits[d.Right], limitsOf(v, d)...)
	}
	out := make([]NoticeRight, 0, len(order))
	for _, r := range order {
		out = append(out, NoticeRight{Title: rightWords[r].title, Limit: strings.Join(limits[r], " ")})
	}
	return out
}

// limitsOf is how a declaration limits its right: to part of the
// processing, with a qualifier, through a channel.
func limitsOf(v *notice.Version, d notice.DeclaredRight) []string {
	var out []string
	if d.ScopeText != "" {
		out = append(out, sentence(d.ScopeText))
	} else if len(d.Scope) > 0 {
		var names []string
		for _, id := range d.Scope {
			if c, ok := v.Context(id); ok {
				names = append(names, c.Name)
			}
		}
		out = append(out, sentence("only for "+andList(names)))
	}
	switch {
	case d.QualifierText != "":
		out = append(out, sentence(d.QualifierText))
	case d.Qualifier == notice.QualifierMay:
		out = append(out, "The notice says you may have this right, depending on the circumstances.")
	case d.Qualifier == notice.QualifierCertainCircumstance:
		out = append(out, "Only in certain circumstances.")
	}
	if d.Completion {
		out = append(out, "This includes completing data that is incomplete.")
	}
	if d.Channel != nil {
		out = append(out, sentence(d.Channel.Description))
	}
	return out
}

// selfServiceKinds are the channels a person uses on their own, without
// asking us.
var selfServiceKinds = []notice.ChannelKind{notice.ChannelSelfService, notice.ChannelOptOut, notice.ChannelEmail}

// routesFor lists the ways the notices give to do what was asked
// without us.
func routesFor(c *cases.Case, notices []pinnedNotice) []Route {
	var out []Route
	for _, n := range notices {
		for _, d := range n.version.Rights {
			asked := slices.ContainsFunc(c.Rights, func(r cases.RequestedRight) bool { return r.Right == d.Right })
			if !asked || d.Channel == nil || !slices.Contains(selfServiceKinds, d.Channel.Kind) {
				continue
			}
			out = append(out, Route{Notice: n.version.Title, Right: rightWords[d.Right].title, How: sentence(d.Channel.Description), Address: d.Channel.Address})
		}
	}
	return out
}

func toldOf(c *cases.Case) []Told {
	var out []Told
	for _, t := range c.Tasks {
		if t.Kind == cases.TaskArticle19 {
			out = append(out, Told{Recipient: t.Recipient, State: string(t.State), Resolution: t.Resolution})
		}
	}
	return out
}

func outcomeOf(o *cases.Outcome) Outcome {
	return Outcome{Kind: string(o.Kind), Reason: string(o.RefusalReason), Detail: o.Detail, ClosedOn: longDate(o.ClosedOn), OnTime: o.OnTime}
}

// article19Done is what a recipient is told was done, per right.
var article19Done = map[notice.Right]string{
	notice.RightRectification: "corrected or completed their personal data",
	notice.RightErasure:       "deleted their personal data",
	notice.RightRestriction:   "limited how their personal data may be used",
}
