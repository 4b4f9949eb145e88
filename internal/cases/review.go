package cases

import "time"

// A response pack is checked by a second person before it is released to
// the requester: the caseworker submits it, a different member of staff with
// the caseworker role approves it or returns it with comments, and only an
// approved pack can be released. Review holds where the pack stands and
// every step taken, so the case shows who did what.

// ReviewState is where a response pack stands.
type ReviewState string

const (
	ReviewSubmitted ReviewState = "submitted"
	ReviewReturned  ReviewState = "returned"
	ReviewApproved  ReviewState = "approved"
	ReviewReleased  ReviewState = "released"
)

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
}
