package cases

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// Command is one step in a case's life. apply checks its preconditions
// before changing anything and returns any personal data it recorded.
type Command interface {
	Action() string
	apply(c *Case, env Env) (personal map[string]any, err error)
}

// transitions is the state machine of DESIGN.md.
var transitions = map[State][]State{
	StateNew:               {StateAwaitingRequester, StateInProgress, StateClosed},
	StateAwaitingRequester: {StateInProgress, StateClosed},
	StateInProgress:        {StateAwaitingRequester, StateClosed},
	StateClosed:            {StateInProgress},
}

// Apply runs a command on the case, bumps its version, recomputes its clock
// and returns what changed. On error the case must be discarded.
func Apply(c *Case, cmd Command, env Env) (Change, error) {
	if c.Purged != nil {
		return Change{}, c.errPurged()
	}
	before := snapshot(c)
	personal, err := cmd.apply(c, env)
	if err != nil {
		return Change{}, err
	}
	if err := c.checkFull(); err != nil {
		return Change{}, err
	}
	if err := c.recomputeClock(env.Engine); err != nil {
		return Change{}, asCaseField(err)
	}
	c.Version++
	c.Updated = env.Now
	b, a := diff(before, snapshot(c))
	if d, ok := cmd.(dated); ok {
		// The event's time is when the action was recorded; this is the
		// date the member of staff says it took effect, which may be earlier.
		a["on"] = statedDate(d.statedOn(), env)
	}
	if n, ok := cmd.(named); ok {
		for k, v := range n.auditFields(c) {
			if v != "" {
				a[k] = v
			}
		}
	}
	return Change{Action: cmd.Action(), Before: b, After: a, Personal: personal}, nil
}

// named is a command whose audit event names what it acted on (a
// document's id, a decision's code): non-personal fields beyond the
// snapshot's.
type named interface {
	auditFields(c *Case) map[string]string
}

// dated is a command that took effect on a date of its own (an On field):
// today unless staff say it was earlier, as when post opened on Monday is
// logged on Wednesday.
type dated interface{ statedOn() string }

func statedDate(on string, env Env) string {
	if on == "" {
		return env.Today().String()
	}
	return on
}

// Conditional reports whether the command must be refused when the case
// changed since the caller read it (a stale etag). Appending a note or a
// search record cannot undo anyone else's change, so it never conflicts.
func Conditional(cmd Command) bool {
	switch cmd.(type) {
	case AddNote, RecordSearch, RecordNotSearched, AcknowledgeReply, AddDocument:
		return false
	}
	return true
}

func (c *Case) moveTo(to State, action string) error {
	if slices.Contains(transitions[c.State], to) {
		c.State = to
		return nil
	}
	return c.illegal(action)
}

func (c *Case) illegal(action string) error {
	allowed := make([]string, 0, len(transitions[c.State]))
	for _, s := range transitions[c.State] {
		allowed = append(allowed, strings.ToUpper(string(s)))
	}
	return &fault.FailedPrecondition{
		Subject:     c.Name(),
		Description: fmt.Sprintf("cannot %s a case that is %s", action, strings.ToUpper(string(c.State))),
		Allowed:     allowed,
	}
}

// actionDate resolves the date an action took effect: today by default, and
// never before the request was received nor in the future.
func actionDate(c *Case, env Env, field, on string) (string, error) {
	today := env.Today()
	if on == "" {
		return today.String(), nil
	}
	d, err := deadline.ParseDate(on)
	if err != nil {
		return "", fault.Invalid(field, "%q is not a date (YYYY-MM-DD)", on)
	}
	if d.After(today) {
		return "", fault.Invalid(field, "%s is in the future", on)
	}
	if on < c.ReceivedOn {
		return "", fault.Invalid(field, "%s is before the request was received (%s)", on, c.ReceivedOn)
	}
	return on, nil
}

// checkDetail checks the optional detail of a request to, or answer from,
// the requester, which is kept only in the erasable audit payload.
func checkDetail(detail string) error {
	var v []fault.FieldViolation
	checkText(&v, "detail", detail, MaxDetail, paragraph, "")
	return invalidIf(v)
}

func personalDetail(detail string) map[string]any {
	if detail == "" {
		return nil
	}
	return map[string]any{"detail": detail}
}

// Assign gives the case to a caseworker ("" unassigns); picking up a NEW
// case starts work on it.
type Assign struct {
	Assignee string
	On       string
}

func (Assign) Action() string { return "case.assigned" }

func (cmd Assign) statedOn() string { return cmd.On }

func (cmd Assign) apply(c *Case, env Env) (map[string]any, error) {
	if !c.Open() {
		return nil, c.illegal("assign")
	}
	if _, err := actionDate(c, env, "on", cmd.On); err != nil {
		return nil, err
	}
	assignee := strings.TrimSpace(cmd.Assignee)
	if problem := identifierProblem(assignee, true); problem != "" {
		return nil, fault.Invalid("assignee", "%s", problem)
	}
	c.Assignee = assignee
	if c.State == StateNew && c.Assignee != "" {
		c.State = StateInProgress
	}
	return nil, nil
}

// RequestFromRequester asks the requester for identity, clarification or a
// fee; the clock stops until they answer.
type RequestFromRequester struct {
	What   WaitingFor
	On     string
	Detail string
}

// Action implements Command.
func (cmd RequestFromRequester) Action() string { return "case.requested_" + string(cmd.What) }

func (cmd RequestFromRequester) statedOn() string { return cmd.On }

func (cmd RequestFromRequester) apply(c *Case, env Env) (map[string]any, error) {
	if err := checkDetail(cmd.Detail); err != nil {
		return nil, err
	}
	on, err := actionDate(c, env, "on", cmd.On)
	if err != nil {
		return nil, err
	}
	if err := c.moveTo(StateAwaitingRequester, "request "+string(cmd.What)+" for"); err != nil {
		return nil, err
	}
	c.WaitingFor = cmd.What
	switch cmd.What {
	case WaitingForIdentity:
		c.IdentityStatus, c.IdentityRequestedOn, c.IdentityReceivedOn = IdentityRequested, on, ""
	case WaitingForFee:
		c.FeeStatus, c.FeeRequestedOn, c.FeeReceivedOn = FeeRequested, on, ""
	case WaitingForClarification:
		if err := c.checkRoom(len(c.Clarifications), MaxClarifications, "clarification requests"); err != nil {
			return nil, err
		}
		if last := len(c.Clarifications) - 1; last >= 0 && on < c.Clarifications[last].Answered {
			return nil, fault.Invalid("on", "%s is before the last clarification was answered (%s)", on, c.Clarifications[last].Answered)
		}
		c.Clarifications = append(c.Clarifications, Clarification{Asked: on})
	default:
		return nil, fault.Invalid("what", "unknown request %q", cmd.What)
	}
	c.Exchanges = append(c.Exchanges, Exchange{Kind: ExchangeAsked, What: cmd.What, On: on, Detail: strings.TrimSpace(cmd.Detail), By: env.Actor})
	return personalDetail(cmd.Detail), nil
}

// ConfirmIdentity records that staff are satisfied who the requester is:
// from the request itself (their staff account, details that match the
// records), so nothing is asked of them and the clock runs from receipt,
// or from the proof they sent when asked, which leaves the clock running
// from the day it arrived. Work starts on a new case.
type ConfirmIdentity struct {
	On     string
	Detail string
}

// Action implements Command.
func (ConfirmIdentity) Action() string { return "case.identity_confirmed" }

func (cmd ConfirmIdentity) statedOn() string { return cmd.On }

func (cmd ConfirmIdentity) apply(c *Case, env Env) (map[string]any, error) {
	if c.State != StateNew && c.State != StateInProgress {
		return nil, c.illegal("confirm the identity on")
	}
	if c.IdentityStatus == IdentityVerified {
		return nil, &fault.FailedPrecondition{Subject: c.Name(), Description: "the requester's identity is already confirmed"}
	}
	if err := checkDetail(cmd.Detail); err != nil {
		return nil, err
	}
	if _, err := actionDate(c, env, "on", cmd.On); err != nil {
		return nil, err
	}
	if c.IdentityStatus == IdentityReceived {
		c.IdentityStatus = IdentityVerified
	} else {
		c.IdentityStatus, c.IdentityRequestedOn, c.IdentityReceivedOn = IdentityVerified, "", ""
	}
	c.State = StateInProgress
	return personalDetail(cmd.Detail), nil
}

// RecordResponse records what the case was waiting for and resumes work.
// Proof of identity is recorded as received, not verified: the clock runs
// again from its date, and checking it is ConfirmIdentity's.
type RecordResponse struct {
	On     string
	Detail string
}

// Action implements Command.
func (RecordResponse) Action() string { return "case.requester_responded" }

func (cmd RecordResponse) statedOn() string { return cmd.On }

func (cmd RecordResponse) apply(c *Case, env Env) (map[string]any, error) {
	if c.State != StateAwaitingRequester {
		return nil, c.illegal("record a requester's response on")
	}
	if err := checkDetail(cmd.Detail); err != nil {
		return nil, err
	}
	on, err := actionDate(c, env, "on", cmd.On)
	if err != nil {
		return nil, err
	}
	switch c.WaitingFor {
	case WaitingForIdentity:
		if on < c.IdentityRequestedOn {
			return nil, fault.Invalid("on", "%s is before identity was asked for (%s)", on, c.IdentityRequestedOn)
		}
		c.IdentityStatus, c.IdentityReceivedOn = IdentityReceived, on
	case WaitingForFee:
		if on < c.FeeRequestedOn {
			return nil, fault.Invalid("on", "%s is before the fee was asked for (%s)", on, c.FeeRequestedOn)
		}
		c.FeeStatus, c.FeeReceivedOn = FeeReceived, on
	case WaitingForClarification:
		last := &c.Clarifications[len(c.Clarifications)-1]
		if on < last.Asked {
			return nil, fault.Invalid("on", "%s is before the clarification was asked (%s)", on, last.Asked)
		}
		last.Answered = on
	}
	c.Exchanges = append(c.Exchanges, Exchange{Kind: ExchangeReplied, What: c.WaitingFor, On: on, Detail: strings.TrimSpace(cmd.Detail), By: env.Actor})
	c.WaitingFor = WaitingForNothing
	c.State = StateInProgress
	return personalDetail(cmd.Detail), nil
}

// Extend lengthens the deadline by one or two months, within the first
// period, and adds the task of telling the requester why.
type Extend struct {
	On     string
	Reason string
	Months int
}

// Action implements Command.
func (Extend) Action() string { return "case.extended" }

func (cmd Extend) statedOn() string { return cmd.On }

func (cmd Extend) apply(c *Case, env Env) (map[string]any, error) {
	// While the case waits for the requester the clock is stopped (identity,
	// fee) or paused (clarification), so the first period it must be decided
	// within is not yet fixed: decide once the answer is in.
	if c.State != StateNew && c.State != StateInProgress {
		return nil, c.illegal("extend")
	}
	if c.Extension != nil {
		return nil, &fault.FailedPrecondition{Subject: c.Name(), Description: fmt.Sprintf("the deadline was already extended on %s; the law allows one extension of up to two months", c.Extension.GrantedOn)}
	}
	var v []fault.FieldViolation
	checkText(&v, "reason", strings.TrimSpace(cmd.Reason), MaxDetail, paragraph, "say why the request is complex or why there are numerous requests")
	if err := invalidIf(v); err != nil {
		return nil, err
	}
	on, err := actionDate(c, env, "on", cmd.On)
	if err != nil {
		return nil, err
	}
	if on > c.Clock.StatutoryDue {
		return nil, &fault.FailedPrecondition{Subject: c.Name(), Description: fmt.Sprintf("an extension must be decided within the first period, which ended on %s", c.Clock.StatutoryDue)}
	}
	months := cmd.Months
	if months == 0 {
		months = 2
	}
	c.Extension = &Extension{GrantedOn: on, Reason: strings.TrimSpace(cmd.Reason), Months: months}
	c.Tasks = append(c.Tasks, Task{ID: c.nextTaskID(), Kind: TaskExtensionNotice, State: TaskOpen, Due: c.Clock.ExtensionNoticeBy})
	return nil, nil
}

// Close ends the case with an outcome, telling the recipients named in
// Notify of the correction, deletion or restriction done (Article 19).
type Close struct {
	On            string
	Outcome       OutcomeKind
	RefusalReason RefusalReason
	Detail        string
	Notify        []RecipientNotice
	// ActionTaken is what was done for a right other than access (what was
	// corrected, erased, restricted or stopped), which closing as fulfilled
	// or partially fulfilled needs (review.go). It is kept on the case for
	// staff; Detail is what the requester is told.
	ActionTaken string
	// OverrideReason, from an administrator, closes the case although the
	// closure guard-rails (review.go) would hold it back.
	OverrideReason string
}

// Action implements Command.
func (Close) Action() string { return "case.closed" }

func (cmd Close) statedOn() string { return cmd.On }

func (cmd Close) apply(c *Case, env Env) (map[string]any, error) {
	if !slices.Contains(OutcomeKinds, cmd.Outcome) {
		return nil, fault.Invalid("outcome", "unknown outcome %q", cmd.Outcome)
	}
	if cmd.Outcome == OutcomeRefused && !slices.Contains(RefusalReasons, cmd.RefusalReason) {
		return nil, fault.Invalid("refusal_reason", "a refusal needs a reason from the list: %v", RefusalReasons)
	}
	if cmd.Outcome != OutcomeRefused && cmd.RefusalReason != "" {
		return nil, fault.Invalid("refusal_reason", "only a refusal takes a refusal reason")
	}
	var v []fault.FieldViolation
	checkText(&v, "detail", cmd.Detail, MaxOutcomeDetail, paragraph, "")
	if err := invalidIf(v); err != nil {
		return nil, err
	}
	if err := checkRecipientNotices(c, cmd.Outcome, cmd.Notify); err != nil {
		return nil, err
	}
	on, err := actionDate(c, env, "on", cmd.On)
	if err != nil {
		return nil, err
	}
	if !c.Open() {
		return nil, c.illegal("close")
	}
	override, err := c.checkClosure(cmd, env)
	if err != nil {
		return nil, err
	}
	if err := c.moveTo(StateClosed, "close"); err != nil {
		return nil, err
	}
	c.WaitingFor = WaitingForNothing
	c.Outcome = &Outcome{Kind: cmd.Outcome, RefusalReason: cmd.RefusalReason, ClosedOn: on, OnTime: on <= c.Clock.Due, Detail: strings.TrimSpace(cmd.Detail),
		ActionTaken: strings.TrimSpace(cmd.ActionTaken), Override: override}
	personal := personalDetail(cmd.Detail)
	if override != nil {
		if personal == nil {
			personal = map[string]any{}
		}
		personal["override_reason"] = override.Reason
	}
	if told := c.tellRecipients(cmd.Notify, on, env.Actor); len(told) > 0 {
		if personal == nil {
			personal = map[string]any{}
		}
		personal["recipients_told"] = told
	}
	return personal, nil
}

// Reopen brings a closed case back into work (admin only, enforced by the
// transport's role check).
type Reopen struct {
	Reason string
	On     string
}

// Action implements Command.
func (Reopen) Action() string { return "case.reopened" }

func (cmd Reopen) statedOn() string { return cmd.On }

func (cmd Reopen) apply(c *Case, env Env) (map[string]any, error) {
	if c.State != StateClosed {
		return nil, c.illegal("reopen")
	}
	if _, err := actionDate(c, env, "on", cmd.On); err != nil {
		return nil, err
	}
	var v []fault.FieldViolation
	checkText(&v, "reason", strings.TrimSpace(cmd.Reason), MaxDetail, paragraph, "say why the case is reopened")
	if err := invalidIf(v); err != nil {
		return nil, err
	}
	c.State, c.Outcome = StateInProgress, nil
	return map[string]any{"reason": cmd.Reason}, nil
}

// AddNote appends a note; notes never conflict with other changes. On is
// the date the note is about (a phone call on Monday), today by default.
type AddNote struct {
	Text string
	On   string
	// RequestID, when set, makes a retry of the same request return the
	// case with the note it added rather than add another (Repeats).
	RequestID string
}

// Action implements Command.
func (AddNote) Action() string { return "case.note_added" }

func (cmd AddNote) statedOn() string { return cmd.On }

func (cmd AddNote) apply(c *Case, env Env) (map[string]any, error) {
	text := strings.TrimSpace(cmd.Text)
	var v []fault.FieldViolation
	checkText(&v, "text", text, MaxNote, paragraph, "a note needs some text")
	if problem := identifierProblem(cmd.RequestID, false); problem != "" {
		v = append(v, fault.FieldViolation{Field: "request_id", Description: problem})
	}
	if err := invalidIf(v); err != nil {
		return nil, err
	}
	if err := c.checkRoom(len(c.Notes), MaxNotes, "notes"); err != nil {
		return nil, err
	}
	on, err := actionDate(c, env, "on", cmd.On)
	if err != nil {
		return nil, err
	}
	c.Notes = append(c.Notes, Note{ID: fmt.Sprintf("n%d", len(c.Notes)+1), Author: env.Actor, Created: env.Now, On: on, Text: text, RequestID: cmd.RequestID})
	return map[string]any{"note": text}, nil
}

// CompleteTask marks a task done, or impossible with a reason.
type CompleteTask struct {
	TaskID     string
	State      TaskState
	Resolution string
	On         string
}

// Action implements Command.
func (CompleteTask) Action() string { return "case.task_completed" }

func (cmd CompleteTask) statedOn() string { return cmd.On }

func (cmd CompleteTask) apply(c *Case, env Env) (map[string]any, error) {
	i := slices.IndexFunc(c.Tasks, func(t Task) bool { return t.ID == cmd.TaskID })
	if i < 0 {
		return nil, fault.Invalid("task_id", "the case has no task %q", cmd.TaskID)
	}
	task := &c.Tasks[i]
	switch {
	case task.State != TaskOpen:
		return nil, &fault.FailedPrecondition{Subject: c.Name(), Description: fmt.Sprintf("task %s is already %s", task.ID, task.State)}
	case cmd.State != TaskDone && cmd.State != TaskImpossible:
		return nil, fault.Invalid("state", "a task is completed as done or impossible")
	case cmd.State == TaskImpossible && strings.TrimSpace(cmd.Resolution) == "":
		return nil, fault.Invalid("resolution", "say why notifying is impossible or would involve disproportionate effort")
	}
	var v []fault.FieldViolation
	checkText(&v, "resolution", strings.TrimSpace(cmd.Resolution), MaxDetail, paragraph, "")
	if err := invalidIf(v); err != nil {
		return nil, err
	}
	on, err := actionDate(c, env, "on", cmd.On)
	if err != nil {
		return nil, err
	}
	task.State, task.Resolution, task.CompletedBy, task.CompletedOn = cmd.State, strings.TrimSpace(cmd.Resolution), env.Actor, on
	return nil, nil
}
