package cases

import "time"

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
