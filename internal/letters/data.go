package letters

// The types in this file are what templates see: every exported field
// here is a documented template field (FIELDS.md is generated from these
// comments, and a test fails when one has none). Dates are already
// written out for people ("2 March 2026"); lists may be empty, and a
// template says something sensible when they are.

// Contact is an organisation or office and how to reach it.
type Contact struct {
	// Name is the organisation's or office's name.
	Name string
	// Address is its postal address on one line, parts separated by commas.
	Address string
	// Email is its email address.
	Email string
	// Phone is its telephone number.
	Phone string
	// Web is its web address.
	Web string
}

// Sender is the organisation writing the letter, from its configuration.
type Sender struct {
	// Contact is the organisation's name (e.g. "Cabinet Office"), postal
	// address, and the email address, phone number and web address
	// requesters use about their request.
	Contact
	// DPO is its data protection officer; Name is empty when none is configured.
	DPO Contact
	// SignOff is who signs letters, e.g. "Data protection team".
	SignOff string
	// StatusPage is the web address where a requester checks progress with
	// their reference and status code; empty when there is none.
	StatusPage string
}

// Addressee is whom a letter goes to.
type Addressee struct {
	// Name is the person's (or, for an Article 19 notice, the recipient's) name.
	Name string
	// Email is their email address, if known.
	Email string
	// PostalAddress is their postal address, one line per entry.
	PostalAddress []string
}

// Clock is the statutory clock of the case, as last computed.
type Clock struct {
	// Start is the day the time limit started.
	Start string
	// Due is the day the reply is due, taking any extension into account.
	Due string
	// StatutoryDue is the end of the first period (one month), before any extension.
	StatutoryDue string
	// ExtendedDue is the due date after an extension; empty when there is none.
	ExtendedDue string
	// ExtensionNoticeBy is the last day to tell the requester of an extension.
	ExtensionNoticeBy string
	// Paused is true while the clock waits for the requester.
	Paused bool
	// PausedSince is the day the clock stopped; empty when it runs.
	PausedSince string
	// Explanation is how the due date was worked out, one step an entry.
	Explanation []string
}

// Evaluation is what one privacy notice on the case says about a right.
type Evaluation struct {
	// Notice is the notice's title.
	Notice string
	// Availability is one of declared, declared_conditionally,
	// statutory_not_declared (the notice is silent but the law gives the
	// right) or not_applicable (the law does not give it for this processing).
	Availability string
	// Limit is the condition a notice puts on the right, as a sentence;
	// empty when there is none.
	Limit string
	// Reason is the evaluation's reason in full, citing the Article.
	Reason string
}

// Right is a right the requester asked for.
type Right struct {
	// ID is the right's identifier: access, rectification, erasure,
	// restriction, objection, objection_direct_marketing, withdraw_consent,
	// portability or automated_decision_review.
	ID string
	// Title names the right as a heading, e.g. "Deleting your personal data".
	Title string
	// Ask is what the requester asked us to do, after "You asked us to",
	// e.g. "delete your personal data".
	Ask string
	// Article is the Article of the UK GDPR that gives the right, e.g. "Article 17".
	Article string
	// Notices is what each notice on the case says about the right; empty
	// when the case names no notice.
	Notices []Evaluation
}

// Processing is one processing activity a notice describes.
type Processing struct {
	// Name is the activity's name, e.g. "satisfaction surveys".
	Name string
	// Basis is its lawful basis with the Article, e.g. "consent (Article 6(1)(a))".
	Basis string
	// Purposes are what the data is used for.
	Purposes []string
	// Categories are the kinds of personal data used.
	Categories []string
	// Special lists the special categories of data used, e.g. "health"; empty when none.
	Special []string
	// SpecialCondition is the Article 9 condition relied on for them.
	SpecialCondition string
	// Automated is true when decisions with legal or similarly significant
	// effects are made by automated means alone.
	Automated bool
}

// Recipient is someone a notice says the data is shared with.
type Recipient struct {
	// Name is the recipient's name or description.
	Name string
	// Kind is processor, supplier, internal or other users.
	Kind string
}

// Transfer is a transfer outside the UK and its safeguard.
type Transfer struct {
	// Destination is where the data goes, e.g. "outside the European Union".
	Destination string
	// Safeguard is what protects it, e.g. "Model Contract Clauses".
	Safeguard string
}

// NoticeRight is a right a notice declares.
type NoticeRight struct {
	// Title names the right, e.g. "Limiting how we use your personal data".
	Title string
	// Limit is how the notice limits or qualifies it, as a sentence; empty when it does not.
	Limit string
}

// Route is a way a notice gives to exercise a right yourself.
type Route struct {
	// Notice is the notice's title.
	Notice string
	// Right names the right, e.g. "Withdrawing your consent".
	Right string
	// How says how, in the notice's facts, e.g. "withdraw consent by
	// deleting the profile information or profile image yourself".
	How string
	// Address is the email address or other place to go; empty when How says it all.
	Address string
}

// Notice is the facts of one privacy notice on the case, from the version
// pinned on the case: what the requester read when they asked.
type Notice struct {
	// Title is the notice's title.
	Title string
	// Version is the version number pinned on the case.
	Version int
	// InForceFrom is the day that version took effect.
	InForceFrom string
	// Controller is the organisation that decides how the data is used.
	Controller Contact
	// DPO is the data protection officer the notice names.
	DPO Contact
	// Audience is the group of people the request concerns, when the case names one.
	Audience string
	// Context is the processing the request concerns, when the case names one.
	Context string
	// Processing is each processing activity: purposes, lawful basis and
	// data (Article 15(1)(a) and (b)).
	Processing []Processing
	// Recipients are who the data is shared with (Article 15(1)(c)).
	Recipients []Recipient
	// Retention is how long the data is kept, one rule an entry (Article 15(1)(d)).
	Retention []string
	// Rights are the rights the notice declares (Article 15(1)(e)).
	Rights []NoticeRight
	// Complaint is the authority a complaint can be made to (Article 15(1)(f)).
	Complaint Contact
	// Source is where data not given by the person came from (Article
	// 15(1)(g)); empty when the notice names no other source.
	Source string
	// Automated names the processing that makes decisions by automated
	// means alone (Article 15(1)(h)); empty when there is none.
	Automated []string
	// Transfers are transfers outside the UK and their safeguards (Article 15(2)).
	Transfers []Transfer
}

// Search is one entry of the case's search record (Article 15(1A)).
type Search struct {
	// Source is the system or team.
	Source string
	// On is the day it was searched, or set aside.
	On string
	// Found is what the search found, "nothing" included; empty for a source not searched.
	Found string
	// Reason is why a source was not searched; empty for one searched.
	Reason string
}

// Exemption is an exemption a response relies on to withhold a record or
// part of one.
type Exemption struct {
	// Title names it, e.g. "Legal professional privilege".
	Title string
	// Reference is where the law states it, e.g. "DPA 2018 Schedule 2
	// paragraph 19".
	Reference string
	// Plain says in plain words what it lets us withhold, as one sentence.
	Plain string
}

// Told is a recipient the case must tell of a correction, deletion or
// restriction (Article 19).
type Told struct {
	// Recipient is the recipient's name.
	Recipient string
	// State is open, done or impossible.
	State string
	// Resolution is why telling them was impossible, or a note on how it was done.
	Resolution string
}

// Outcome is how the case closed.
type Outcome struct {
	// Kind is fulfilled, partially_fulfilled, refused, withdrawn,
	// passed_to_controller, self_service or duplicate.
	Kind string
	// Reason is the refusal reason: manifestly_unfounded,
	// manifestly_excessive, exemption_applies, right_not_applicable,
	// identity_not_verified, no_personal_data_held or other; empty unless refused.
	Reason string
	// Detail is what staff wrote about the outcome, for the requester.
	Detail string
	// ClosedOn is the day the case closed.
	ClosedOn string
	// OnTime is true when it closed by the due date.
	OnTime bool
}

// Common is what every letter to the requester is written from.
type Common struct {
	// Organisation is the organisation writing.
	Organisation Sender
	// Regulator is the authority a complaint goes to: the Information
	// Commissioner's Office unless configured otherwise.
	Regulator Contact
	// Date is the letter's date.
	Date string
	// Reference is the case's public reference, e.g. "RD-7K3M-Q9XP".
	Reference string
	// To is the requester (the representative, when one asks for someone else).
	To Addressee
	// OnBehalfOf is the person the data is about, when a representative
	// asks for them; empty when people ask for themselves.
	OnBehalfOf string
	// Received is the day the request was received.
	Received string
	// ReceivedBy says how it arrived: "online", "by email", "by post",
	// "by phone", "in person" or "through another system".
	ReceivedBy string
	// IdentityAskedOn is the day proof of identity was asked for; empty when it was not.
	IdentityAskedOn string
	// Rights are the rights asked for, in the order asked.
	Rights []Right
	// Notices are the privacy notices on the case; empty when the request
	// names none ("everything you hold").
	Notices []Notice
	// Clock is the statutory clock.
	Clock Clock
	// Searches are the systems and teams searched.
	Searches []Search
	// NotSearched are the systems and teams deliberately not searched, and why.
	NotSearched []Search
	// Exemptions are the exemptions the case relies on to withhold
	// records or parts of them, in plain words; empty when everything
	// collected is disclosed whole.
	Exemptions []Exemption
}

// Request is the data of a letter asking the requester for something:
// proof of identity, clarification or a fee.
type Request struct {
	Common
	// Asked is what staff asked for, in their words; for identity it may be
	// empty (the template then says what is usually needed).
	Asked string
	// AskedOn is the day it was asked.
	AskedOn string
}

// Extension is the data of the letter telling the requester the deadline
// is extended.
type Extension struct {
	Common
	// Reason is why the request needs longer (complexity, or numerous requests).
	Reason string
	// Months is by how many months the deadline is extended: 1 or 2.
	Months int
	// MonthsText is Months in words, e.g. "2 months".
	MonthsText string
	// GrantedOn is the day the extension was decided.
	GrantedOn string
	// OriginalDue is the due date before the extension.
	OriginalDue string
	// NewDue is the due date now.
	NewDue string
}

// Closing is the data of every letter that closes a case.
type Closing struct {
	Common
	// Outcome is how the case closed.
	Outcome Outcome
	// Told are the recipients the case tells of a correction, deletion or
	// restriction (Article 19); empty when there are none.
	Told []Told
}

// Section is the data of one right's part of a response: the closing
// letter's data and the right it answers.
type Section struct {
	Closing
	// Right is the right this part answers.
	Right Right
}

// Response is the data of the response letter.
type Response struct {
	Closing
	// Sections are each right's part of the reply, in the order asked,
	// written from the response-<right> templates.
	Sections []string
}

// PassedOn is the data of the letter telling the requester their request
// went to the controller of their data.
type PassedOn struct {
	Closing
	// Controller is the organisation the request was passed to, when the
	// notice names it; otherwise Name is empty and Outcome.Detail says.
	Controller Contact
}

// SelfService is the data of the letter pointing the requester to a way
// of doing what they asked themselves.
type SelfService struct {
	Closing
	// Routes are the ways the notices give; empty when Outcome.Detail says how.
	Routes []Route
}

// Duplicate is the data of the letter closing a request that repeats another.
type Duplicate struct {
	Closing
	// Into is the reference of the request that goes on in its place.
	Into string
}

// Article19 is the data of a notice to a recipient that data shared with
// it was corrected, deleted or restricted.
type Article19 struct {
	// Organisation is the organisation writing.
	Organisation Sender
	// Date is the letter's date.
	Date string
	// Reference is the case's public reference.
	Reference string
	// Recipient is the recipient written to.
	Recipient string
	// Person is the person the data is about.
	Person string
	// Done lists what was done, e.g. "deleted their personal data".
	Done []string
	// Detail is what staff wrote about the outcome; empty while the case is open.
	Detail string
}

// SearchRequest is the data of the email asking a data owner to search a
// system or team for a requester's data, and of its chaser. It names the
// case by its reference only: the owner needs no more of the requester
// than the link's page shows them to search with.
type SearchRequest struct {
	// Organisation is the organisation writing.
	Organisation Sender
	// Date is the email's date.
	Date string
	// Reference is the case's public reference.
	Reference string
	// Owner is the name of the person asked to search.
	Owner string
	// System is the system or team to search.
	System string
	// Due is the day the answer is due.
	Due string
	// SentOn is the day the request was first sent (for the chaser).
	SentOn string
	// Link is the web address where the owner answers; the kept copy of
	// the email holds a placeholder in its place.
	Link string
	// LinkUntil is the last day the link works.
	LinkUntil string
}

// DeliveryCode is the data of the email giving the requester a one-time
// code to download their response from the status page.
type DeliveryCode struct {
	Common
	// Code is the one-time code; the kept copy of the email holds a
	// placeholder in its place.
	Code string
	// Minutes is how long the code works.
	Minutes int
	// AvailableUntil is the last day the response can be downloaded.
	AvailableUntil string
}

// Page is the data of the HTML frame every letter is set in for email.
type Page struct {
	// Subject is the letter's subject: its first heading.
	Subject string
	// Organisation is the writing organisation's name.
	Organisation string
	// Reference is the case's public reference.
	Reference string
	// Date is the letter's date.
	Date string
	// Blocks are the letter's text, block by block.
	Blocks []Block
}

// Block is one block of a letter's text.
type Block struct {
	// Kind is heading1, heading2, heading3, heading4, paragraph or list.
	Kind string
	// Text is the block's text; empty for a list.
	Text string
	// Items are a list's items; empty for other blocks.
	Items []string
}
