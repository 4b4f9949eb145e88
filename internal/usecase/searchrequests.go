package usecase

import (
	"context"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
)

// SearchRequests are the requests to data owners to search their systems
// for a requester's data, answered through a link that needs no account
// (internal/casework).
type SearchRequests interface {
	// DefaultSearchDue is the due date a new search request on c takes
	// unless staff give one, or why none can be given.
	DefaultSearchDue(c *cases.Case) (deadline.Date, error)
	// SendSearchRequest records the request (cmd.LinkHash is made here)
	// and queues its email with the owner's link, in one transaction; a
	// non-empty etag must match.
	SendSearchRequest(ctx context.Context, actor, id, etag string, cmd cases.SendSearchRequest) (*cases.Case, error)
	// SearchTask is what an owner's link asks of them. Every link that
	// does not work (unknown, another case's, answered, cancelled,
	// expired) is the same fault.NotFound.
	SearchTask(ctx context.Context, token string) (*SearchTask, error)
	// AnswerSearch is the owner's answer through their link: the files
	// they found (stored first, then added to the case with the answer in
	// one transaction), or none for "nothing held", with a note.
	AnswerSearch(ctx context.Context, token, note string, files []Upload) (*SearchTask, error)
}

// SearchLinkPath is where a data owner's link leads on the public site,
// the token following it.
const SearchLinkPath = "/search/"

// SearchTask is what the owner's page shows: the case by its reference,
// the system to search and the dates; nothing else of the requester.
type SearchTask struct {
	Reference string
	RequestID string
	Owner     string
	System    string
	Due       string
	LinkUntil string
	State     cases.SearchRequestState
	// Files is how many documents the answer added.
	Files int
}
