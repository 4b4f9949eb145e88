package letters

import "github.com/rightsdesk/rightsdesk/internal/cases"

// Needed is the letter the requester must be sent because cmd was done
// to a case, and false when the step tells them nothing: asking them for
// something, extending the time limit and closing the request (however it
// closes) each need a letter; the rest of a case's steps are staff's own.
// The case's acknowledgement is not a command's: it goes with the case's
// creation.
func Needed(cmd cases.Command) (Kind, bool) {
	switch cmd := cmd.(type) {
	case cases.RequestFromRequester:
		return RequestKind(cmd.What)
	case cases.Extend:
		return KindExtensionNotice, true
	case cases.Close:
		return ClosingKind(cmd.Outcome)
	case cases.Withdraw:
		return KindWithdrawn, true
	case cases.MergeInto:
		return KindDuplicate, true
	}
	return "", false
}
