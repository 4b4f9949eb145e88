package cases

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// Requests about Rightsdesk's own data: a person may ask the operator what
// Rightsdesk holds about them, to correct it or to erase it. A person is a
// case's if they made the request or are the data subject a
// representative named; both are personal data the case holds about them.
// The rules of who matches and how a correction applies are stated here
// (which cases may be erased is CheckPurge's, retention.go); casework
// finds the cases and writes.

// Subject identifies one person across cases: by the normalised email
// address when there is one (EmailTerm), otherwise by every word of the
// name (NameTerms), as the requester index does.
type Subject struct {
	Email string
	Name  []string
}

// SubjectByEmail is the person with the email address.
func SubjectByEmail(email string) Subject { return Subject{Email: EmailTerm(email)} }

// SubjectByName is the person with every word of the name.
func SubjectByName(name string) Subject { return Subject{Name: NameTerms(name)} }

// Empty reports whether the subject names nobody (a blank address or name).
func (s Subject) Empty() bool { return s.Email == "" && len(s.Name) == 0 }

// Matches reports whether p is the subject.
func (s Subject) Matches(p *Person) bool {
	if p == nil || s.Empty() {
		return false
	}
	if s.Email != "" {
		return EmailTerm(p.Email) == s.Email
	}
	words := NameTerms(p.Name)
	for _, w := range s.Name {
		if _, found := slices.BinarySearch(words, w); !found {
			return false
		}
	}
	return true
}

// SubjectRole is how a person appears on a case.
type SubjectRole string

const (
	AsRequester   SubjectRole = "requester"
	AsDataSubject SubjectRole = "data_subject"
)

// RolesOf is how the subject appears on c: as its requester, as the data
// subject a representative named, or both; none when c is not theirs.
func (s Subject) RolesOf(c *Case) []SubjectRole {
	var roles []SubjectRole
	if s.Matches(&c.Requester.Person) {
		roles = append(roles, AsRequester)
	}
	if s.Matches(c.Requester.DataSubject) {
		roles = append(roles, AsDataSubject)
	}
	return roles
}

// SubjectOf is the person a case is about: the data subject a
// representative named, otherwise the requester.
func SubjectOf(c *Case) *Person {
	if c.Requester.Relationship == RelationshipRepresentative && c.Requester.DataSubject != nil {
		return c.Requester.DataSubject
	}
	return &c.Requester.Person
}

// Rectify corrects the subject's details wherever they appear on a case,
// open or closed: each non-empty field of Correction replaces the one held
// (an empty field leaves it as it is). The reason is kept with the case's
// sealed personal data; the audit event names only the fields corrected.
type Rectify struct {
	Subject    Subject
	Correction Person
	Reason     string
}

// Action implements Command.
func (Rectify) Action() string { return "case.subject_rectified" }

// Fields are the names of the details the correction changes, in a fixed
// order, for the audit event: never their values.
func (cmd Rectify) Fields() []string {
	var fields []string
	for _, f := range personFields(cmd.Correction) {
		if strings.TrimSpace(f.value) != "" {
			fields = append(fields, f.name)
		}
	}
	return fields
}

type personField struct {
	name  string
	value string
	set   func(p *Person, v string)
}

func personFields(p Person) []personField {
	return []personField{
		{"name", p.Name, func(p *Person, v string) { p.Name = v }},
		{"email", p.Email, func(p *Person, v string) { p.Email = v }},
		{"phone", p.Phone, func(p *Person, v string) { p.Phone = v }},
		{"postal_address", p.PostalAddress, func(p *Person, v string) { p.PostalAddress = v }},
	}
}

// CheckRectification checks a correction and its reason on their own, so
// a caller can refuse bad input before reading any case.
func (cmd Rectify) CheckRectification() error {
	var v []fault.FieldViolation
	add := func(field, format string, args ...any) {
		v = append(v, fault.FieldViolation{Field: field, Description: fmt.Sprintf(format, args...)})
	}
	checkText(&v, "reason", strings.TrimSpace(cmd.Reason), MaxDetail, paragraph, "say why the details are corrected")
	if len(cmd.Fields()) == 0 {
		add("correction", "give at least one detail to correct: name, email, phone or postal address")
	}
	if e := strings.TrimSpace(cmd.Correction.Email); e != "" {
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			add("correction.email", "%q is not an email address", e)
		}
	}
	checkPersonText("correction", cmd.Correction, add)
	return invalidIf(v)
}

func (cmd Rectify) apply(c *Case, _ Env) (map[string]any, error) {
	if err := cmd.CheckRectification(); err != nil {
		return nil, err
	}
	var people []*Person
	for _, p := range []*Person{&c.Requester.Person, c.Requester.DataSubject} {
		if cmd.Subject.Matches(p) {
			people = append(people, p)
		}
	}
	if len(people) == 0 {
		return nil, &fault.FailedPrecondition{Subject: c.Name(), Description: "the case is not about this person"}
	}
	for _, p := range people {
		for _, f := range personFields(cmd.Correction) {
			if v := strings.TrimSpace(f.value); v != "" {
				f.set(p, v)
			}
		}
	}
	var v []fault.FieldViolation
	validateRequester(c.Requester, func(field, format string, args ...any) {
		v = append(v, fault.FieldViolation{Field: field, Description: fmt.Sprintf(format, args...)})
	})
	if err := invalidIf(v); err != nil {
		return nil, err
	}
	return map[string]any{"requester": c.Requester, "rectification_reason": strings.TrimSpace(cmd.Reason)}, nil
}
