package public

import (
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// answers is everything the form has asked so far, kept in the session.
type answers struct {
	// RequestID makes the submission idempotent: sending the check page
	// twice (a double click, or Back and send again) opens one case.
	RequestID string `json:"request_id,omitempty"`

	NoticeID    string         `json:"notice_id,omitempty"`
	Audience    string         `json:"audience,omitempty"` // an audience id, or anyAudience
	Context     string         `json:"context,omitempty"`  // a context id, or anyContext
	Rights      []notice.Right `json:"rights,omitempty"`
	Description string         `json:"description,omitempty"`
	PeriodDone  bool           `json:"period_done,omitempty"`
	From        string         `json:"from,omitempty"` // ISO dates, each optional
	To          string         `json:"to,omitempty"`

	Name    string `json:"name,omitempty"`
	Email   string `json:"email,omitempty"`
	Address string `json:"address,omitempty"`
	Region  string `json:"region,omitempty"` // a key of regions
	Who     string `json:"who,omitempty"`    // forSelf or forSomeoneElse

	SubjectName     string `json:"subject_name,omitempty"`
	SubjectEmail    string `json:"subject_email,omitempty"`
	SubjectAddress  string `json:"subject_address,omitempty"`
	AuthorityKind   string `json:"authority_kind,omitempty"` // a key of authorities
	AuthorityDetail string `json:"authority_detail,omitempty"`

	// Submitted is set once the case is open; the confirmation page shows
	// it, and any question page starts a new request.
	Submitted *submitted `json:"submitted,omitempty"`
}

const (
	anyAudience    = "none"
	anyContext     = "all"
	forSelf        = "self"
	forSomeoneElse = "someone-else"
)

// submitted is what the confirmation page shows.
type submitted struct {
	Reference    string       `json:"reference"`
	StatusCode   string       `json:"status_code"`
	Due          string       `json:"due"`
	Steps        []cases.Step `json:"steps"`
	PassedTo     string       `json:"passed_to,omitempty"`
	Email        string       `json:"email,omitempty"`
	EmailOutcome emailOutcome `json:"email_outcome"`
}

type emailOutcome string

const (
	emailSent      emailOutcome = "sent"
	emailFailed    emailOutcome = "failed"
	emailOff       emailOutcome = "off"        // no SMTP relay is configured
	emailNoAddress emailOutcome = "no-address" // the requester gave only a postal address
)

// regions are the answers to "Where do you live?" and the bank-holiday
// calendar each one counts the deadline with. Outside the UK, the
// controller's own calendar (England and Wales) applies.
var regions = []struct{ key, label, calendar string }{
	{"england", "England", "england-and-wales"},
	{"wales", "Wales", "england-and-wales"},
	{"scotland", "Scotland", "scotland"},
	{"northern-ireland", "Northern Ireland", "northern-ireland"},
	{"outside-uk", "Outside the UK", "england-and-wales"},
}

func regionLabel(key string) string {
	for _, r := range regions {
		if r.key == key {
			return r.label
		}
	}
	return ""
}

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

// chooseNotice records the notice and forgets the answers that depended on
// the one chosen before.
func (a *answers) chooseNotice(id string) {
	if a.NoticeID != id {
		a.Audience, a.Context, a.Rights = "", "", nil
	}
	a.NoticeID = id
}

// chooseContext records the part of the processing; the rights were
// explained for the old one, so they are asked again.
func (a *answers) chooseContext(id string) {
	if a.Context != id {
		a.Rights = nil
	}
	a.Context = id
}

// chooseWho records whom the request is for, dropping another person's
// details once they no longer apply.
func (a *answers) chooseWho(who string) {
	a.Who = who
	if who == forSelf {
		a.SubjectName, a.SubjectEmail, a.SubjectAddress, a.AuthorityKind, a.AuthorityDetail = "", "", "", "", ""
	}
}
