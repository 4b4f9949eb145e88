package cases

import (
	"crypto/subtle"
	"fmt"
	"net/mail"
	"slices"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// A search request asks the owner of a system or team to search it for the
// requester's data and answer through a link that needs no account: they
// upload what they found, or say nothing is held. The answer fills in the
// Art 15(1A) search record (Search) by itself. The link's secret is never
// kept: the request holds only its keyed hash (LinkHash), made by the
// caller, which alone holds the key.

// SearchRequestState is where a search request stands.
type SearchRequestState string

const (
	SearchRequestSent            SearchRequestState = "sent"
	SearchRequestChased          SearchRequestState = "chased"
	SearchRequestAnsweredFound   SearchRequestState = "answered_found"
	SearchRequestAnsweredNothing SearchRequestState = "answered_nothing"
	SearchRequestCancelled       SearchRequestState = "cancelled"
)

// SearchRequest is one request to a data owner. Owner and Email are
// personal data (a member of staff's), sealed with the rest of the case.
type SearchRequest struct {
	ID     string             `json:"id"`
	Owner  string             `json:"owner"`
	Email  string             `json:"email"`
	Source string             `json:"source"` // the system or team to search
	Due    string             `json:"due"`
	State  SearchRequestState `json:"state"`
	SentBy string             `json:"sent_by"`
	SentOn string             `json:"sent_on"`
	// LinkUntil is the last day the link works (SearchLinkDays after Due).
	LinkUntil string `json:"link_until"`
	// LinkHash is the keyed hash of the link's token.
	LinkHash    []byte `json:"link_hash"`
	ChasedOn    string `json:"chased_on,omitempty"`
	AnsweredOn  string `json:"answered_on,omitempty"`
	CancelledOn string `json:"cancelled_on,omitempty"`
	// SearchID is the search record entry the owner's answer made.
	SearchID string `json:"search_id,omitempty"`
}

// The rules of search requests, stated once.
const (
	// SearchDueWorkingDays is how many working days before the case's due
	// date a search request falls due unless staff choose another date:
	// time left to judge and redact what comes back.
	SearchDueWorkingDays = 5
	// SearchLinkDays is how many calendar days after its due date the
	// owner's link still works: a late answer is better than none, an
	// answer months late is a stale link someone else may hold.
	SearchLinkDays = 14
	// MaxSearchRequests bounds the search requests one case holds.
	MaxSearchRequests = 50
	// SearchLinkHashSize is the size of a link's keyed hash.
	SearchLinkHashSize = 32
	// MaxFilesPerAnswer bounds the files an owner sends with their answer:
	// as many as a requester's reply, for the same memory bound; staff add
	// any more themselves.
	MaxFilesPerAnswer = MaxFilesPerReply
	// MaxAnswerNote bounds the owner's note, which goes into the search
	// record after what was found.
	MaxAnswerNote = 1000
)

// Pending reports whether the owner has yet to answer a request that
// still stands.
func (r *SearchRequest) Pending() bool {
	return r.State == SearchRequestSent || r.State == SearchRequestChased
}

// LinkOpen reports whether the owner's link works today: the request
// still stands and its link has not run out.
func (r *SearchRequest) LinkOpen(today deadline.Date) bool {
	return r.Pending() && today.String() <= r.LinkUntil
}

// Overdue reports whether a pending request is past its due date today.
func (r *SearchRequest) Overdue(today deadline.Date) bool {
	return r.Pending() && today.String() > r.Due
}

// SearchRequest finds a search request of the case by id.
func (c *Case) SearchRequest(id string) (*SearchRequest, bool) {
	i := slices.IndexFunc(c.SearchRequests, func(r SearchRequest) bool { return r.ID == id })
	if i < 0 {
		return nil, false
	}
	return &c.SearchRequests[i], true
}

// SearchRequestByLink finds the request whose link hashes to hash,
// comparing every one in constant time; nil when none does.
func (c *Case) SearchRequestByLink(hash []byte) *SearchRequest {
	var found *SearchRequest
	for i := range c.SearchRequests {
		if subtle.ConstantTimeCompare(c.SearchRequests[i].LinkHash, hash) == 1 {
			found = &c.SearchRequests[i]
		}
	}
	return found
}

// DefaultSearchDue is the due date a new search request takes unless
// staff give one: SearchDueWorkingDays working days before the case's due
// date in the case's calendar, or today when that has passed. An error
// says no date can be given: the case is closed, its clock has no due date
// or that date is today or past.
func (c *Case) DefaultSearchDue(env Env) (deadline.Date, error) {
	caseDue, err := c.searchDueLimit(env)
	if err != nil {
		return deadline.Date{}, err
	}
	due, err := env.Engine.WorkingDaysBefore(c.Region, caseDue, SearchDueWorkingDays)
	if err != nil {
		return deadline.Date{}, asCaseField(err)
	}
	if today := env.Today(); due.Before(today) {
		return today, nil
	}
	return due, nil
}

// searchDueLimit is the case's due date, before which every search
// request must fall due.
func (c *Case) searchDueLimit(env Env) (deadline.Date, error) {
	if !c.Open() {
		return deadline.Date{}, c.illegal("send a search request for")
	}
	caseDue, err := deadline.ParseDate(c.Clock.Due)
	if err != nil {
		return deadline.Date{}, &fault.FailedPrecondition{Subject: c.Name(), Description: "the case has no due date yet, so a search request cannot be given one before it"}
	}
	if !env.Today().Before(caseDue) {
		return deadline.Date{}, &fault.FailedPrecondition{Subject: c.Name(), Description: fmt.Sprintf(
			"the case is due on %s, so there is no day left for a search request to fall due before it: search the system yourself and record it", c.Clock.Due)}
	}
	return caseDue, nil
}

// SendSearchRequest records a request to a data owner to search a system
// or team, due on Due (DefaultSearchDue when empty). LinkHash is the keyed
// hash of the link's token, made by the caller, which also sends the email.
type SendSearchRequest struct {
	Owner    string
	Email    string
	Source   string
	Due      string
	LinkHash []byte
}

// Action implements Command.
func (SendSearchRequest) Action() string { return "case.search_request_sent" }

func (cmd SendSearchRequest) apply(c *Case, env Env) (map[string]any, error) {
	caseDue, err := c.searchDueLimit(env)
	if err != nil {
		return nil, err
	}
	r := SearchRequest{
		Owner: strings.TrimSpace(cmd.Owner), Email: strings.TrimSpace(cmd.Email), Source: strings.TrimSpace(cmd.Source),
		State: SearchRequestSent, SentBy: env.Actor, SentOn: env.Today().String(), LinkHash: cmd.LinkHash,
	}
	var v []fault.FieldViolation
	checkText(&v, "owner", r.Owner, MaxSearchSource, line, "name the person who owns the system or team")
	checkText(&v, "email", r.Email, MaxLine, line, "give the owner's email address")
	if r.Email != "" {
		if a, err := mail.ParseAddress(r.Email); err != nil || a.Address != r.Email {
			v = append(v, fault.FieldViolation{Field: "email", Description: "enter the email address alone, like name@example.org"})
		}
	}
	checkText(&v, "source", r.Source, MaxSearchSource, line, "name the system or team to search")
	due, problem := cmd.dueDate(c, env, caseDue)
	if problem != "" {
		v = append(v, fault.FieldViolation{Field: "due", Description: problem})
	}
	if err := invalidIf(v); err != nil {
		return nil, err
	}
	if len(r.LinkHash) != SearchLinkHashSize {
		return nil, fmt.Errorf("cases: a search request's link hash is %d bytes, not %d", len(r.LinkHash), SearchLinkHashSize)
	}
	if err := c.checkRoom(len(c.SearchRequests), MaxSearchRequests, "search requests"); err != nil {
		return nil, err
	}
	r.Due, r.LinkUntil = due.String(), due.AddDays(SearchLinkDays).String()
	r.ID = fmt.Sprintf("r%d", len(c.SearchRequests)+1)
	c.SearchRequests = append(c.SearchRequests, r)
	return map[string]any{"search_request": map[string]string{"id": r.ID, "owner": r.Owner, "email": r.Email, "source": r.Source, "due": r.Due}}, nil
}

// dueDate is the request's due date, or what is wrong with the one given:
// from today up to the day before the case is due.
func (cmd SendSearchRequest) dueDate(c *Case, env Env, caseDue deadline.Date) (deadline.Date, string) {
	if strings.TrimSpace(cmd.Due) == "" {
		due, err := c.DefaultSearchDue(env)
		if err != nil {
			return deadline.Date{}, err.Error()
		}
		return due, ""
	}
	due, err := deadline.ParseDate(strings.TrimSpace(cmd.Due))
	switch {
	case err != nil:
		return due, fmt.Sprintf("%q is not a date (YYYY-MM-DD)", cmd.Due)
	case due.Before(env.Today()):
		return due, fmt.Sprintf("%s is in the past", due)
	case !due.Before(caseDue):
		return due, fmt.Sprintf("the answer must be due before the case is, on %s", caseDue)
	}
	return due, ""
}

// CancelSearchRequest withdraws a request the owner has yet to answer;
// its link stops working.
type CancelSearchRequest struct {
	ID string
}

// Action implements Command.
func (CancelSearchRequest) Action() string { return "case.search_request_cancelled" }

func (cmd CancelSearchRequest) apply(c *Case, env Env) (map[string]any, error) {
	r, err := c.pendingSearchRequest(cmd.ID, "cancel")
	if err != nil {
		return nil, err
	}
	r.State, r.CancelledOn = SearchRequestCancelled, env.Today().String()
	return nil, nil
}

// pendingSearchRequest finds a request that still stands, for an action
// that needs one.
func (c *Case) pendingSearchRequest(id, action string) (*SearchRequest, error) {
	r, ok := c.SearchRequest(id)
	if !ok {
		return nil, &fault.NotFound{Resource: "search request", Name: c.Name() + "/searchRequests/" + id}
	}
	if !r.Pending() {
		return nil, &fault.FailedPrecondition{Subject: c.Name(), Description: fmt.Sprintf("cannot %s search request %s: it is %s", action, id, r.State)}
	}
	return r, nil
}

// ChaseSearchRequest records the chaser sent when a request passed its due
// date unanswered; a request is chased once. The chaser carries a new
// link (the first one's token was never kept), so LinkHash replaces the
// first link's, which stops working.
type ChaseSearchRequest struct {
	ID       string
	LinkHash []byte
}

// Action implements Command.
func (ChaseSearchRequest) Action() string { return "case.search_request_chased" }

func (cmd ChaseSearchRequest) apply(c *Case, env Env) (map[string]any, error) {
	r, err := c.pendingSearchRequest(cmd.ID, "chase")
	if err != nil {
		return nil, err
	}
	switch {
	case r.State == SearchRequestChased:
		return nil, &fault.FailedPrecondition{Subject: c.Name(), Description: fmt.Sprintf("search request %s was chased on %s already", r.ID, r.ChasedOn)}
	case !r.Overdue(env.Today()):
		return nil, &fault.FailedPrecondition{Subject: c.Name(), Description: fmt.Sprintf("search request %s is not due until %s", r.ID, r.Due)}
	}
	if len(cmd.LinkHash) != SearchLinkHashSize {
		return nil, fmt.Errorf("cases: a search request's link hash is %d bytes, not %d", len(cmd.LinkHash), SearchLinkHashSize)
	}
	r.State, r.ChasedOn, r.LinkHash = SearchRequestChased, env.Today().String(), cmd.LinkHash
	return nil, nil
}

// NextChase is the earliest due date of the case's search requests that
// are sent and not yet chased, or "" when it has none: the day after it,
// the daily chaser has one to chase. The store indexes open cases by it.
func (c *Case) NextChase() string {
	next := ""
	for _, r := range c.SearchRequests {
		if r.State == SearchRequestSent && (next == "" || r.Due < next) {
			next = r.Due
		}
	}
	return next
}

// SearchRequestsToChase are the ids of the case's requests that passed
// their due date unanswered and have not been chased.
func (c *Case) SearchRequestsToChase(today deadline.Date) []string {
	var ids []string
	if !c.Open() {
		return nil
	}
	for _, r := range c.SearchRequests {
		if r.State == SearchRequestSent && r.Overdue(today) {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// NothingHeld is what the search record says an owner found when they
// answer that the system holds nothing about the requester.
const NothingHeld = "nothing held"

// AnswerSearchRequest is the owner's answer through their link: Files
// documents found (added to the case with the answer, their SearchID the
// entry this makes), or none and nothing held; Note is what they add.
// The search record gains an entry: searched today, by the owner.
type AnswerSearchRequest struct {
	ID    string
	Files int
	Note  string
}

// Action implements Command.
func (AnswerSearchRequest) Action() string { return "case.search_request_answered" }

func (cmd AnswerSearchRequest) apply(c *Case, env Env) (map[string]any, error) {
	r, ok := c.SearchRequest(cmd.ID)
	if !ok || !c.Open() || !r.LinkOpen(env.Today()) {
		// The owner's page says the same for every link that does not work.
		return nil, &fault.NotFound{Resource: "search request", Name: "search request link"}
	}
	note := strings.TrimSpace(cmd.Note)
	var v []fault.FieldViolation
	checkText(&v, "note", note, MaxAnswerNote, paragraph, "")
	if cmd.Files < 0 {
		v = append(v, fault.FieldViolation{Field: "files", Description: "cannot be negative"})
	}
	if err := invalidIf(v); err != nil {
		return nil, err
	}
	found, state := NothingHeld, SearchRequestAnsweredNothing
	if cmd.Files > 0 {
		found, state = fmt.Sprintf("%d file(s)", cmd.Files), SearchRequestAnsweredFound
		if cmd.Files == 1 {
			found = "1 file"
		}
	}
	if note != "" {
		found += ": " + note
	}
	today := env.Today().String()
	personal, err := c.addSearch(Search{
		Kind: SearchDone, Source: r.Source, On: today, By: r.Owner, Found: found,
		RecordedBy: env.Actor, Recorded: env.Now,
	}, nil)
	if err != nil {
		return nil, err
	}
	r.State, r.AnsweredOn, r.SearchID = state, today, c.Searches[len(c.Searches)-1].ID
	return personal, nil
}

// SearchRequestActor is the actor the audit trail names for an owner's
// answer through the link of request id: "owner:" and the id, as a
// document they send is added by.
func SearchRequestActor(id string) string { return "owner:" + id }

// searchRequestSummary is what the audit trail records of the requests:
// each id with its state, nothing personal.
func (c *Case) searchRequestSummary() string {
	parts := make([]string, len(c.SearchRequests))
	for i, r := range c.SearchRequests {
		parts[i] = r.ID + ":" + string(r.State)
	}
	return strings.Join(parts, ",")
}
