package cases

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// Limits on what a case holds. They are enforced here, in the domain, so
// every door (gRPC, REST, the web pages, the CLI) refuses the same input
// with the same field named; the protos repeat them as buf.validate
// constraints so the generated API documentation states them, but these
// are the authority. Lengths are in characters (Unicode code points), as
// protovalidate's max_len counts them.
const (
	// MaxDescription bounds the request in the requester's own words.
	MaxDescription = 20000
	// MaxLine bounds one line about a person: a name, phone number, postal
	// address, or what gives a representative authority.
	MaxLine = 1000
	// MaxDetail bounds what was asked of or sent by the requester, and the
	// reason given for an extension, a reopening or an impossible task.
	MaxDetail = 2000
	// MaxOutcomeDetail bounds what is said about how a case closed.
	MaxOutcomeDetail = 4000
	// MaxNote bounds one caseworker's note.
	MaxNote = 10000
	// MaxIdentifier bounds a client's request id and an assignee, which
	// are also index keys.
	MaxIdentifier = 128

	// MaxNotes, MaxSearches and MaxClarifications bound how many of each a
	// case holds, and MaxCaseText the bytes of free text in all of it
	// together, so that a case always fits one API response (gRPC clients
	// refuse messages over 4 MiB by default) and one web page.
	MaxNotes          = 100
	MaxSearches       = 200
	MaxClarifications = 20
	MaxCaseText       = 2 << 20

	// MaxRecipientNotices bounds the recipients one close tells of a
	// correction, deletion or restriction (Article 19), each with a letter
	// queued in the close's transaction.
	MaxRecipientNotices = 20
)

// textKind says which characters a piece of text may hold.
type textKind int

const (
	// line is one line: no control characters at all, and none of the
	// Unicode controls that reorder how text is displayed.
	line textKind = iota
	// paragraph may also break lines and hold tabs.
	paragraph
)

// textProblem says what is wrong with value as text of kind no longer than
// limit characters, or "" when nothing is. It does not judge emptiness.
func textProblem(value string, limit int, kind textKind) string {
	if !utf8.ValidString(value) {
		return "is not valid UTF-8 text"
	}
	if n := utf8.RuneCountInString(value); n > limit {
		return fmt.Sprintf("is %d characters long; the limit is %d", n, limit)
	}
	for _, r := range value {
		if kind == paragraph && (r == '\n' || r == '\r' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) || (kind == line && reordersText(r)) {
			return fmt.Sprintf("must not contain the control character %U", r)
		}
	}
	return ""
}

// reordersText reports the bidirectional embedding, override and isolate
// controls (U+202A–U+202E, U+2066–U+2069) and the invisible direction
// marks (U+200E, U+200F, U+061C), with which a name can be made to display
// as something else: "Ada\u202Egpj.exe" shows as "Adaexe.jpg".
func reordersText(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069') ||
		r == '\u200E' || r == '\u200F' || r == '\u061C'
}

// LineProblem says what is wrong with value as one line of text a person
// is known by (a requester's, a data subject's or a staff member's name)
// no longer than limit characters, or "" when nothing is: it must be
// UTF-8 and hold no control character (C0, C1) and none of the
// characters that reorder how text is displayed (reordersText). Every
// name is held to this one rule, wherever it is typed.
func LineProblem(value string, limit int) string {
	return textProblem(value, limit, line)
}

// WithoutHiddenText is value less the characters LineProblem refuses, for
// a name that comes from elsewhere (an identity provider's claim) and is
// shown, not refused.
func WithoutHiddenText(value string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || reordersText(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, value)
}

// checkText records a violation when value is empty and missing says what
// to write (an empty missing makes the field optional), or when it is not
// acceptable text of its kind.
func checkText(v *[]fault.FieldViolation, field, value string, limit int, kind textKind, missing string) {
	switch {
	case value == "" && missing != "":
		*v = append(*v, fault.FieldViolation{Field: field, Description: missing})
	case value != "":
		if problem := textProblem(value, limit, kind); problem != "" {
			*v = append(*v, fault.FieldViolation{Field: field, Description: problem})
		}
	}
}

// invalidIf returns the violations as one error, or nil when there are none.
func invalidIf(v []fault.FieldViolation) error {
	if len(v) == 0 {
		return nil
	}
	return &fault.InvalidArgument{Violations: v}
}

// identifierProblem checks a request id or an assignee: 1 to MaxIdentifier
// printable ASCII characters without spaces; an assignee also without
// quotes or backslashes, since list filters quote it.
func identifierProblem(value string, quotable bool) string {
	if len(value) > MaxIdentifier {
		return fmt.Sprintf("is %d characters long; the limit is %d", utf8.RuneCountInString(value), MaxIdentifier)
	}
	for _, r := range value {
		if r <= ' ' || r > '~' || (quotable && (r == '"' || r == '\\')) {
			if quotable {
				return "use only printable ASCII letters, digits and punctuation, without spaces, quotes or backslashes"
			}
			return "use only printable ASCII letters, digits and punctuation, without spaces"
		}
	}
	return ""
}

// CheckRequestID checks a client's request id ("" is allowed: no
// idempotency asked for) before anything looks it up.
func CheckRequestID(id string) error {
	if problem := identifierProblem(id, false); problem != "" {
		return fault.Invalid("request_id", "%s", problem)
	}
	return nil
}

// textBytes is the free text the case holds, in bytes.
func (c *Case) textBytes() int {
	n := len(c.Description) + personBytes(&c.Requester.Person) + len(c.Requester.Authority)
	if c.Requester.DataSubject != nil {
		n += personBytes(c.Requester.DataSubject)
	}
	for _, note := range c.Notes {
		n += len(note.Text)
	}
	for _, s := range c.Searches {
		n += len(s.Source) + len(s.By) + len(s.Found) + len(s.Reason)
	}
	for _, t := range c.Tasks {
		n += len(t.Resolution) + len(t.Recipient) + len(t.Email)
	}
	for _, e := range c.Exchanges {
		n += len(e.Detail)
		for _, f := range e.Files {
			n += len(f.Name)
		}
	}
	for _, m := range c.Messages {
		n += len(m.Subject) + len(m.To) + len(m.Recipient) + len(m.Delivery.lastError())
	}
	if c.Extension != nil {
		n += len(c.Extension.Reason)
	}
	if c.Outcome != nil {
		n += len(c.Outcome.Detail) + len(c.Outcome.ActionTaken)
	}
	return n
}

func personBytes(p *Person) int {
	return len(p.Name) + len(p.Email) + len(p.Phone) + len(p.PostalAddress)
}

// checkFull refuses a change that would take the case over MaxCaseText.
func (c *Case) checkFull() error {
	if n := c.textBytes(); n > MaxCaseText {
		return &fault.FailedPrecondition{Subject: c.Name(), Description: fmt.Sprintf(
			"the case would hold %d bytes of text, over the %d one case can hold; summarise, or attach long material as a document", n, MaxCaseText)}
	}
	return nil
}

// checkRoom refuses adding one more of what a case already holds limit of.
func (c *Case) checkRoom(have, limit int, what string) error {
	if have >= limit {
		return &fault.FailedPrecondition{Subject: c.Name(), Description: fmt.Sprintf("the case already has %d %s, as many as one case holds", have, what)}
	}
	return nil
}
