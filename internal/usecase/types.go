package usecase

import (
	"io"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/notice/importer"
	"github.com/rightsdesk/rightsdesk/internal/notice/lint"
)

// RequesterActor is who the audit trail records for what a requester does
// from the status page (a reply, a withdrawal).
const RequesterActor = cases.RequesterActor

// Upload is one document a requester sends: the name their device gave it
// and its bytes, read once.
type Upload struct {
	Name    string
	Content io.Reader
}

// CreateResult is the case and, only when this call created it, the status
// token to give the requester.
type CreateResult struct {
	Case        *cases.Case
	StatusToken string
	Created     bool
}

// Query is a list of cases to read, after parsing.
type Query struct {
	// Filter is in the language FilterFields describes.
	Filter  string
	OrderBy string // "due" (default: open cases, soonest first) or "received"; " desc" reverses
	Limit   int
	After   []byte // cursor from the previous page: Page.Next
	// Before, instead of After, asks for the page before the one it came
	// from: Page.Prev.
	Before []byte
}

// FilterFields is the list filter's language, for messages and help.
const FilterFields = `AIP-160: field = value terms (also !=; due also < <= > >= "YYYY-MM-DD") joined by AND, OR, NOT or -, with parentheses; quote values holding - or :; fields state, right, channel (enums), notice, assignee, reference (strings), overdue, open, waiting, needs_action, due_this_week, undelivered, new_reply, extension_due (true or false), due (a date)`

// Page is one page of a list.
type Page struct {
	Cases []*cases.Case
	Next  []byte // nil on the last page
	Prev  []byte // nil on the first page
}

// MaxBulkAssign bounds one bulk assignment: two pages of the queue.
const MaxBulkAssign = 100

// Target is a case to change as it was shown: its id and the etag it had.
type Target struct {
	ID   string
	Etag string
}

// Assigned is what became of one case of a bulk assignment: Case is the
// case as it now stands (nil when there is no such case) and Err why it
// was not assigned, e.g. a *fault.Conflict when it changed since it was
// shown.
type Assigned struct {
	Target
	Case *cases.Case
	Err  error
}

// Workload is how many open cases each member of staff has.
type Workload struct {
	// People are the assignees of open cases, the most loaded first.
	People []Load
	// Unassigned is the number of open cases nobody has.
	Unassigned int
}

// Load is one assignee's number of open cases.
type Load struct {
	Assignee string
	Open     int
}

// Evidence is everything recorded about one case, read in one transaction
// so the case, its events and the chain's head agree: the material of an
// evidence bundle for a regulator or a complaint (see package export).
type Evidence struct {
	Case *cases.Case
	// Notices are the notice versions the request was received under, in
	// the case's order; a notice since removed from the catalogue is
	// missing.
	Notices map[string]*notice.Version
	// Events are the case's audit events, oldest first, with their personal
	// payloads (nil where there was none or it was erased).
	Events   []audit.Event
	Payloads []*audit.Payload
	// Proof holds the same events and the head of the whole chain, for
	// audit.VerifyProof.
	Proof     audit.Proof
	Generated time.Time
}

// MaxRequesterMatches bounds one requester search: enough to see that a
// person has asked many times, few enough to render on one page.
const MaxRequesterMatches = 200

// RequesterMatch is a case a requester search found and what matched.
type RequesterMatch struct {
	Case    *cases.Case
	ByEmail bool // the case has the email address searched for
	ByName  bool // the case has every word of the name searched for
}

// RequesterResult is what a requester search found, strongest matches
// first.
type RequesterResult struct {
	Matches []RequesterMatch
	// Truncated is set when more cases matched than are listed: the search
	// should be narrowed, e.g. with the email address or the full name.
	Truncated bool
}

// ChainResult is what a verification of the audit chain found.
type ChainResult struct {
	Events uint64
	Head   []byte
}

// ImportRequest is a document to read as a notice's next version.
type ImportRequest struct {
	Content []byte
	Format  importer.Format
	// ID is the notice id. Empty: the known notice the document resembles
	// (by title, controller and content), or else an id derived from its
	// title, service or controller.
	ID string
	// Document names the source, e.g. the file name.
	Document string
	// EffectiveFrom (YYYY-MM-DD) overrides the date the document gives.
	EffectiveFrom string
	// ValidateOnly reads and checks the document without storing it.
	ValidateOnly bool
	// RefuseLintErrors stores nothing when lint finds an error in the
	// draft, for a door that has just shown the findings and promised that
	// errors block saving. Without it a notice is stored as published,
	// errors and all, and the findings say what is wrong with it.
	RefuseLintErrors bool
	// ExpectVersion, when not 0, is the version number a preview said the
	// draft would become: if another version was stored since, nothing is
	// stored and the error is a fault.Conflict.
	ExpectVersion int
	// Actor is who imports, for the audit trail ("token:…", "cli:…").
	Actor string
}

// ImportResult is what an import read, stored and found.
type ImportResult struct {
	Draft *importer.Draft
	// Notice is the notice with every version, as stored after the import
	// (or, for ValidateOnly, as it stands).
	Notice *notice.Notice
	// Version is the version the content is: the one stored, the one it
	// would be, or, when the content is unchanged, the current one.
	Version *notice.Version
	// Created is true when a new version was stored.
	Created bool
	// Unchanged is true when the content is the current version's, so
	// there is nothing to store.
	Unchanged bool
	Findings  []lint.Finding
}

// Linted is one notice's current version and its findings.
type Linted struct {
	ID       string
	Version  *notice.Version
	Findings []lint.Finding
}

// NewToken is an API token to create.
type NewToken struct {
	// Name is who or what holds the token; the audit actor is token:NAME.
	Name string
	Role auth.Role
	// Lifetime is how long the token works; 0 never expires.
	Lifetime time.Duration
	// By is who creates it, for the audit trail.
	By string
	// RequestID is the client's id for the call (AIP-155), "" for none: a
	// second call with it creates no second token.
	RequestID string
}

// CreatedToken is a new token: the secret, shown once, and its record.
type CreatedToken struct {
	Plaintext string
	Token     auth.Token
}

// LetterTextField is the field a refusal of staff's own wording of a
// letter names (Cases.ApplyWithLetter, Cases.DraftLetter).
const LetterTextField = "letter_text"

// NoLetters is why the letters a case's steps need are not sent to its
// requester ("" when they are).
type NoLetters string

const (
	// NoLettersRelay: no relay is configured, so no letter is written.
	NoLettersRelay NoLetters = "no_relay"
	// NoLettersAddress: the requester gave neither an email nor a postal
	// address; staff send the letters themselves.
	NoLettersAddress NoLetters = "no_email"
)
