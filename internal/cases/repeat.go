package cases

import (
	"slices"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// Repeats reports whether cmd is a retry of a request the case already
// records, by the client's request id (AIP-155): the caller then returns
// the case as it is and writes nothing, so a request sent twice (a
// timeout, a lost answer) has the effect of one. A command without a
// request id never repeats. A command whose request id the case records
// for a different request (other text, another kind of entry) is no
// retry but a client reusing an id by mistake: that is a
// *fault.RequestReused naming the case, and nothing is written either.
func Repeats(c *Case, cmd Command) (bool, error) {
	var recorded, same bool
	var requestID string
	switch cmd := cmd.(type) {
	case AddNote:
		requestID = cmd.RequestID
		i := slices.IndexFunc(c.Notes, func(n Note) bool { return n.RequestID == cmd.RequestID })
		recorded = cmd.RequestID != "" && i >= 0
		same = recorded && c.Notes[i].Text == strings.TrimSpace(cmd.Text)
	case RecordSearch:
		requestID = cmd.RequestID
		s, ok := c.searchBy(cmd.RequestID)
		recorded = ok
		same = ok && s.Kind == SearchDone && s.Source == strings.TrimSpace(cmd.Source) && s.Found == strings.TrimSpace(cmd.Found) &&
			(strings.TrimSpace(cmd.By) == "" || s.By == strings.TrimSpace(cmd.By))
	case RecordNotSearched:
		requestID = cmd.RequestID
		s, ok := c.searchBy(cmd.RequestID)
		recorded = ok
		same = ok && s.Kind == SearchSkipped && s.Source == strings.TrimSpace(cmd.Source) && s.Reason == strings.TrimSpace(cmd.Reason)
	}
	switch {
	case !recorded:
		return false, nil
	case !same:
		return false, &fault.RequestReused{RequestID: requestID, Name: c.Name(), Added: true,
			Detail: "case " + c.Reference + " records another request under that id"}
	}
	return true, nil
}

// searchBy finds the search entry recorded by requestID.
func (c *Case) searchBy(requestID string) (Search, bool) {
	if requestID == "" {
		return Search{}, false
	}
	i := slices.IndexFunc(c.Searches, func(s Search) bool { return s.RequestID == requestID })
	if i < 0 {
		return Search{}, false
	}
	return c.Searches[i], true
}
