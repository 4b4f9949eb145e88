package cases

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// Documents of a case are the files its response is made of: what the
// requester sent (identity evidence, authority), what the data owners
// returned for a search (collected records), the redacted versions staff
// made of them and the response letter. Each is kept in the document store
// under Key, sealed with the case's data key, so destroying the key destroys
// the files; the case keeps only what staff need to list and judge them.

// DocumentKind says what a document is to the response.
type DocumentKind string

const (
	DocumentIdentityEvidence DocumentKind = "identity_evidence"
	DocumentAuthority        DocumentKind = "authority"
	DocumentCollectedRecord  DocumentKind = "collected_record"
	DocumentRedactedVersion  DocumentKind = "redacted_version"
	DocumentResponseLetter   DocumentKind = "response_letter"
	DocumentOther            DocumentKind = "other"
)

// DocumentKinds are the kinds in the order forms offer them.
var DocumentKinds = []DocumentKind{
	DocumentIdentityEvidence, DocumentAuthority, DocumentCollectedRecord,
	DocumentRedactedVersion, DocumentResponseLetter, DocumentOther,
}

// Document is one file of the case. File holds what every stored file has
// (id, store key, name, media type, size, SHA-256, the date it arrived).
type Document struct {
	File
	Kind DocumentKind `json:"kind"`
	// Source is the system or team the document came from, for collected
	// records; empty for the requester's own.
	Source string `json:"source,omitempty"`
	// AddedBy is the staff account id that added it, RequesterActor's id
	// for the requester's uploads, or "owner:" and the search request's id
	// for a data owner's upload through a link.
	AddedBy string    `json:"added_by"`
	Added   time.Time `json:"added"`
	// SearchID is the search record (Searches) the document answers.
	SearchID string `json:"search_id,omitempty"`
	// RedactionOf is, for a redacted version, the id of the document it
	// redacts; both are kept.
	RedactionOf string `json:"redaction_of,omitempty"`
	// Disclosure is the decision on a collected record: nil until made.
	Disclosure *Disclosure `json:"disclosure,omitempty"`
}

// DisclosureDecision is what the response does with a collected record.
type DisclosureDecision string

const (
	Disclose         DisclosureDecision = "disclose"
	DiscloseRedacted DisclosureDecision = "disclose_redacted"
	Withhold         DisclosureDecision = "withhold"
)

// Disclosure is a decision on a collected record with the exemption relied
// on (an Exemption code) when anything is withheld or redacted.
type Disclosure struct {
	Decision  DisclosureDecision `json:"decision"`
	Exemption string             `json:"exemption,omitempty"`
	// Reason is the caseworker's note on the decision, for the reviewer.
	Reason string    `json:"reason,omitempty"`
	By     string    `json:"by"`
	On     time.Time `json:"on"`
}

// Limits on documents, stated once for every door. Staff add bigger files
// than a requester (a mailbox export, a scanned file) but of the same safe
// types, and plain text only for what a system returned.
const (
	// MaxDocuments bounds the documents one case holds, the requester's
	// included.
	MaxDocuments = 200
	// MaxDocumentSize bounds one document staff add, in bytes.
	MaxDocumentSize = 25 << 20
	// MaxDocumentSource bounds the name of the system a document came from.
	MaxDocumentSource = MaxSearchSource
	// MaxDisclosureReason bounds a caseworker's note on a decision.
	MaxDisclosureReason = MaxDetail
)

// MediaText is plain UTF-8 text (a CSV export is text too): accepted only
// for collected records and their redacted versions.
const MediaText = "text/plain; charset=utf-8"

// DocumentSniffBytes is how much of a document SniffDocumentType needs.
const DocumentSniffBytes = 512

// SniffDocumentType is SniffMediaType, or MediaText when the first bytes
// are text (valid UTF-8 without control characters other than tabs, line
// and page breaks). Text is judged by its head only here; the rest is
// checked as it is stored (TextProblem).
func SniffDocumentType(head []byte) string {
	if media := SniffMediaType(head); media != "" {
		return media
	}
	if len(head) > 0 && TextProblem(head, true) == "" {
		return MediaText
	}
	return ""
}

// TextProblem says why b is not plain text, or "". partial allows b to end
// part-way through a character, as a chunk of a longer text may.
func TextProblem(b []byte, partial bool) string {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			if partial && !utf8.FullRune(b) {
				return ""
			}
			return "is not UTF-8 text"
		}
		if unicode.IsControl(r) && !strings.ContainsRune("\t\n\r\f", r) {
			return "holds binary data"
		}
		b = b[size:]
	}
	return ""
}

// KindAccepts says whether a document of kind may have mediaType.
func KindAccepts(kind DocumentKind, mediaType string) bool {
	if slices.Contains(MediaTypes, mediaType) {
		return true
	}
	return mediaType == MediaText && (kind == DocumentCollectedRecord || kind == DocumentRedactedVersion)
}

// CheckDocumentType refuses a document whose content is not of a type its
// kind accepts; name is its sanitised name.
func CheckDocumentType(kind DocumentKind, name, mediaType string) error {
	if KindAccepts(kind, mediaType) {
		return nil
	}
	if kind == DocumentCollectedRecord || kind == DocumentRedactedVersion {
		return fault.Invalid("file", "%s is not a PDF, JPEG, PNG or plain text file", name)
	}
	return fault.Invalid("file", "%s is not a PDF, JPEG or PNG file", name)
}

// DocumentTooLarge is the error for a document over MaxDocumentSize.
func DocumentTooLarge(name string) error {
	return fault.Invalid("file", "%s is larger than %d MB", name, MaxDocumentSize>>20)
}

// DocumentSpec is what staff say about a document they add, checked by
// CheckDocumentSpec before its bytes are stored and again by AddDocument.
type DocumentSpec struct {
	Kind        DocumentKind
	Source      string
	SearchID    string
	RedactionOf string
}

// CheckDocumentSpec checks what can be checked of a document before its
// bytes are read: the kind, the source a collected record needs, and that
// the search and document it names are on the case.
func (c *Case) CheckDocumentSpec(spec DocumentSpec) error {
	var v []fault.FieldViolation
	if !slices.Contains(DocumentKinds, spec.Kind) {
		v = append(v, fault.FieldViolation{Field: "kind", Description: "choose what kind of document this is"})
	}
	missing := ""
	if spec.Kind == DocumentCollectedRecord {
		missing = "name the system or team the record came from"
	}
	checkText(&v, "source", strings.TrimSpace(spec.Source), MaxDocumentSource, line, missing)
	if spec.SearchID != "" && !slices.ContainsFunc(c.Searches, func(s Search) bool { return s.ID == spec.SearchID && s.Kind == SearchDone }) {
		v = append(v, fault.FieldViolation{Field: "search_id", Description: "choose a search recorded on this case"})
	}
	switch {
	case spec.Kind == DocumentRedactedVersion && spec.RedactionOf == "":
		v = append(v, fault.FieldViolation{Field: "redaction_of", Description: "choose the collected record this redacts"})
	case spec.Kind != DocumentRedactedVersion && spec.RedactionOf != "":
		v = append(v, fault.FieldViolation{Field: "redaction_of", Description: "only a redacted version redacts another document"})
	case spec.RedactionOf != "":
		if original, ok := c.Document(spec.RedactionOf); !ok || original.Kind != DocumentCollectedRecord {
			v = append(v, fault.FieldViolation{Field: "redaction_of", Description: "choose a collected record on this case"})
		}
	}
	if err := invalidIf(v); err != nil {
		return err
	}
	if !c.Open() {
		return c.illegal("add a document to")
	}
	return c.checkRoom(c.DocumentCount(), MaxDocuments, "documents")
}

// AddDocument records a document staff added, already in the document
// store.
type AddDocument struct {
	DocumentSpec
	File File
}

// Action implements Command.
func (AddDocument) Action() string { return "case.document_added" }

func (cmd AddDocument) apply(c *Case, env Env) (map[string]any, error) {
	if err := c.CheckDocumentSpec(cmd.DocumentSpec); err != nil {
		return nil, err
	}
	f := cmd.File
	if err := checkStoredFile(f, "file", MaxDocumentSize); err != nil {
		return nil, err
	}
	if err := CheckDocumentType(cmd.Kind, f.Name, f.MediaType); err != nil {
		return nil, err
	}
	f.ID, f.ReceivedOn = c.nextDocumentID(0), env.Today().String()
	d := Document{
		File: f, Kind: cmd.Kind, Source: strings.TrimSpace(cmd.Source), AddedBy: env.Actor, Added: env.Now,
		SearchID: cmd.SearchID, RedactionOf: cmd.RedactionOf,
	}
	c.Documents = append(c.Documents, d)
	return map[string]any{"document": d.ID + " " + d.Name + " sha256:" + d.SHA256}, nil
}

// auditFields names the document and its kind, which are not personal.
func (cmd AddDocument) auditFields(c *Case) map[string]string {
	d := c.Documents[len(c.Documents)-1]
	return map[string]string{"document": d.ID, "kind": string(d.Kind), "redaction_of": d.RedactionOf, "search_id": d.SearchID}
}

// DecideDisclosure records what the response does with a collected record:
// disclose it, disclose a redacted version, or withhold it. Anything less
// than disclosing it whole rests on an exemption; a new decision replaces
// the last (the audit trail keeps every one).
type DecideDisclosure struct {
	Document  string
	Decision  DisclosureDecision
	Exemption string
	Reason    string
}

// Action implements Command.
func (DecideDisclosure) Action() string { return "case.disclosure_decided" }

func (cmd DecideDisclosure) apply(c *Case, env Env) (map[string]any, error) {
	i := slices.IndexFunc(c.Documents, func(d Document) bool { return d.ID == cmd.Document })
	if i < 0 {
		return nil, &fault.NotFound{Resource: "document", Name: c.Name() + "/documents/" + cmd.Document}
	}
	reason := strings.TrimSpace(cmd.Reason)
	var v []fault.FieldViolation
	switch cmd.Decision {
	case Disclose:
		if cmd.Exemption != "" {
			v = append(v, fault.FieldViolation{Field: "exemption", Description: "a record disclosed whole relies on no exemption"})
		}
	case DiscloseRedacted, Withhold:
		if cmd.Exemption == "" {
			v = append(v, fault.FieldViolation{Field: "exemption", Description: "choose the exemption relied on"})
		} else if _, ok := ExemptionByCode(cmd.Exemption); !ok {
			v = append(v, fault.FieldViolation{Field: "exemption", Description: "choose an exemption from the list"})
		}
	default:
		v = append(v, fault.FieldViolation{Field: "decision", Description: "choose disclose, disclose redacted or withhold"})
	}
	checkText(&v, "reason", reason, MaxDisclosureReason, paragraph, "")
	if err := invalidIf(v); err != nil {
		return nil, err
	}
	if !c.Open() {
		return nil, c.illegal("decide on a document of")
	}
	if kind := c.Documents[i].Kind; kind != DocumentCollectedRecord {
		return nil, &fault.FailedPrecondition{Subject: c.Name(), Description: fmt.Sprintf(
			"document %s is %s; decisions are made on collected records", cmd.Document, strings.ReplaceAll(string(kind), "_", " "))}
	}
	c.Documents[i].Disclosure = &Disclosure{Decision: cmd.Decision, Exemption: cmd.Exemption, Reason: reason, By: env.Actor, On: env.Now}
	if reason == "" {
		return nil, nil
	}
	return map[string]any{"reason": reason}, nil
}

// auditFields are the decision in ids and codes, which are not personal.
func (cmd DecideDisclosure) auditFields(*Case) map[string]string {
	return map[string]string{"document": cmd.Document, "decision": string(cmd.Decision), "exemption": cmd.Exemption}
}

// Document finds a document of the case by its id: one in Documents, or a
// requester's file from before documents were listed (only in Exchanges).
func (c *Case) Document(id string) (Document, bool) {
	for _, d := range c.Documents {
		if d.ID == id {
			return d, true
		}
	}
	if f, ok := c.File(id); ok {
		return Document{File: f, Kind: DocumentOther, AddedBy: RequesterActor}, true
	}
	return Document{}, false
}

// DocumentCount is how many documents the case holds: those listed, and
// any requester's file from before documents were listed.
func (c *Case) DocumentCount() int {
	n := len(c.Documents)
	for _, e := range c.Exchanges {
		for _, f := range e.Files {
			if !slices.ContainsFunc(c.Documents, func(d Document) bool { return d.ID == f.ID }) {
				n++
			}
		}
	}
	return n
}

// nextDocumentID is the id of the document skip places after the case's
// last: d1, d2 and so on, one sequence for the requester's files and
// staff's, so an id names one document.
func (c *Case) nextDocumentID(skip int) string {
	return fmt.Sprintf("d%d", c.DocumentCount()+skip+1)
}

// RedactionsOf are the redacted versions of document id, oldest first.
func (c *Case) RedactionsOf(id string) []Document {
	var out []Document
	for _, d := range c.Documents {
		if d.Kind == DocumentRedactedVersion && d.RedactionOf == id {
			out = append(out, d)
		}
	}
	return out
}

// ExemptionsRelied are the exemptions the case's decisions rely on, in the
// order of the Exemptions list, each once.
func (c *Case) ExemptionsRelied() []Exemption {
	var out []Exemption
	for _, e := range Exemptions {
		if slices.ContainsFunc(c.Documents, func(d Document) bool { return d.Disclosure != nil && d.Disclosure.Exemption == e.Code }) {
			out = append(out, e)
		}
	}
	return out
}

// PartialRefusal reports whether anything collected is withheld or
// disclosed only in part: the response is then a partial refusal and
// says which exemptions it relies on.
func (c *Case) PartialRefusal() bool {
	return slices.ContainsFunc(c.Documents, func(d Document) bool {
		return d.Disclosure != nil && d.Disclosure.Decision != Disclose
	})
}

// requesterDocumentKind is what a document the requester sends now is:
// evidence of identity while the case waits for it (of authority to act,
// from a representative), anything else otherwise.
func (c *Case) requesterDocumentKind() DocumentKind {
	switch {
	case c.State != StateAwaitingRequester || c.WaitingFor != WaitingForIdentity:
		return DocumentOther
	case c.Requester.Relationship == RelationshipRepresentative:
		return DocumentAuthority
	}
	return DocumentIdentityEvidence
}
