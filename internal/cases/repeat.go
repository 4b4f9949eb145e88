package cases

import "slices"

// Repeats reports whether cmd is a retry of a request the case already
// records, by the client's request id (AIP-155): the caller then returns
// the case as it is and writes nothing, so a request sent twice (a
// timeout, a lost answer) has the effect of one. A command without a
// request id never repeats.
func Repeats(c *Case, cmd Command) bool {
	switch cmd := cmd.(type) {
	case AddNote:
		return cmd.RequestID != "" && slices.ContainsFunc(c.Notes, func(n Note) bool { return n.RequestID == cmd.RequestID })
	case RecordSearch:
		return c.recordsSearch(cmd.RequestID)
	case RecordNotSearched:
		return c.recordsSearch(cmd.RequestID)
	}
	return false
}

// recordsSearch reports whether a search entry was recorded by requestID.
func (c *Case) recordsSearch(requestID string) bool {
	return requestID != "" && slices.ContainsFunc(c.Searches, func(s Search) bool { return s.RequestID == requestID })
}
