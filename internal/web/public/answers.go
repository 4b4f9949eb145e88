package public

import (
	"slices"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// answers is everything the form has asked so far, kept in the session.
type answers struct {
	// RequestID makes the submission idempotent: sending the check page
	// twice (a double click, or Back and send again) opens one case.
	RequestID string `json:"request_id,omitempty"`

	Rights []notice.Right `json:"rights,omitempty"`

	// Services are the notices the request names, in the order the form
	// lists them; none, once ServicesDone, means everything held about
	// the person. Query is the services page's search, kept here rather
	// than in the address, where whatever a person types would be logged.
	Services     []service `json:"services,omitempty"`
	ServicesDone bool      `json:"services_done,omitempty"`
	Query        string    `json:"query,omitempty"`

	Who string `json:"who,omitempty"` // forSelf or forSomeoneElse

	// The person filling in the form: the data subject, or their
	// representative.
	Name    string `json:"name,omitempty"`
	Email   string `json:"email,omitempty"`
	Address string `json:"address,omitempty"`

	SubjectName     string `json:"subject_name,omitempty"`
	SubjectEmail    string `json:"subject_email,omitempty"`
	SubjectAddress  string `json:"subject_address,omitempty"`
	AuthorityKind   string `json:"authority_kind,omitempty"` // a key of authorities
	AuthorityDetail string `json:"authority_detail,omitempty"`

	// What helps find the data, all optional.
	FindDone    bool   `json:"find_done,omitempty"`
	Identifiers string `json:"identifiers,omitempty"`
	From        string `json:"from,omitempty"` // ISO dates
	To          string `json:"to,omitempty"`
	Description string `json:"description,omitempty"`

	// Submitted is set once the case is open; the confirmation page shows
	// it, and any question page starts a new request.
	Submitted *submitted `json:"submitted,omitempty"`

	// Lookup is the request last looked up on the status page, which the
	// reply and withdraw pages act on (see reply.go).
	Lookup *statusLookup `json:"lookup,omitempty"`
}

// service is one notice chosen, and the group the person said they are in
// when the notice has several ("" when they did not say).
type service struct {
	NoticeID string `json:"notice_id"`
	Audience string `json:"audience,omitempty"` // an audience id, or anyAudience
}

const (
	anyAudience    = "none"
	forSelf        = "self"
	forSomeoneElse = "someone-else"
)

// submitted is what the confirmation page shows.
type submitted struct {
	Reference  string `json:"reference"`
	StatusCode string `json:"status_code"`
	// Notices are the notices named, as pinned on the case, for their
	// contact details.
	Notices      []cases.CaseNotice `json:"notices,omitempty"`
	Due          string             `json:"due"`
	Steps        []cases.Step       `json:"steps"`
	PassedTo     string             `json:"passed_to,omitempty"`
	Email        string             `json:"email,omitempty"`
	EmailOutcome emailOutcome       `json:"email_outcome"`
}

type emailOutcome string

const (
	emailQueued    emailOutcome = "queued" // an acknowledgement waits in the outbox
	emailSent      emailOutcome = "sent"
	emailRetrying  emailOutcome = "retrying" // the relay refused it for now
	emailFailed    emailOutcome = "failed"
	emailOff       emailOutcome = "off"        // no SMTP relay is configured
	emailNoAddress emailOutcome = "no-address" // the requester gave only a postal address
)

// authorities are the usual grounds for acting for someone else.
var authorities = []struct{ key, label string }{
	{"parental", "I have parental responsibility for them"},
	{"written-consent", "They have given me written permission"},
	{"attorney", "I hold a lasting power of attorney for them, or am their deputy"},
	{"other", "Something else"},
}

func authorityLabel(key string) string {
	for _, a := range authorities {
		if a.key == key {
			return a.label
		}
	}
	return ""
}

// chosen reports whether the notice is among the services chosen.
func (a *answers) chosen(noticeID string) bool {
	return slices.ContainsFunc(a.Services, func(s service) bool { return s.NoticeID == noticeID })
}

// chooseWho records whom the request is for, dropping another person's
// details once they no longer apply.
func (a *answers) chooseWho(who string) {
	a.Who = who
	if who == forSelf {
		a.SubjectName, a.SubjectEmail, a.SubjectAddress, a.AuthorityKind, a.AuthorityDetail = "", "", "", "", ""
	}
}
