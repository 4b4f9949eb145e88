package casework

import (
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/letters"
)

// AcknowledgesByEmail reports whether a new case gets an acknowledgement
// email: one asked for through the public pages, with an address to send
// it to, on a service that sends letters. Staff who log a request hand the
// requester its acknowledgement themselves, and API clients tell their own
// users.
func (s *Service) AcknowledgesByEmail(c *cases.Case) bool {
	return s.writesTo(c) && c.Requester.Person.Email != "" && c.Channel == cases.ChannelWeb
}

// statusCodePlaceholder stands for the status code in the kept copy of an
// acknowledgement: the case keeps only the code's hash.
const statusCodePlaceholder = "[status code: sent to the requester, not kept]"

// acknowledgement is the letter confirming that c arrived. The template
// tells the requester to check progress with "the status code we gave
// you"; the email is where they are given it (the confirmation page shows
// it once), so a section carrying the code, as its placeholder, is added
// before the contacts, or at the end of a template that has none.
func (s *Service) acknowledgement(c *cases.Case, env cases.Env, statusCode string) (letters.Letter, []cases.Secret, error) {
	l, err := s.letters.Write(letters.KindAcknowledgement, letters.Facts{Case: c, Notice: env.Notice, On: env.Today().String()})
	if err != nil || statusCode == "" {
		return l, nil, err
	}
	section := "## Your status code\n\nYour status code is " + statusCodePlaceholder + ". " +
		"You need it with your reference, " + c.Reference + ", to check the progress of your request. " +
		"Keep it private: anyone who has it and your reference can see how your request is going (but none of your personal details).\n\n"
	text := l.Text
	if i := strings.Index(text, "\n"+contactsHeading); i >= 0 {
		text = text[:i+1] + section + text[i+1:]
	} else {
		text += "\n" + section
	}
	l, err = s.letters.Revise(l, text)
	return l, []cases.Secret{{Placeholder: statusCodePlaceholder, Value: cases.GroupStatusCode(statusCode)}}, err
}

// contactsHeading opens the contacts section of the built-in letters.
const contactsHeading = "## Contact us\n"
