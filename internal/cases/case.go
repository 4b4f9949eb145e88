package cases

import (
	"strconv"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// State is where a case is in its lifecycle.
type State string

const (
	StateNew               State = "new"
	StateAwaitingRequester State = "awaiting_requester"
	StateInProgress        State = "in_progress"
	StateClosed            State = "closed"
)

// States lists every state in lifecycle order.
var States = []State{StateNew, StateAwaitingRequester, StateInProgress, StateClosed}

// WaitingFor is what an AWAITING_REQUESTER case waits for.
type WaitingFor string

const (
	WaitingForNothing       WaitingFor = ""
	WaitingForIdentity      WaitingFor = "identity"
	WaitingForClarification WaitingFor = "clarification"
	WaitingForFee           WaitingFor = "fee"
)

// Channel is how a request arrived.
type Channel string

const (
	ChannelWeb      Channel = "web"
	ChannelEmail    Channel = "email"
	ChannelPost     Channel = "post"
	ChannelPhone    Channel = "phone"
	ChannelInPerson Channel = "in_person"
	ChannelAPI      Channel = "api"
)

// Channels lists every channel.
var Channels = []Channel{ChannelWeb, ChannelEmail, ChannelPost, ChannelPhone, ChannelInPerson, ChannelAPI}

// Relationship is who is asking relative to the data subject.
type Relationship string

const (
	RelationshipSelf           Relationship = "self"
	RelationshipRepresentative Relationship = "representative"
)

// OutcomeKind is how a case ended.
type OutcomeKind string

const (
	OutcomeFulfilled          OutcomeKind = "fulfilled"
	OutcomePartiallyFulfilled OutcomeKind = "partially_fulfilled"
	OutcomeRefused            OutcomeKind = "refused"
	OutcomeWithdrawn          OutcomeKind = "withdrawn"
	OutcomePassedToController OutcomeKind = "passed_to_controller"
	OutcomeSelfService        OutcomeKind = "self_service"
	// OutcomeDuplicate closes a case that repeats another, which goes on in
	// its place (see MergeInto).
	OutcomeDuplicate OutcomeKind = "duplicate"
)

// OutcomeKinds lists the outcomes a case is closed with by Close; a
// duplicate is closed by MergeInto instead.
var OutcomeKinds = []OutcomeKind{OutcomeFulfilled, OutcomePartiallyFulfilled, OutcomeRefused, OutcomeWithdrawn, OutcomePassedToController, OutcomeSelfService}

// RefusalReason is the fixed list of grounds for refusing.
type RefusalReason string

// RefusalReasons lists every ground a refusal may cite.
var RefusalReasons = []RefusalReason{
	"manifestly_unfounded", "manifestly_excessive", "exemption_applies", "right_not_applicable",
	"identity_not_verified", "no_personal_data_held", "other",
}

// TaskKind is a kind of follow-up work.
type TaskKind string

const (
	TaskArticle19       TaskKind = "article_19_notification"
	TaskExtensionNotice TaskKind = "extension_notice"
)

// TaskState is whether a task is done.
type TaskState string

const (
	TaskOpen       TaskState = "open"
	TaskDone       TaskState = "done"
	TaskImpossible TaskState = "impossible"
)

// IdentityStatus is where identity verification stands.
type IdentityStatus string

const (
	IdentityNotRequested IdentityStatus = "not_requested"
	IdentityRequested    IdentityStatus = "requested"
	// IdentityReceived is proof the requester sent in answer to a request
	// for it: the clock starts again from the day it arrived, but nobody
	// has yet checked that it proves who they are (ConfirmIdentity does).
	IdentityReceived IdentityStatus = "received"
	IdentityVerified IdentityStatus = "verified"
)

// FeeStatus is where a fee stands.
type FeeStatus string

const (
	FeeNotRequired FeeStatus = "not_required"
	FeeRequested   FeeStatus = "requested"
	FeeReceived    FeeStatus = "received"
)

// Person is someone and how to reach them. It is personal data.
type Person struct {
	Name          string `json:"name"`
	Email         string `json:"email,omitempty"`
	Phone         string `json:"phone,omitempty"`
	PostalAddress string `json:"postal_address,omitempty"`
}

// Requester is who made the request. It is personal data.
type Requester struct {
	Person       Person       `json:"person"`
	Relationship Relationship `json:"relationship"`
	DataSubject  *Person      `json:"data_subject,omitempty"`
	Authority    string       `json:"authority,omitempty"`
}

// RequestedRight is a right asked for and what the case's notices said
// about it when the request was received: the most favourable answer of
// any of them (empty while the case names no notice), and each one's.
type RequestedRight struct {
	Right        notice.Right        `json:"right"`
	Availability notice.Availability `json:"availability"`
	Condition    string              `json:"condition,omitempty"`
	Reason       string              `json:"reason"`
	PerNotice    []NoticeEvaluation  `json:"per_notice,omitempty"`
}

// NoticeEvaluation is what one notice says about a requested right.
type NoticeEvaluation struct {
	NoticeID     string              `json:"notice_id"`
	Availability notice.Availability `json:"availability"`
	Condition    string              `json:"condition,omitempty"`
	Reason       string              `json:"reason"`
}

// Clarification is one pause of the clock.
type Clarification struct {
	Asked    string `json:"asked"`
	Answered string `json:"answered,omitempty"`
}

// Extension is a lengthened deadline.
type Extension struct {
	GrantedOn string `json:"granted_on"`
	Reason    string `json:"reason"`
	Months    int    `json:"months"`
}

// Outcome is how a case closed.
type Outcome struct {
	Kind          OutcomeKind   `json:"kind"`
	RefusalReason RefusalReason `json:"refusal_reason,omitempty"`
	Detail        string        `json:"detail,omitempty"`
	ClosedOn      string        `json:"closed_on"`
	OnTime        bool          `json:"on_time"`
	// DuplicateOf is the case a duplicate was merged into.
	DuplicateOf string `json:"duplicate_of,omitempty"`
	// ActionTaken is what was done for a right other than access, as staff
	// recorded it on closing (Close.ActionTaken).
	ActionTaken string `json:"action_taken,omitempty"`
	// Override is an administrator's close past the guard-rails (review.go).
	Override *ClosureOverride `json:"override,omitempty"`
}

// Task is follow-up work.
type Task struct {
	ID        string   `json:"id"`
	Kind      TaskKind `json:"kind"`
	Recipient string   `json:"recipient,omitempty"`
	// Email is, for an Article 19 task done by letter, the address the
	// recipient was written to.
	Email       string    `json:"email,omitempty"`
	State       TaskState `json:"state"`
	Due         string    `json:"due,omitempty"`
	Resolution  string    `json:"resolution,omitempty"`
	CompletedBy string    `json:"completed_by,omitempty"`
	CompletedOn string    `json:"completed_on,omitempty"`
}

// Note is a caseworker's note. Created is when it was written; On the date
// it is about, which may be earlier.
type Note struct {
	ID      string    `json:"id"`
	Author  string    `json:"author"`
	Created time.Time `json:"created"`
	On      string    `json:"on,omitempty"`
	Text    string    `json:"text"`
	// RequestID is the client's id for the request that added the note,
	// so that a retry adds no second one (Repeats).
	RequestID string `json:"request_id,omitempty"`
}

// ExchangeKind says which way an exchange with the requester went.
type ExchangeKind string

const (
	// ExchangeAsked is something asked of the requester.
	ExchangeAsked ExchangeKind = "asked"
	// ExchangeReplied is the requester's answer, or a message they sent
	// unasked.
	ExchangeReplied ExchangeKind = "replied"
	// ExchangeWithdrew is the requester withdrawing the request, with
	// their reason if they gave one.
	ExchangeWithdrew ExchangeKind = "withdrew"
)

// Exchange is one thing asked of the requester (identity, clarification, a
// fee) or their answer, in their and our words, so the case page shows what
// was asked and what came back. It is personal data.
type Exchange struct {
	Kind   ExchangeKind `json:"kind"`
	What   WaitingFor   `json:"what"`
	On     string       `json:"on"`
	Detail string       `json:"detail,omitempty"`
	By     string       `json:"by"`
	// Files are the documents the requester sent with a reply.
	Files []File `json:"files,omitempty"`
}

// Step is one line of a deadline explanation.
type Step struct {
	Text string `json:"text"`
	Date string `json:"date,omitempty"`
}

// Clock is the statutory clock of a case as last computed.
type Clock struct {
	RuleSet           string `json:"rule_set"`
	Start             string `json:"start"`
	StatutoryDue      string `json:"statutory_due"`
	ExtendedDue       string `json:"extended_due,omitempty"`
	ExtensionNoticeBy string `json:"extension_notice_by"`
	Due               string `json:"due"`
	Paused            bool   `json:"paused,omitempty"`
	PausedSince       string `json:"paused_since,omitempty"`
	PausedDays        int    `json:"paused_days,omitempty"`
	Steps             []Step `json:"steps"`
}

// Case is a data-subject rights request.
type Case struct {
	ID              string `json:"id"`
	Reference       string `json:"reference"`
	StatusTokenHash []byte `json:"status_token_hash"`
	RequestID       string `json:"request_id,omitempty"`
	// Notices are the privacy notices the request is about, each pinned to
	// the version in force when it was received; none while staff have yet
	// to triage a request about "everything you hold".
	Notices     []CaseNotice     `json:"notices,omitempty"`
	Rights      []RequestedRight `json:"rights"`
	Description string           `json:"description,omitempty"`
	Requester   Requester        `json:"requester"`
	Channel     Channel          `json:"channel"`
	// Region is the bank-holiday calendar the clock counts working days
	// in: the handling office's, from the organisation's configuration,
	// unless staff chose another for this case, saying why in RegionReason.
	Region       string     `json:"region"`
	RegionReason string     `json:"region_reason,omitempty"`
	ReceivedOn   string     `json:"received_on"`
	State        State      `json:"state"`
	WaitingFor   WaitingFor `json:"waiting_for,omitempty"`
	Assignee     string     `json:"assignee,omitempty"`

	IdentityStatus      IdentityStatus  `json:"identity_status"`
	IdentityRequestedOn string          `json:"identity_requested_on,omitempty"`
	IdentityReceivedOn  string          `json:"identity_received_on,omitempty"`
	FeeStatus           FeeStatus       `json:"fee_status"`
	FeeRequestedOn      string          `json:"fee_requested_on,omitempty"`
	FeeReceivedOn       string          `json:"fee_received_on,omitempty"`
	Clarifications      []Clarification `json:"clarifications,omitempty"`
	Extension           *Extension      `json:"extension,omitempty"`

	Clock     Clock      `json:"clock"`
	Outcome   *Outcome   `json:"outcome,omitempty"`
	Tasks     []Task     `json:"tasks,omitempty"`
	Notes     []Note     `json:"notes,omitempty"`
	Exchanges []Exchange `json:"exchanges,omitempty"`
	// Messages are the letters sent to the requester (see Correspondence).
	Messages []Message `json:"messages,omitempty"`
	// NewReply is set when the requester replies or withdraws, until a
	// member of staff acknowledges it (AcknowledgeReply).
	NewReply bool     `json:"new_reply,omitempty"`
	Searches []Search `json:"searches,omitempty"`
	// SearchRequests are the requests to data owners to search their
	// systems (searchrequest.go).
	SearchRequests []SearchRequest `json:"search_requests,omitempty"`
	// Links are the ids of other cases staff found to be about the same
	// person or matter, each linked both ways.
	Links           []string      `json:"links,omitempty"`
	OtherController *notice.Party `json:"other_controller,omitempty"`
	// Documents are the files the response is made of (documents.go).
	Documents []Document `json:"documents,omitempty"`
	// Review is the response pack's four-eyes review (review.go).
	Review *Review `json:"review,omitempty"`
	// Delivery is how the released pack reached the requester online
	// (delivery.go).
	Delivery *PackDelivery `json:"delivery,omitempty"`
	// LegalHold keeps the case past its retention period (retention.go).
	LegalHold *LegalHold `json:"legal_hold,omitempty"`
	// Purged marks a tombstone: the personal data was destroyed.
	Purged *Purged `json:"purged,omitempty"`

	Version int64     `json:"version"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// Etag is the opaque version clients send back for a conditional update.
func (c *Case) Etag() string { return strconv.FormatInt(c.Version, 10) }

// Open reports whether the case still needs work.
func (c *Case) Open() bool { return c.State != StateClosed }

// Name is the case's resource name.
func (c *Case) Name() string { return "cases/" + c.ID }
