package cases

import (
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// NewCase is a request as received.
type NewCase struct {
	// Notices are the notices the request names: any number, none for a
	// request about everything held. Env.Notice finds them.
	Notices     []NoticeRef
	Rights      []notice.Right
	Description string
	Requester   Requester
	Channel     Channel
	Region      string // default england-and-wales
	ReceivedOn  string // ISO date; default today
	RequestID   string
}

// Created is a new case and the secrets and audit record that go with it.
type Created struct {
	Case        *Case
	StatusToken string
	Change      Change
}

// Create opens a case. It never refuses a request for the right it asks
// for: the evaluation against each notice is recorded to drive triage.
func Create(in NewCase, env Env) (*Created, error) {
	notices, err := validateNew(&in, env)
	if err != nil {
		return nil, err
	}
	c := &Case{
		Description: strings.TrimSpace(in.Description), Requester: in.Requester, Channel: in.Channel,
		Region: in.Region, ReceivedOn: in.ReceivedOn, RequestID: in.RequestID,
		State: StateNew, IdentityStatus: IdentityNotRequested, FeeStatus: FeeNotRequired,
		Version: 1, Created: env.Now, Updated: env.Now,
	}
	for _, n := range notices {
		c.Notices = append(c.Notices, n.ref)
	}
	if err := evaluate(c, notices, in.Rights); err != nil {
		return nil, err
	}
	c.OtherController = otherController(notices)
	if err := c.recomputeClock(env.Engine); err != nil {
		return nil, asCaseField(err)
	}
	c.syncArticle19Tasks(notices)
	if err := c.checkFull(); err != nil {
		return nil, err
	}
	token, err := assignIdentifiers(c, env)
	if err != nil {
		return nil, err
	}
	after := snapshot(c)
	return &Created{Case: c, StatusToken: token, Change: Change{
		Action: "case.created", Before: map[string]string{}, After: after,
		Personal: map[string]any{"requester": c.Requester, "description": c.Description},
	}}, nil
}

func assignIdentifiers(c *Case, env Env) (string, error) {
	var err error
	if c.ID, err = NewID(env.Now, env.Random); err != nil {
		return "", err
	}
	if c.Reference, err = NewReference(env.Random); err != nil {
		return "", err
	}
	token, hash, err := NewStatusToken(env.Random)
	c.StatusTokenHash = hash
	return token, err
}

// NewReferenceFor replaces a reference that collided with an existing one.
func NewReferenceFor(c *Case, env Env) (err error) {
	c.Reference, err = NewReference(env.Random)
	return err
}

// validateNew checks the request, names every bad field, fills in the
// defaults and returns the notices it names, pinned to the versions in
// force when it was received.
func validateNew(in *NewCase, env Env) ([]resolvedNotice, error) {
	var v []fault.FieldViolation
	add := func(field, format string, args ...any) {
		v = append(v, fault.FieldViolation{Field: field, Description: fmt.Sprintf(format, args...)})
	}
	validateRights(in.Rights, add)
	received := ""
	if validateReceived(in, env, add) {
		received = in.ReceivedOn // an unusable date leaves the current versions to check against
	}
	notices, bad := resolveNotices(in.Notices, received, env, "case.notices")
	v = append(v, bad...)
	validateRequester(in.Requester, add)
	if problem := textProblem(in.Description, MaxDescription, paragraph); problem != "" {
		add("case.description", "%s", problem)
	}
	if problem := identifierProblem(in.RequestID, false); problem != "" {
		add("request_id", "%s", problem)
	}
	if in.Channel == "" {
		in.Channel = ChannelAPI
	} else if !slices.Contains(Channels, in.Channel) {
		add("case.channel", "unknown channel %q", in.Channel)
	}
	if in.Region == "" {
		in.Region = deadline.EnglandAndWales
	}
	return notices, invalidIf(v)
}

func validateRights(rights []notice.Right, add func(string, string, ...any)) {
	if len(rights) == 0 {
		add("case.rights", "name at least one right")
	}
	seen := map[notice.Right]bool{}
	for i, r := range rights {
		switch {
		case !r.Valid():
			add(fmt.Sprintf("case.rights[%d]", i), "unknown right %q", r)
		case seen[r]:
			add(fmt.Sprintf("case.rights[%d]", i), "%s is named twice", r)
		}
		seen[r] = true
	}
}

func validateRequester(r Requester, add func(string, string, ...any)) {
	validatePerson("case.requester.person", r.Person, add)
	switch r.Relationship {
	case RelationshipSelf:
	case RelationshipRepresentative:
		if r.DataSubject == nil || strings.TrimSpace(r.DataSubject.Name) == "" {
			add("case.requester.data_subject.name", "is required when acting for someone else")
		}
		if r.DataSubject != nil {
			checkPersonText("case.requester.data_subject", *r.DataSubject, add)
		}
		if strings.TrimSpace(r.Authority) == "" {
			add("case.requester.authority", "say what gives the representative authority (e.g. a signed letter, parental responsibility)")
		}
		if problem := textProblem(r.Authority, MaxLine, paragraph); problem != "" {
			add("case.requester.authority", "%s", problem)
		}
	default:
		add("case.requester.relationship", "must be self or representative")
	}
}

func validatePerson(field string, p Person, add func(string, string, ...any)) {
	if strings.TrimSpace(p.Name) == "" {
		add(field+".name", "is required")
	}
	if p.Email == "" && p.PostalAddress == "" && p.Phone == "" {
		add(field+".email", "give at least one way to reach the requester: email, postal address or phone")
	}
	if p.Email != "" {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email {
			add(field+".email", "%q is not an email address", p.Email)
		}
	}
	checkPersonText(field, p, add)
}

// checkPersonText checks each of a person's details as text: a postal
// address may run over several lines, the rest are one line each.
func checkPersonText(field string, p Person, add func(string, string, ...any)) {
	for _, f := range []struct {
		name, value string
		kind        textKind
	}{{"name", p.Name, line}, {"email", p.Email, line}, {"phone", p.Phone, line}, {"postal_address", p.PostalAddress, paragraph}} {
		if problem := textProblem(f.value, MaxLine, f.kind); problem != "" {
			add(field+"."+f.name, "%s", problem)
		}
	}
}

// validateReceived defaults the date of receipt to today and reports
// whether it is usable.
func validateReceived(in *NewCase, env Env, add func(string, string, ...any)) bool {
	today := env.Today()
	if in.ReceivedOn == "" {
		in.ReceivedOn = today.String()
		return true
	}
	d, err := deadline.ParseDate(in.ReceivedOn)
	switch {
	case err != nil:
		add("case.received_on", "%q is not a date (YYYY-MM-DD)", in.ReceivedOn)
	case d.After(today):
		add("case.received_on", "%s is in the future", in.ReceivedOn)
	default:
		return true
	}
	return false
}

// asCaseField prefixes the clock's field errors with the case field they
// came from.
func asCaseField(err error) error {
	var fe *deadline.FieldError
	if errors.As(err, &fe) {
		field := map[string]string{"received": "case.received_on", "region": "case.region"}[fe.Field]
		if field == "" {
			field = "case." + fe.Field
		}
		return fault.Invalid(field, "%s", fe.Description)
	}
	return err
}
