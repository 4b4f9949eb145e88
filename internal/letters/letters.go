package letters

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// Letter is a letter as written: its words, and what the case and the
// audit trail record about it.
type Letter struct {
	Kind Kind
	// Template is the template that wrote it; Parts are the templates of a
	// response's parts, one per right, in order.
	Template string
	Parts    []string
	// TemplateVersion is the SHA-256 (hex) of the sources of every
	// template that went into the letter (the shared common.tmpl included).
	TemplateVersion string
	Reference       string
	// Date is the letter's date, YYYY-MM-DD.
	Date string
	To   Addressee
	From Organisation
	// Subject is the letter's first heading, the email's subject.
	Subject string
	// Text is the letter in canonical form (see Normalise): what is sent,
	// kept and hashed.
	Text string
	// TextHash is the SHA-256 (hex) of Text.
	TextHash string
	// HTML is the letter set in the HTML frame, for email.
	HTML string
	// Edited is true once staff have changed the words a template wrote.
	Edited bool
}

// PlainText is the letter for the plain-text part of an email: headings
// without marks, lines wrapped.
func (l Letter) PlainText() string { return plain(parseBlocks(l.Text)) }

// Blocks are the letter's text block by block, as the email and the PDF
// lay it out: for a page that shows a draft as it will read.
func (l Letter) Blocks() []Block { return parseBlocks(l.Text) }

// Writer writes an organisation's letters from its templates.
type Writer struct {
	templates *Templates
	org       Organisation
}

// NewWriter is a writer for org's letters; org must have a name and a way
// to be reached.
func NewWriter(t *Templates, org Organisation) (*Writer, error) {
	if t == nil {
		return nil, errors.New("letters: no templates")
	}
	org, err := org.check()
	if err != nil {
		return nil, err
	}
	return &Writer{templates: t, org: org}, nil
}

// RequestKind is the letter that asks the requester for what a case waits for.
func RequestKind(what cases.WaitingFor) (Kind, bool) {
	k, ok := map[cases.WaitingFor]Kind{
		cases.WaitingForIdentity: KindIdentityRequest, cases.WaitingForClarification: KindClarificationRequest, cases.WaitingForFee: KindFeeRequest,
	}[what]
	return k, ok
}

// ClosingKind is the letter that tells the requester a case closed with
// the outcome.
func ClosingKind(outcome cases.OutcomeKind) (Kind, bool) {
	k, ok := map[cases.OutcomeKind]Kind{
		cases.OutcomeFulfilled: KindResponse, cases.OutcomePartiallyFulfilled: KindResponse, cases.OutcomeRefused: KindRefusal,
		cases.OutcomeWithdrawn: KindWithdrawn, cases.OutcomePassedToController: KindPassedOn,
		cases.OutcomeSelfService: KindSelfService, cases.OutcomeDuplicate: KindDuplicate,
	}[outcome]
	return k, ok
}

// Write writes a letter of the kind from the facts. A letter the case
// cannot support (an extension notice for a case not extended, a refusal
// that gives no reason) is a fault.FailedPrecondition saying what is
// missing; nothing is left blank.
func (w *Writer) Write(kind Kind, f Facts) (Letter, error) {
	if !slices.Contains(Kinds, kind) {
		return Letter{}, fault.Invalid("kind", "there is no %q letter", kind)
	}
	if err := f.check(); err != nil {
		return Letter{}, err
	}
	notices, err := f.pinned()
	if err != nil {
		return Letter{}, err
	}
	common := w.common(f, notices)
	c := f.Case
	switch kind {
	case KindAcknowledgement:
		return w.letter(kind, f, common.To, common)
	case KindIdentityRequest, KindClarificationRequest, KindFeeRequest:
		data, err := requestOf(kind, c, common)
		if err != nil {
			return Letter{}, err
		}
		return w.letter(kind, f, common.To, data)
	case KindExtensionNotice:
		data, err := extensionOf(c, common, f.On)
		if err != nil {
			return Letter{}, err
		}
		return w.letter(kind, f, common.To, data)
	case KindArticle19:
		data, err := article19Of(c, common, f.Recipient)
		if err != nil {
			return Letter{}, err
		}
		return w.letter(kind, f, Addressee{Name: f.Recipient}, data)
	case KindSearchRequest, KindSearchChaser:
		data, err := searchRequestOf(c, common, f)
		if err != nil {
			return Letter{}, err
		}
		return w.letter(kind, f, Addressee{Name: data.Owner}, data)
	case KindDeliveryCode:
		data, err := deliveryCodeOf(c, common, f.DeliveryCode)
		if err != nil {
			return Letter{}, err
		}
		return w.letter(kind, f, common.To, data)
	}
	closing, err := closingOf(kind, c, common)
	if err != nil {
		return Letter{}, err
	}
	switch kind {
	case KindResponse:
		return w.response(f, closing)
	case KindRefusal:
		if err := refusalNeeds(c, closing); err != nil {
			return Letter{}, err
		}
		return w.letter(kind, f, common.To, closing)
	case KindWithdrawn:
		return w.letter(kind, f, common.To, closing)
	case KindPassedOn:
		data := PassedOn{Closing: closing}
		if c.OtherController != nil {
			data.Controller = contactOf(*c.OtherController)
		}
		if data.Controller.Name == "" && closing.Outcome.Detail == "" {
			return Letter{}, refuse(c, "the letter must say who the request was passed to: name the audience whose controller it is, or say so in the outcome's detail")
		}
		return w.letter(kind, f, common.To, data)
	case KindSelfService:
		data := SelfService{Closing: closing, Routes: routesFor(c, notices)}
		if len(data.Routes) == 0 && closing.Outcome.Detail == "" {
			return Letter{}, refuse(c, "no notice on the case gives a way to do this yourself: say how in the outcome's detail")
		}
		return w.letter(kind, f, common.To, data)
	case KindDuplicate:
		if f.DuplicateOf == "" {
			return Letter{}, fault.Invalid("duplicate_of", "give the reference of the case that goes on in this one's place")
		}
		return w.letter(kind, f, common.To, Duplicate{Closing: closing, Into: f.DuplicateOf})
	}
	return Letter{}, fault.Invalid("kind", "there is no %q letter", kind)
}

// letter writes one template's letter.
func (w *Writer) letter(kind Kind, f Facts, to Addressee, data any) (Letter, error) {
	text, err := w.templates.execute(string(kind), data)
	if err != nil {
		return Letter{}, err
	}
	l := Letter{
		Kind: kind, Template: string(kind), TemplateVersion: w.templates.versions[string(kind)],
		Reference: f.Case.Reference, Date: f.On, To: to, From: w.org,
	}
	return w.finish(l, text)
}

// response writes each right's part, then the letter around them.
func (w *Writer) response(f Facts, closing Closing) (Letter, error) {
	c := f.Case
	if slices.ContainsFunc(c.Rights, func(r cases.RequestedRight) bool { return r.Right == notice.RightAccess }) &&
		len(c.Notices) == 0 && len(c.Searches) == 0 {
		return Letter{}, refuse(c, "an access response for a request that names no notice says what was searched: record the search first")
	}
	if c.Outcome.Kind == cases.OutcomePartiallyFulfilled && c.Outcome.Detail == "" {
		return Letter{}, refuse(c, "a partial response must tell the requester what was not done and why (Article 12(4)): write it in the outcome's detail")
	}
	data := Response{Closing: closing}
	names := []string{partialsName, string(KindResponse)}
	var parts []string
	for _, r := range closing.Rights {
		name := sectionName(notice.Right(r.ID))
		text, err := w.templates.execute(name, Section{Closing: closing, Right: r})
		if err != nil {
			return Letter{}, err
		}
		data.Sections = append(data.Sections, text)
		if !slices.Contains(parts, name) {
			parts = append(parts, name)
		}
	}
	text, err := w.templates.execute(string(KindResponse), data)
	if err != nil {
		return Letter{}, err
	}
	l := Letter{
		Kind: KindResponse, Template: string(KindResponse), Parts: parts,
		TemplateVersion: w.templates.versionOf(append(names, parts...)...),
		Reference:       c.Reference, Date: f.On, To: closing.To, From: w.org,
	}
	return w.finish(l, text)
}

// Revise replaces a letter's words with staff's edit of them: the text is
// normalised and hashed again and set in the HTML frame; the template and
// its version stay, as the record of where the words started.
func (w *Writer) Revise(l Letter, text string) (Letter, error) {
	l.Edited = true
	return w.finish(l, Normalise(text))
}

// finish derives what follows from the letter's text.
func (w *Writer) finish(l Letter, text string) (Letter, error) {
	blocks := parseBlocks(text)
	if len(blocks) == 0 || blocks[0].Kind != blockHeading1 {
		return Letter{}, fault.Invalid("text", "a letter starts with its subject, a line beginning \"# \"")
	}
	html, err := w.templates.html(Page{Subject: blocks[0].Text, Organisation: w.org.Name, Reference: l.Reference, Date: longDate(l.Date), Blocks: blocks})
	if err != nil {
		return Letter{}, err
	}
	sum := sha256.Sum256([]byte(text))
	l.Subject, l.Text, l.TextHash, l.HTML = blocks[0].Text, text, hex.EncodeToString(sum[:]), html
	return l, nil
}

func requestOf(kind Kind, c *cases.Case, common Common) (Request, error) {
	what := map[Kind]cases.WaitingFor{KindIdentityRequest: cases.WaitingForIdentity, KindClarificationRequest: cases.WaitingForClarification, KindFeeRequest: cases.WaitingForFee}[kind]
	var asked *cases.Exchange
	for _, e := range slices.Backward(c.Exchanges) {
		if e.Kind == cases.ExchangeAsked && e.What == what {
			asked = &e
			break
		}
	}
	if asked == nil {
		return Request{}, refuse(c, "the case records no request for %s: write the letter from the case with the request recorded", what)
	}
	if asked.Detail == "" && what != cases.WaitingForIdentity {
		return Request{}, refuse(c, "the letter quotes what is asked: say what the %s request asks for", what)
	}
	return Request{Common: common, Asked: asked.Detail, AskedOn: longDate(asked.On)}, nil
}

func extensionOf(c *cases.Case, common Common, on string) (Extension, error) {
	if c.Extension == nil {
		return Extension{}, refuse(c, "the case is not extended")
	}
	if on > c.Clock.ExtensionNoticeBy {
		return Extension{}, refuse(c, "the requester had to be told of the extension by %s (the end of the first period); this letter would be dated %s", c.Clock.ExtensionNoticeBy, on)
	}
	months := "2 months"
	if c.Extension.Months == 1 {
		months = "1 month"
	}
	return Extension{
		Common: common, Reason: c.Extension.Reason, Months: c.Extension.Months, MonthsText: months,
		GrantedOn: longDate(c.Extension.GrantedOn), OriginalDue: longDate(c.Clock.StatutoryDue), NewDue: longDate(c.Clock.Due),
	}, nil
}

func closingOf(kind Kind, c *cases.Case, common Common) (Closing, error) {
	if c.Outcome == nil {
		return Closing{}, refuse(c, "the case is not closed, so there is no %s letter to write", kind)
	}
	if want, _ := ClosingKind(c.Outcome.Kind); want != kind {
		return Closing{}, refuse(c, "the case closed as %s, which the %s letter does not tell; write the %s letter", c.Outcome.Kind, kind, want)
	}
	return Closing{Common: common, Outcome: outcomeOf(c.Outcome), Told: toldOf(c)}, nil
}

// refusalNeeds checks that a refusal can give its reasons (Art 12(4)):
// the grounds that are a judgement need staff's words; the others carry
// their own facts.
func refusalNeeds(c *cases.Case, closing Closing) error {
	if closing.Outcome.Detail != "" {
		return nil
	}
	switch cases.RefusalReason(closing.Outcome.Reason) {
	case "identity_not_verified":
		return nil
	case "no_personal_data_held":
		if len(c.Searches) > 0 {
			return nil
		}
		return refuse(c, "a refusal because no personal data is held says where we looked: record the search, or say so in the outcome's detail")
	case "right_not_applicable":
		for _, r := range c.Rights {
			if slices.ContainsFunc(r.PerNotice, func(e cases.NoticeEvaluation) bool { return e.Availability == notice.NotApplicable }) {
				return nil
			}
		}
		return refuse(c, "no notice on the case says the law does not give the right asked for: give the reason in the outcome's detail")
	}
	return refuse(c, "a refusal (%s) must give the requester the reasons (Article 12(4)): write them in the outcome's detail", closing.Outcome.Reason)
}

// searchRequestOf is the data of a search request's email: the request,
// and the case only by its reference.
func searchRequestOf(c *cases.Case, common Common, f Facts) (SearchRequest, error) {
	r, ok := c.SearchRequest(f.SearchRequest)
	if !ok {
		return SearchRequest{}, refuse(c, "the case has no search request %q", f.SearchRequest)
	}
	if f.SearchLink == "" {
		return SearchRequest{}, fault.Invalid("search_link", "a search request's email needs the owner's link")
	}
	return SearchRequest{
		Organisation: common.Organisation, Date: common.Date, Reference: c.Reference, Owner: r.Owner, System: r.Source,
		Due: longDate(r.Due), SentOn: longDate(r.SentOn), Link: f.SearchLink, LinkUntil: longDate(r.LinkUntil),
	}, nil
}

// deliveryCodeOf is the data of the email carrying a one-time code to
// download a released response pack.
func deliveryCodeOf(c *cases.Case, common Common, code string) (DeliveryCode, error) {
	lastDay, ok := c.PackLastDay()
	if !ok {
		return DeliveryCode{}, refuse(c, "the response has not been released, so there is nothing to download")
	}
	if code == "" {
		return DeliveryCode{}, fault.Invalid("delivery_code", "the email needs the code (or its placeholder)")
	}
	return DeliveryCode{
		Common: common, Code: code, Minutes: int(cases.DeliveryCodeLife / time.Minute),
		AvailableUntil: longDate(lastDay),
	}, nil
}

func article19Of(c *cases.Case, common Common, recipient string) (Article19, error) {
	if !slices.ContainsFunc(c.Tasks, func(t cases.Task) bool { return t.Kind == cases.TaskArticle19 && t.Recipient == recipient }) {
		return Article19{}, refuse(c, "%q is not a recipient the case must tell (Article 19)", recipient)
	}
	data := Article19{Organisation: common.Organisation, Date: common.Date, Reference: c.Reference, Recipient: recipient, Person: common.To.Name}
	if common.OnBehalfOf != "" {
		data.Person = common.OnBehalfOf
	}
	for _, r := range c.Rights {
		if done, ok := article19Done[r.Right]; ok {
			data.Done = append(data.Done, done)
		}
	}
	if c.Outcome != nil {
		data.Detail = c.Outcome.Detail
	}
	return data, nil
}
