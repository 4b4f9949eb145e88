package cases

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// A response pack is checked by a second person before it is released to
// the requester: the caseworker submits it, a different member of staff with
// the caseworker role approves it or returns it with comments, and only an
// approved pack can be released. Review holds where the pack stands and
// every step taken, so the case shows who did what.
//
// An approval is of the documents and decisions as they stood: the step
// keeps a fingerprint of them (PackFingerprint), and once they change the
// approval, and any release made on it, counts for nothing (ReviewChanged)
// until the pack is submitted and approved again. Comments are kept here,
// in the sealed case record, and never in the audit event, which carries
// only the states and who acted.

// ReviewState is where a response pack stands.
type ReviewState string

const (
	ReviewSubmitted ReviewState = "submitted"
	ReviewReturned  ReviewState = "returned"
	ReviewApproved  ReviewState = "approved"
	ReviewReleased  ReviewState = "released"
	// ReviewNotSubmitted is a pack never submitted (no Review yet).
	ReviewNotSubmitted ReviewState = "not_submitted"
	// ReviewChanged is an approved or released pack whose documents or
	// decisions changed since the approval: it must be submitted again.
	ReviewChanged ReviewState = "changed"
)

// MaxReviewSteps bounds the steps one review holds, comments included, so
// a pack passed back and forth still fits the case.
const MaxReviewSteps = 60

// Review is the response pack's review; nil until first submitted.
type Review struct {
	State ReviewState  `json:"state"`
	Steps []ReviewStep `json:"steps"`
}

// ReviewStep is one submission, return, approval or release.
type ReviewStep struct {
	State ReviewState `json:"state"`
	By    string      `json:"by"`
	On    time.Time   `json:"on"`
	// Comments are the reviewer's, on a return (and optionally an approval).
	Comments string `json:"comments,omitempty"`
	// Fingerprint is, on an approval or release, PackFingerprint of the
	// documents and decisions approved.
	Fingerprint string `json:"fingerprint,omitempty"`
}

// last is the latest step in state, or nil.
func (r *Review) last(state ReviewState) *ReviewStep {
	for i := len(r.Steps) - 1; i >= 0; i-- {
		if r.Steps[i].State == state {
			return &r.Steps[i]
		}
	}
	return nil
}

// Submitter is who made the latest submission, "" before any.
func (r *Review) Submitter() string {
	if r == nil {
		return ""
	}
	if s := r.last(ReviewSubmitted); s != nil {
		return s.By
	}
	return ""
}

// PackState is where the response pack stands today: the review's state,
// ReviewNotSubmitted before any, and ReviewChanged for an approval or
// release whose documents or decisions have changed since.
func (c *Case) PackState() ReviewState {
	switch {
	case c.Review == nil:
		return ReviewNotSubmitted
	case c.Review.State == ReviewApproved || c.Review.State == ReviewReleased:
		if approved := c.Review.last(ReviewApproved); approved == nil || approved.Fingerprint != c.PackFingerprint() {
			return ReviewChanged
		}
	}
	return c.Review.State
}

// HasPack reports whether the case's response is a pack of documents
// reviewed before release: an access request's.
func (c *Case) HasPack() bool { return c.asks(notice.RightAccess) }

// PackReleased reports whether the requester may have the pack: it was
// released and nothing in it changed since it was approved.
func (c *Case) PackReleased() bool { return c.PackState() == ReviewReleased }

// inPack reports whether a document is part of what the review approves:
// everything but the requester's own identity evidence and authority,
// which never go into the pack.
func inPack(d *Document) bool {
	return d.Kind != DocumentIdentityEvidence && d.Kind != DocumentAuthority
}

// PackFingerprint is a SHA-256 over what a reviewer approves: each pack
// document's id, kind, content hash, what it redacts and the decision on
// it with its exemption. Any change to those changes it.
func (c *Case) PackFingerprint() string {
	h := sha256.New()
	for i := range c.Documents {
		d := &c.Documents[i]
		if !inPack(d) {
			continue
		}
		fields := []string{d.ID, string(d.Kind), d.SHA256, d.RedactionOf, "", ""}
		if d.Disclosure != nil {
			fields[4], fields[5] = string(d.Disclosure.Decision), d.Disclosure.Exemption
		}
		for _, f := range fields {
			// Length-prefixed, so no two lists of fields hash alike.
			fmt.Fprintf(h, "%d:%s", len(f), f)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// DisclosureProblems are the plain-English reasons the response pack
// cannot be submitted for review yet: a collected record with no decision,
// a record to disclose redacted with no redacted version, a record
// withheld or redacted with no exemption named. None means ready.
func (c *Case) DisclosureProblems() []string {
	var out []string
	for i := range c.Documents {
		d := &c.Documents[i]
		if d.Kind != DocumentCollectedRecord {
			continue
		}
		name := fmt.Sprintf("%q", d.Name)
		switch {
		case d.Disclosure == nil:
			out = append(out, name+" has no decision: disclose, disclose redacted or withhold")
			continue
		case d.Disclosure.Decision == DiscloseRedacted && !c.hasRedactionOf(d.ID):
			out = append(out, name+" is to be disclosed redacted but has no redacted version")
		}
		if d.Disclosure.Decision != Disclose && strings.TrimSpace(d.Disclosure.Exemption) == "" {
			out = append(out, fmt.Sprintf("%s is %s but names no exemption", name, decisionWords[d.Disclosure.Decision]))
		}
	}
	return out
}

var decisionWords = map[DisclosureDecision]string{
	Disclose: "disclosed", DiscloseRedacted: "redacted", Withhold: "withheld",
}

func (c *Case) hasRedactionOf(id string) bool {
	for i := range c.Documents {
		if d := &c.Documents[i]; d.RedactionOf == id && d.Kind == DocumentRedactedVersion {
			return true
		}
	}
	return false
}

// checkReviewComments checks a reviewer's comments; missing, when not
// "", makes them required and says what to write.
func checkReviewComments(comments, missing string) (string, error) {
	comments = strings.TrimSpace(comments)
	var v []fault.FieldViolation
	checkText(&v, "comments", comments, MaxDetail, paragraph, missing)
	return comments, invalidIf(v)
}

// reviewRefused is a review step the pack's state does not allow.
func (c *Case) reviewRefused(why string) error {
	return &fault.FailedPrecondition{Subject: c.Name(), Description: why}
}

// addReviewStep moves the review to the step's state and records it.
func (c *Case) addReviewStep(step ReviewStep) error {
	if c.Review == nil {
		c.Review = &Review{}
	}
	if err := c.checkRoom(len(c.Review.Steps), MaxReviewSteps, "review steps"); err != nil {
		return err
	}
	c.Review.State = step.State
	c.Review.Steps = append(c.Review.Steps, step)
	return nil
}

// SubmitForReview puts the response pack of an open access case to a
// second person: when nothing stops it (DisclosureProblems) and it is not
// already submitted or approved as it stands. A returned pack, or one
// changed since its approval, is submitted again.
type SubmitForReview struct{}

// Action implements Command.
func (SubmitForReview) Action() string { return "case.review_submitted" }

func (SubmitForReview) apply(c *Case, env Env) (map[string]any, error) {
	if !c.Open() {
		return nil, c.illegal("submit the response pack of")
	}
	if !c.HasPack() {
		return nil, c.reviewRefused("only an access request has a response pack to review")
	}
	switch c.PackState() {
	case ReviewSubmitted:
		return nil, c.reviewRefused("the response pack is already submitted for review")
	case ReviewApproved, ReviewReleased:
		return nil, c.reviewRefused("the response pack is already approved and nothing in it has changed since")
	}
	if problems := c.DisclosureProblems(); len(problems) > 0 {
		return nil, c.reviewRefused("the response pack is not ready: " + strings.Join(problems, "; "))
	}
	return nil, c.addReviewStep(ReviewStep{State: ReviewSubmitted, By: env.Actor, On: env.Now})
}

// reviewable checks that a reviewer may decide on the pack now: it is
// submitted, and the reviewer is not who submitted it.
func (c *Case) reviewable(env Env, verb, done string) error {
	if !c.Open() {
		return c.illegal(verb + " the response pack of")
	}
	if state := c.PackState(); state != ReviewSubmitted {
		return c.reviewRefused(fmt.Sprintf("only a response pack submitted for review can be %s; this one is %s", done, packStateWords[state]))
	}
	if c.Review.Submitter() == env.Actor {
		return c.reviewRefused(fmt.Sprintf("you submitted this response pack, so you cannot %s it: another member of staff with the caseworker role must review it", verb))
	}
	return nil
}

// MayReview reports whether actor may approve or return the pack now: it
// waits for review and they did not submit it. The pages ask it so as not
// to offer the submitter their own review.
func (c *Case) MayReview(actor string) bool {
	return c.reviewable(Env{Actor: actor}, "review", "reviewed") == nil
}

// ApproveReview approves the submitted pack as its documents and
// decisions stand, with optional comments; only someone other than the
// submitter may.
type ApproveReview struct{ Comments string }

// Action implements Command.
func (ApproveReview) Action() string { return "case.review_approved" }

func (cmd ApproveReview) apply(c *Case, env Env) (map[string]any, error) {
	comments, err := checkReviewComments(cmd.Comments, "")
	if err != nil {
		return nil, err
	}
	if err := c.reviewable(env, "approve", "approved"); err != nil {
		return nil, err
	}
	// The documents may have changed since submission: approve only a
	// pack that is ready as it stands.
	if problems := c.DisclosureProblems(); len(problems) > 0 {
		return nil, c.reviewRefused("the response pack is not ready: " + strings.Join(problems, "; "))
	}
	return nil, c.addReviewStep(ReviewStep{State: ReviewApproved, By: env.Actor, On: env.Now, Comments: comments, Fingerprint: c.PackFingerprint()})
}

// ReturnReview sends the submitted pack back to the caseworker with
// comments saying what to change; only someone other than the submitter
// may.
type ReturnReview struct{ Comments string }

// Action implements Command.
func (ReturnReview) Action() string { return "case.review_returned" }

func (cmd ReturnReview) apply(c *Case, env Env) (map[string]any, error) {
	comments, err := checkReviewComments(cmd.Comments, "say what must change before the pack can be approved")
	if err != nil {
		return nil, err
	}
	if err := c.reviewable(env, "return", "returned"); err != nil {
		return nil, err
	}
	return nil, c.addReviewStep(ReviewStep{State: ReviewReturned, By: env.Actor, On: env.Now, Comments: comments})
}

// ReleasePack releases an approved pack, unchanged since its approval, to
// the requester: from then on they may download it.
type ReleasePack struct{}

// Action implements Command.
func (ReleasePack) Action() string { return "case.pack_released" }

func (ReleasePack) apply(c *Case, env Env) (map[string]any, error) {
	if !c.Open() {
		return nil, c.illegal("release the response pack of")
	}
	switch state := c.PackState(); state {
	case ReviewApproved:
	case ReviewReleased:
		return nil, c.reviewRefused("the response pack is already released")
	case ReviewChanged:
		return nil, c.reviewRefused("the response pack changed after it was approved: submit it for review again")
	default:
		return nil, c.reviewRefused("only an approved response pack can be released; this one is " + packStateWords[state])
	}
	return nil, c.addReviewStep(ReviewStep{State: ReviewReleased, By: env.Actor, On: env.Now, Fingerprint: c.PackFingerprint()})
}

// Closing a request as done, in full or in part, is held back until the
// work is: for an access request, the response pack released; for any
// other right, what was done stated in the close (Close.ActionTaken, kept
// for staff beside the detail the letter tells the requester); and no
// task still open that must
// be done before the response (the extension notice). Article 19 tasks
// are not among them: recipients are told of a correction once it is
// made, at the close (Close.Notify) or after it. An administrator may
// close anyway with a reason (Close.OverrideReason), which is audited.

// guardedOutcomes are the outcomes the closure guard-rails hold back.
var guardedOutcomes = []OutcomeKind{OutcomeFulfilled, OutcomePartiallyFulfilled}

// tasksDueBeforeClose are the task kinds that must be done, or found
// impossible, before a request is closed as done.
var tasksDueBeforeClose = []TaskKind{TaskExtensionNotice}

// taskWords names a task kind in a refusal.
var taskWords = map[TaskKind]string{
	TaskExtensionNotice: "telling the requester about the extension",
	TaskArticle19:       "telling a recipient (Article 19)",
}

// ClosureProblems are what stops the case closing with outcome, the close
// stating actionTaken, in plain English; none when nothing does (any
// outcome but fulfilled or partially fulfilled is never held back).
func (c *Case) ClosureProblems(outcome OutcomeKind, actionTaken string) []string {
	if !slices.Contains(guardedOutcomes, outcome) {
		return nil
	}
	var out []string
	if c.HasPack() && !c.PackReleased() {
		out = append(out, "the response pack is not released ("+packStateWords[c.PackState()]+")")
	}
	if others := c.actionRights(); len(others) > 0 && strings.TrimSpace(actionTaken) == "" {
		out = append(out, "the action taken on the "+strings.Join(others, ", ")+" request is not recorded: say what was done")
	}
	for _, t := range c.Tasks {
		if t.State == TaskOpen && slices.Contains(tasksDueBeforeClose, t.Kind) {
			out = append(out, fmt.Sprintf("task %s (%s) is still open", t.ID, taskWords[t.Kind]))
		}
	}
	return out
}

// NeedsActionTaken reports whether closing the case as done needs what
// was done stated (Close.ActionTaken): it asks for a right but access.
func (c *Case) NeedsActionTaken() bool { return len(c.actionRights()) > 0 }

// actionRights are the rights asked for, in words, whose response is an
// action rather than the pack.
func (c *Case) actionRights() []string {
	var out []string
	for _, r := range c.Rights {
		if r.Right != notice.RightAccess {
			out = append(out, strings.ReplaceAll(string(r.Right), "_", " "))
		}
	}
	return out
}

var packStateWords = map[ReviewState]string{
	ReviewNotSubmitted: "not yet submitted for review",
	ReviewSubmitted:    "waiting for review",
	ReviewReturned:     "returned by the reviewer",
	ReviewApproved:     "approved but not released",
	ReviewChanged:      "changed since it was approved: submit it for review again",
	ReviewReleased:     "released",
}

// ClosureOverride is an administrator's decision to close a case the
// guard-rails held back, with their reason and what was missing then.
// What was missing is kept so the case shows what the override skipped.
type ClosureOverride struct {
	By      string   `json:"by"`
	Reason  string   `json:"reason"`
	Missing []string `json:"missing"`
}

// checkClosure applies the guard-rails to a close: its problems refuse it,
// unless it carries an override reason, which is then recorded on the
// outcome. An override where nothing is missing is refused as a mistake.
func (c *Case) checkClosure(cmd Close, env Env) (*ClosureOverride, error) {
	reason := strings.TrimSpace(cmd.OverrideReason)
	var v []fault.FieldViolation
	checkText(&v, ActionTakenField, strings.TrimSpace(cmd.ActionTaken), MaxOutcomeDetail, paragraph, "")
	checkText(&v, OverrideReasonField, reason, MaxDetail, paragraph, "")
	if err := invalidIf(v); err != nil {
		return nil, err
	}
	problems := c.ClosureProblems(cmd.Outcome, cmd.ActionTaken)
	if reason == "" {
		if len(problems) > 0 {
			return nil, &fault.FailedPrecondition{Subject: c.Name(), Description: "cannot close the case as " +
				strings.ReplaceAll(string(cmd.Outcome), "_", " ") + ": " + strings.Join(problems, "; ") +
				"; an administrator may close it anyway with an override reason"}
		}
		return nil, nil
	}
	if len(problems) == 0 {
		return nil, fault.Invalid(OverrideReasonField, "nothing holds this close back: leave the override reason empty")
	}
	return &ClosureOverride{By: env.Actor, Reason: reason, Missing: problems}, nil
}

// OverrideReasonField is the field an override of the closure guard-rails
// is given in, and ActionTakenField the close's statement of what was done.
const (
	OverrideReasonField = "override_reason"
	ActionTakenField    = "action_taken"
)
