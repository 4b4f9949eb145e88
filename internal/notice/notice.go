package notice

import (
	"fmt"
	"slices"
	"time"
)

// Notice is a privacy notice with every version that has been in force.
type Notice struct {
	ID       string    `json:"id"`
	Versions []Version `json:"versions"` // ascending by Number; the last one is current
}

// Current returns the newest version.
func (n *Notice) Current() *Version {
	return &n.Versions[len(n.Versions)-1]
}

// Version returns version number v, or false when the notice has no such version.
func (n *Notice) Version(v int) (*Version, bool) {
	for i := range n.Versions {
		if n.Versions[i].Number == v {
			return &n.Versions[i], true
		}
	}
	return nil, false
}

// InForceOn returns the version a person would have read on the given
// ISO date (YYYY-MM-DD): the newest version effective on or before it, or the
// first version when the date precedes them all (the request still cites it).
func (n *Notice) InForceOn(isoDate string) *Version {
	in := &n.Versions[0]
	for i := range n.Versions {
		if n.Versions[i].EffectiveFrom <= isoDate {
			in = &n.Versions[i]
		}
	}
	return in
}

// Version is the content of a notice as published from a given date.
type Version struct {
	Number        int    `json:"number"`
	EffectiveFrom string `json:"effective_from"` // ISO date
	Source        Source `json:"source"`

	Title              string            `json:"title"`
	Summary            string            `json:"summary,omitempty"` // our own one-line description, for people choosing a notice
	Controller         Party             `json:"controller"`
	DPO                Party             `json:"dpo"`
	PrivacyTeam        *Party            `json:"privacy_team,omitempty"`
	ComplaintAuthority Party             `json:"complaint_authority"`
	Audiences          []Audience        `json:"audiences,omitempty"`
	Contexts           []Context         `json:"contexts"`
	Recipients         []Recipient       `json:"recipients,omitempty"`
	Retention          []RetentionRule   `json:"retention,omitempty"`
	Transfers          []Transfer        `json:"transfers,omitempty"`
	Rights             []DeclaredRight   `json:"rights"`
	Children           *ChildrenPolicy   `json:"children,omitempty"`
	Extra              map[string]string `json:"extra,omitempty"` // facts with no field yet, kept rather than dropped
}

// Context returns the processing context with the given id.
func (v *Version) Context(id string) (*Context, bool) {
	for i := range v.Contexts {
		if v.Contexts[i].ID == id {
			return &v.Contexts[i], true
		}
	}
	return nil, false
}

// Source records where a version's facts came from.
type Source struct {
	Kind      string `json:"kind"` // "built-in" or "import"
	Document  string `json:"document"`
	Published string `json:"published,omitempty"` // ISO date the publisher gives
	Updated   string `json:"updated,omitempty"`
	Digest    string `json:"digest,omitempty"` // sha256 of the imported text
}

// Provenance points at the part of the source a fact came from, without
// copying its words.
type Provenance struct {
	Section    string  `json:"section,omitempty"`
	Line       int     `json:"line,omitempty"`     // 1-based line in the source document
	EndLine    int     `json:"end_line,omitempty"` // last line of a fact that spans several; 0 = Line
	Confidence float64 `json:"confidence,omitempty"`
}

// Party is an organisation or office and how to reach it.
type Party struct {
	Name    string `json:"name"`
	Address string `json:"address,omitempty"`
	Email   string `json:"email,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Web     string `json:"web,omitempty"`
	// Provenance points at where the notice names the party, so a finding
	// about it (named but unreachable) can point there too.
	Provenance *Provenance `json:"provenance,omitempty"`
}

// Role says whether the organisation running Rightsdesk is the controller or
// only a processor for an audience.
type Role string

const (
	RoleController Role = "controller"
	RoleProcessor  Role = "processor"
)

// Audience is a group of data subjects with its own controller arrangement.
// A request from an audience where we are only the processor is passed to
// its controller.
type Audience struct {
	ID         string     `json:"id"`
	Label      string     `json:"label"`
	Role       Role       `json:"role"`
	Controller Party      `json:"controller"`
	Provenance Provenance `json:"provenance"`
}

// Basis is an Article 6 lawful basis.
type Basis string

const (
	BasisConsent         Basis = "consent"          // Art 6(1)(a)
	BasisContract        Basis = "contract"         // Art 6(1)(b)
	BasisLegalObligation Basis = "legal_obligation" // Art 6(1)(c)
	BasisVitalInterests  Basis = "vital_interests"  // Art 6(1)(d)
	BasisPublicTask      Basis = "public_task"      // Art 6(1)(e)
	// BasisRecognisedLegitimateInterests is Art 6(1)(ea), processing
	// necessary for a recognised legitimate interest listed in Annex 1
	// (crime, safeguarding, national security, emergencies, disclosures to
	// public bodies), inserted by the Data (Use and Access) Act 2025 s.70 and
	// Schedule 4 from 5 February 2026 (see DUAACommencement). Unlike (f) it
	// needs no balancing test.
	BasisRecognisedLegitimateInterests Basis = "recognised_legitimate_interests"
	BasisLegitimateInterests           Basis = "legitimate_interests" // Art 6(1)(f)
	// BasisUnstated is a context the notice pairs with no Article 6 basis
	// (Art 13(1)(c) requires one): the notice is kept as published, and lint
	// reports the gap rather than the importer guessing a basis.
	BasisUnstated Basis = ""
)

// Bases lists every lawful basis in Article 6(1) order: (a)–(e), (ea), (f).
var Bases = []Basis{BasisConsent, BasisContract, BasisLegalObligation, BasisVitalInterests, BasisPublicTask,
	BasisRecognisedLegitimateInterests, BasisLegitimateInterests}

// Art6Point is the point of Article 6(1) a basis is, e.g. "e" or "ea".
func Art6Point(b Basis) string {
	switch b {
	case BasisRecognisedLegitimateInterests:
		return "ea"
	case BasisLegitimateInterests:
		return "f"
	}
	if i := slices.Index(Bases, b); i >= 0 {
		return string(rune('a' + i))
	}
	return ""
}

// Context is one processing activity with its own lawful basis.
type Context struct {
	ID             string           `json:"id"`
	Name           string           `json:"name"`
	Purposes       []string         `json:"purposes,omitempty"`
	DataCategories []string         `json:"data_categories,omitempty"`
	Basis          Basis            `json:"basis"`
	Special        *SpecialCategory `json:"special_category,omitempty"`
	// Automated is true when the processing is carried out by automated
	// means (Art 20(1)(b)); portability needs it.
	Automated bool `json:"automated"`
	// SolelyAutomatedDecisions is true when decisions with legal or similarly
	// significant effects are made without human involvement (Art 22, or
	// Articles 22A–22D from 5 February 2026).
	SolelyAutomatedDecisions bool `json:"solely_automated_decisions,omitempty"`
	// Criminal is set when the context processes personal data about
	// criminal convictions and offences, alleged ones included (Art 10).
	Criminal   *CriminalOffenceData `json:"criminal_offence_data,omitempty"`
	Provenance Provenance           `json:"provenance"`
}

// CriminalOffenceData records Article 10 data and the authority for it:
// official authority, or a condition in DPA 2018 Schedule 1 Parts 1–3
// (DPA 2018 s.10(5)); empty when the notice names none.
type CriminalOffenceData struct {
	Condition string `json:"condition"`
}

// SpecialCategory records Article 9 data and the condition relied on.
type SpecialCategory struct {
	Categories []string `json:"categories"`
	Condition  string   `json:"condition"` // e.g. "Art 9(2)(b) employment law"
}

// Recipient is someone personal data is disclosed to; each one named here
// gets an Article 19 notification task after rectification, erasure or
// restriction.
type Recipient struct {
	Name       string     `json:"name"`
	Kind       string     `json:"kind"`            // "processor", "supplier", "internal", "other users"
	Scope      []string   `json:"scope,omitempty"` // context ids; empty = all processing
	Provenance Provenance `json:"provenance"`
}

// RetentionRule is how long data is kept, as words and, where the notice
// gives one, a structured period.
type RetentionRule struct {
	Scope       []string `json:"scope,omitempty"`
	Description string   `json:"description"` // our own paraphrase
	Months      int      `json:"months,omitempty"`
	// Days holds a period the notice states in days or weeks ("7 days",
	// "2 years and 60 days"), which whole months would round: a week is not
	// a month. Months and Days add up when both are set.
	Days        int        `json:"days,omitempty"`
	After       string     `json:"after,omitempty"`         // the trigger the period runs from, e.g. "leaving the department"
	Until       string     `json:"until,omitempty"`         // ISO date when the rule is a fixed end
	ReviewEvery int        `json:"review_months,omitempty"` // periodic review, in months
	Provenance  Provenance `json:"provenance"`
}

// Transfer is an international transfer and its safeguard.
type Transfer struct {
	Destination string     `json:"destination"`
	Safeguard   string     `json:"safeguard"`
	Provenance  Provenance `json:"provenance"`
}

// ChildrenPolicy records what a notice says about children's data.
type ChildrenPolicy struct {
	NotKnowinglyUnder int        `json:"not_knowingly_under"`
	Provenance        Provenance `json:"provenance"`
}

// Right is a data-subject right.
type Right string

const (
	RightAccess                   Right = "access"
	RightRectification            Right = "rectification"
	RightErasure                  Right = "erasure"
	RightRestriction              Right = "restriction"
	RightObjection                Right = "objection"
	RightObjectionDirectMarketing Right = "objection_direct_marketing"
	RightWithdrawConsent          Right = "withdraw_consent"
	RightPortability              Right = "portability"
	RightAutomatedDecisionReview  Right = "automated_decision_review"
)

// Rights lists every right in the order the API and forms present them.
var Rights = []Right{
	RightAccess, RightRectification, RightErasure, RightRestriction, RightObjection,
	RightObjectionDirectMarketing, RightWithdrawConsent, RightPortability, RightAutomatedDecisionReview,
}

// Valid reports whether r is a known right.
func (r Right) Valid() bool { return slices.Contains(Rights, r) }

// Qualifier keeps the hedge a notice put on a right; it changes what a
// caseworker tells the requester.
type Qualifier string

const (
	QualifierNone                Qualifier = ""
	QualifierMay                 Qualifier = "may"                   // "you may have the right"
	QualifierCertainCircumstance Qualifier = "certain_circumstances" // "in certain circumstances"
)

// ChannelKind is how the notice tells people to exercise a right.
type ChannelKind string

const (
	ChannelEmail       ChannelKind = "email"
	ChannelSelfService ChannelKind = "self_service"
	ChannelOptOut      ChannelKind = "opt_out"
	ChannelContact     ChannelKind = "contact"
)

// Channel is a specific route the notice names for a right.
type Channel struct {
	Kind        ChannelKind `json:"kind"`
	Address     string      `json:"address,omitempty"`
	Description string      `json:"description"`
}

// DeclaredRight is one right as the notice states it.
type DeclaredRight struct {
	Right         Right      `json:"right"`
	Scope         []string   `json:"scope,omitempty"` // context ids; empty = all processing
	Qualifier     Qualifier  `json:"qualifier,omitempty"`
	QualifierText string     `json:"qualifier_text,omitempty"` // our paraphrase, e.g. "for example, where accuracy is contested"
	Channel       *Channel   `json:"channel,omitempty"`
	Provenance    Provenance `json:"provenance"`
	// ScopeText is how the notice itself limits the right ("in relation to
	// satisfaction surveys"), kept so a limit that names no processing context
	// stays visible instead of silently widening to all processing.
	ScopeText string `json:"scope_text,omitempty"`
	// Completion marks a rectification declaration that is the second
	// sentence of Article 16 — completing incomplete data, including by a
	// supplementary statement — stated apart from correcting inaccuracies.
	Completion bool `json:"completion,omitempty"`
}

// Covers reports whether the declaration applies to the context.
func (d DeclaredRight) Covers(contextID string) bool {
	return len(d.Scope) == 0 || slices.Contains(d.Scope, contextID)
}

// Validate checks the structural invariants every stored version holds.
func (v *Version) Validate() error {
	if v.Number < 1 {
		return fmt.Errorf("version number %d: must be 1 or more", v.Number)
	}
	if _, err := time.Parse(time.DateOnly, v.EffectiveFrom); err != nil {
		return fmt.Errorf("version %d: effective_from %q is not a date (YYYY-MM-DD)", v.Number, v.EffectiveFrom)
	}
	if v.Title == "" {
		return fmt.Errorf("version %d: title is required", v.Number)
	}
	if len(v.Contexts) == 0 {
		return fmt.Errorf("version %d: at least one processing context is required", v.Number)
	}
	ids := map[string]bool{}
	for _, c := range v.Contexts {
		if c.ID == "" || ids[c.ID] {
			return fmt.Errorf("version %d: context id %q is empty or repeated", v.Number, c.ID)
		}
		if c.Basis != BasisUnstated && !slices.Contains(Bases, c.Basis) {
			return fmt.Errorf("version %d: context %q has unknown lawful basis %q", v.Number, c.ID, c.Basis)
		}
		ids[c.ID] = true
	}
	for _, d := range v.Rights {
		if !d.Right.Valid() {
			return fmt.Errorf("version %d: unknown right %q", v.Number, d.Right)
		}
		if err := checkScope(ids, "right "+string(d.Right), d.Scope); err != nil {
			return fmt.Errorf("version %d: %w", v.Number, err)
		}
	}
	for _, r := range v.Recipients {
		if err := checkScope(ids, "recipient "+r.Name, r.Scope); err != nil {
			return fmt.Errorf("version %d: %w", v.Number, err)
		}
	}
	for _, r := range v.Retention {
		if err := checkScope(ids, "retention rule", r.Scope); err != nil {
			return fmt.Errorf("version %d: %w", v.Number, err)
		}
	}
	return nil
}

func checkScope(contexts map[string]bool, what string, scope []string) error {
	for _, id := range scope {
		if !contexts[id] {
			return fmt.Errorf("%s is scoped to unknown context %q", what, id)
		}
	}
	return nil
}
