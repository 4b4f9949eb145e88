package cases

import (
	"slices"

	"github.com/huandu/go-clone"

	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// StaffAction is something staff can do to a case, as the case page offers
// it and the queue names the next one.
type StaffAction string

const (
	// ActCheckIdentity settles an unconfirmed identity: confirmed from the
	// request itself (ConfirmIdentity) or proof asked for
	// (RequestFromRequester), whichever staff choose.
	ActCheckIdentity     StaffAction = "check_identity"
	ActTriage            StaffAction = "triage"
	ActAssign            StaffAction = "assign"
	ActRecordResponse    StaffAction = "record_response"
	ActRecordSearch      StaffAction = "record_search"
	ActCompleteTask      StaffAction = "complete_task"
	ActClose             StaffAction = "close"
	ActClarify           StaffAction = "request_clarification"
	ActRequestFee        StaffAction = "request_fee"
	ActExtend            StaffAction = "extend"
	ActEdit              StaffAction = "edit"
	ActNote              StaffAction = "note"
	ActLink              StaffAction = "link"
	ActMerge             StaffAction = "merge"
	ActReopen            StaffAction = "reopen"
	ActRecordNotSearched StaffAction = "record_not_searched"
	// ActAcknowledgeReply marks the requester's new reply as seen.
	ActAcknowledgeReply StaffAction = "acknowledge_reply"
	// ActLegalHold puts the case on legal hold, or releases the hold.
	ActLegalHold StaffAction = "legal_hold"
	// ActSubmitReview, ActApproveReview, ActReturnReview and ActReleasePack
	// are the response pack's four-eyes review (review.go).
	ActSubmitReview  StaffAction = "submit_review"
	ActApproveReview StaffAction = "approve_review"
	ActReturnReview  StaffAction = "return_review"
	ActReleasePack   StaffAction = "release_pack"
	// ActSendSearchRequest and ActCancelSearchRequest are search requests
	// to data owners (searchrequest.go).
	ActSendSearchRequest   StaffAction = "send_search_request"
	ActCancelSearchRequest StaffAction = "cancel_search_request"
)

// staffActions lists every action in the order the case page offers those
// allowed after the likely next one. Each has a probe: a well-formed command
// of its kind, so whether the domain accepts it on a copy of the case is
// whether the action is allowed now. The rule is the command's own, stated
// once; nothing here restates it.
type staffAction struct {
	act    StaffAction
	probes func(c *Case) []Command
}

var staffActions = []staffAction{
	{ActRecordResponse, one(RecordResponse{})},
	{ActCheckIdentity, one(ConfirmIdentity{})},
	{ActTriage, one(Update{Paths: []string{"notices"}})},
	{ActAssign, one(Assign{Assignee: "probe"})},
	// By is named: the probe runs with no actor to default it to.
	{ActRecordSearch, one(RecordSearch{Source: "probe", Found: "probe", By: "probe"})},
	{ActRecordNotSearched, one(RecordNotSearched{Source: "probe", Reason: "probe"})},
	{ActSendSearchRequest, one(SendSearchRequest{Owner: "probe", Email: "probe@example.org", Source: "probe", LinkHash: make([]byte, SearchLinkHashSize)})},
	{ActCancelSearchRequest, func(c *Case) []Command {
		var out []Command
		for _, r := range c.SearchRequests {
			if r.Pending() {
				out = append(out, CancelSearchRequest{ID: r.ID})
			}
		}
		return out
	}},
	{ActCompleteTask, func(c *Case) []Command {
		var out []Command
		for _, t := range c.Tasks {
			if t.State == TaskOpen {
				out = append(out, CompleteTask{TaskID: t.ID, State: TaskDone})
			}
		}
		return out
	}},
	{ActSubmitReview, one(SubmitForReview{})},
	{ActApproveReview, one(ApproveReview{})},
	{ActReturnReview, one(ReturnReview{Comments: "probe"})},
	{ActReleasePack, one(ReleasePack{})},
	// A refusal is never held back by the closure guard-rails, so this
	// probe says only whether the case can close at all.
	{ActClose, one(Close{Outcome: OutcomeRefused, RefusalReason: "other"})},
	{ActClarify, one(RequestFromRequester{What: WaitingForClarification})},
	{ActRequestFee, one(RequestFromRequester{What: WaitingForFee, Detail: "probe"})},
	{ActExtend, one(Extend{Reason: "probe"})},
	{ActEdit, func(c *Case) []Command {
		return []Command{Update{Paths: []string{"channel"}, From: Case{Channel: c.Channel}}}
	}},
	{ActNote, one(AddNote{Text: "probe"})},
	{ActLink, one(Link{Other: "probe"})},
	{ActMerge, one(MergeInto{Into: "probe"})},
	{ActReopen, one(Reopen{Reason: "probe"})},
	{ActAcknowledgeReply, one(AcknowledgeReply{})},
	{ActLegalHold, func(c *Case) []Command { return []Command{SetLegalHold{Held: c.LegalHold == nil, Reason: "probe"}} }},
}

func one(cmd Command) func(*Case) []Command { return func(*Case) []Command { return []Command{cmd} } }

// Actions lists what staff may do to the case today, the likely next
// action first and the rest in a fixed order. Role checks are the doors'
// (an action stands for RPCs, each with its role); this says only what the
// case's state allows.
func (c *Case) Actions(env Env) []StaffAction {
	var out []StaffAction
	for _, a := range staffActions {
		if c.allows(a.act, env) {
			out = append(out, a.act)
		}
	}
	if next := c.NextAction(env); next != "" {
		i := slices.Index(out, next)
		out = append([]StaffAction{next}, slices.Delete(out, i, i+1)...)
	}
	return out
}

// NextAction is what a caseworker usually does next, among the actions
// allowed now: deal with the requester's reply, settle identity, name the
// notices of an "everything" request, take the case, search for an access
// request's data, finish the open tasks, put an access request's response
// pack through its review and release it, then respond and close. It is ""
// for a closed case.
func (c *Case) NextAction(env Env) StaffAction {
	searched, skipped := c.SearchCounts()
	for _, candidate := range []struct {
		act  StaffAction
		when bool
	}{
		{ActRecordResponse, c.State == StateAwaitingRequester},
		{ActCheckIdentity, c.IdentityStatus != IdentityVerified},
		{ActTriage, len(c.Notices) == 0},
		{ActAssign, c.Assignee == ""},
		{ActRecordSearch, searched+skipped == 0 && c.asks(notice.RightAccess)},
		{ActCompleteTask, countOpenTasks(c) > 0},
		{ActSubmitReview, c.HasPack() && !slices.Contains([]ReviewState{ReviewSubmitted, ReviewApproved, ReviewReleased}, c.PackState())},
		{ActApproveReview, c.PackState() == ReviewSubmitted},
		{ActReleasePack, c.PackState() == ReviewApproved},
		{ActClose, true},
	} {
		if candidate.when && c.allows(candidate.act, env) {
			return candidate.act
		}
	}
	return ""
}

func (c *Case) asks(r notice.Right) bool {
	return slices.ContainsFunc(c.Rights, func(rr RequestedRight) bool { return rr.Right == r })
}

// allows reports whether any probe of the action succeeds on a copy of
// the case. The probes are well-formed, so any refusal is the case's.
func (c *Case) allows(act StaffAction, env Env) bool {
	i := slices.IndexFunc(staffActions, func(a staffAction) bool { return a.act == act })
	for _, cmd := range staffActions[i].probes(c) {
		if _, err := Apply(c.clone(), cmd, env); err == nil {
			return true
		}
	}
	return false
}

// clone is a deep copy of the case for a probe to change. It copies by
// reflection: a JSON round trip, as before, was two thirds of the time the
// "needs action" and "extension to decide" queue views took.
func (c *Case) clone() *Case { return clone.Clone(c).(*Case) }
