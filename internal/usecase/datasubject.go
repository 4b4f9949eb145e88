package usecase

import (
	"context"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
)

// DataSubjects answers requests a person makes about what Rightsdesk itself
// holds about them (internal/casework/datasubject.go): find their cases,
// export everything, correct their details, erase them. Every call takes
// the person as a SubjectQuery, which is personal data: no implementation
// logs it or records it in the audit trail.
type DataSubjects interface {
	// SubjectCases are the person's cases, newest first; an error when
	// none is.
	SubjectCases(ctx context.Context, q SubjectQuery) ([]*cases.Case, error)
	// ExportSubject is everything held about the person, and appends a
	// case.subject_exported event to each case exported.
	ExportSubject(ctx context.Context, actor string, q SubjectQuery) (*SubjectExport, error)
	// RectifySubject corrects the person's details on every case of
	// theirs, in one transaction, and returns the cases as corrected.
	RectifySubject(ctx context.Context, actor string, q SubjectQuery, correction cases.Person, reason string) ([]*cases.Case, error)
	// ErasureCheck says of each of the person's cases whether it may be
	// erased now, and if not why not; nothing is written.
	ErasureCheck(ctx context.Context, q SubjectQuery) ([]SubjectErasure, error)
	// EraseSubject erases each case of caseIDs, which must all be the
	// person's, each in its own transaction; one answer per id, in order.
	EraseSubject(ctx context.Context, actor string, q SubjectQuery, caseIDs []string) ([]SubjectErasure, error)
}

// SubjectQuery names a person by exactly one of their email address, their
// name, or the reference of one of their cases.
type SubjectQuery struct {
	Email     string
	Name      string
	Reference string
}

// SubjectErasure is whether one case of a person may be erased, or was.
type SubjectErasure struct {
	CaseID    string
	Reference string
	Erasable  bool
	Why       string
	Erased    bool
}

// SubjectExportSchema names the export's format; a change that is not an
// addition gets a new version. docs/data-subject-export.md describes it.
const SubjectExportSchema = "rightsdesk.data-subject-export/v1"

// SubjectExport is everything Rightsdesk holds about one person. The JSON
// names are the documented schema: keep them stable.
type SubjectExport struct {
	Schema    string         `json:"schema"`
	Generated time.Time      `json:"generated"`
	Cases     []ExportedCase `json:"cases"`
}

// ExportedCase is one case of the person: its personal fields, what was
// exchanged with them, the documents they sent and the case's audit trail.
type ExportedCase struct {
	Name        string              `json:"name"`
	Reference   string              `json:"reference"`
	As          []cases.SubjectRole `json:"as"`
	State       string              `json:"state"`
	Channel     string              `json:"channel"`
	ReceivedOn  string              `json:"received_on"`
	Rights      []string            `json:"rights"`
	Notices     []string            `json:"notices"`
	Outcome     string              `json:"outcome,omitempty"`
	ClosedOn    string              `json:"closed_on,omitempty"`
	Requester   ExportedRequester   `json:"requester"`
	Description string              `json:"description,omitempty"`
	Exchanges   []ExportedExchange  `json:"exchanges"`
	Letters     []ExportedLetter    `json:"letters"`
	Documents   []ExportedDocument  `json:"documents"`
	Notes       []ExportedNote      `json:"notes"`
	Events      []ExportedEvent     `json:"events"`
}

// ExportedRequester is who made the request and, for a representative's
// request, who it was made for.
type ExportedRequester struct {
	Person       cases.Person  `json:"person"`
	Relationship string        `json:"relationship"`
	DataSubject  *cases.Person `json:"data_subject,omitempty"`
	Authority    string        `json:"authority,omitempty"`
}

// ExportedExchange is something asked of the person, or their reply (or
// withdrawal) in their own words, with the names of the documents sent.
type ExportedExchange struct {
	Kind      string   `json:"kind"`
	About     string   `json:"about"`
	On        string   `json:"on"`
	Text      string   `json:"text,omitempty"`
	Documents []string `json:"documents,omitempty"`
}

// ExportedLetter is a letter sent to the person (or an Article 19
// recipient about them), with what it said.
type ExportedLetter struct {
	Kind     string `json:"kind"`
	Channel  string `json:"channel"`
	To       string `json:"to,omitempty"`
	On       string `json:"on"`
	Subject  string `json:"subject,omitempty"`
	Delivery string `json:"delivery,omitempty"`
	Text     string `json:"text"`
}

// ExportedDocument is a document the person sent: its description, not
// its content, which staff download from the case.
type ExportedDocument struct {
	Name       string `json:"name"`
	MediaType  string `json:"media_type"`
	Size       int64  `json:"size"`
	SHA256     string `json:"sha256"`
	ReceivedOn string `json:"received_on"`
}

// ExportedNote is a caseworker's note on the case.
type ExportedNote struct {
	Author  string    `json:"author"`
	Created time.Time `json:"created"`
	Text    string    `json:"text"`
}

// ExportedEvent is one entry of the case's audit trail: who did what and
// when, with the non-personal fields it changed.
type ExportedEvent struct {
	Seq    uint64            `json:"seq"`
	Time   time.Time         `json:"time"`
	Actor  string            `json:"actor"`
	Action string            `json:"action"`
	Before map[string]string `json:"before,omitempty"`
	After  map[string]string `json:"after,omitempty"`
}
