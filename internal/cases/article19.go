package cases

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// RecipientNotice is a recipient of the requester's data to tell, as the
// case closes, that it was corrected, deleted or restricted (UK GDPR
// Article 19), and the email address to tell them at.
type RecipientNotice struct {
	Recipient string
	Email     string
	// LetterText is staff's wording of the letter to this recipient, in
	// the letters' markup; "" sends the template's. The domain does not
	// read it: the use case writing the letter does.
	LetterText string
}

// RecipientNoticesField is the field the recipients to tell are named by,
// each one's parts as RecipientNoticesField[i].recipient and .email.
const RecipientNoticesField = "recipient_notices"

// RecipientNoticeField names part of the i-th recipient to tell.
func RecipientNoticeField(i int, part string) string {
	return fmt.Sprintf("%s[%d].%s", RecipientNoticesField, i, part)
}

// Article19Outcomes are the outcomes after which recipients are told: the
// correction, deletion or restriction was made, in full or in part.
var Article19Outcomes = []OutcomeKind{OutcomeFulfilled, OutcomePartiallyFulfilled}

// AsksArticle19 reports whether the case asks for a right after which each
// recipient of the data must be told: rectification, erasure, restriction.
func (c *Case) AsksArticle19() bool {
	return slices.ContainsFunc(c.Rights, func(r RequestedRight) bool { return slices.Contains(article19Rights, r.Right) })
}

// checkRecipientNotices checks the recipients a close names to tell: only
// for an Article 19 right done in full or in part, at most
// MaxRecipientNotices, each named once with a name and an email address,
// and none already told or found impossible to tell.
func checkRecipientNotices(c *Case, outcome OutcomeKind, notices []RecipientNotice) error {
	if len(notices) == 0 {
		return nil
	}
	switch {
	case !c.AsksArticle19():
		return fault.Invalid(RecipientNoticesField, "recipients are told only after a correction, deletion or restriction, and this request asks for none")
	case !slices.Contains(Article19Outcomes, outcome):
		return fault.Invalid(RecipientNoticesField, "recipients are told only when the request is fulfilled or partially fulfilled")
	case len(notices) > MaxRecipientNotices:
		return fault.Invalid(RecipientNoticesField, "name at most %d recipients at a time; tell the others by completing their tasks", MaxRecipientNotices)
	}
	var v []fault.FieldViolation
	seen := map[string]bool{}
	for i, n := range notices {
		name, email := strings.TrimSpace(n.Recipient), strings.TrimSpace(n.Email)
		checkText(&v, RecipientNoticeField(i, "recipient"), name, MaxLine, line, "name the recipient")
		checkText(&v, RecipientNoticeField(i, "email"), email, MaxLine, line, "enter the email address to write to "+name)
		if email != "" && !isBareEmail(email) {
			v = append(v, fault.FieldViolation{Field: RecipientNoticeField(i, "email"), Description: fmt.Sprintf("%q is not an email address, like name@example.org", email)})
		}
		key := strings.ToLower(name)
		switch t := c.Article19Task(name); {
		case name == "":
		case seen[key]:
			v = append(v, fault.FieldViolation{Field: RecipientNoticeField(i, "recipient"), Description: name + " is named twice"})
		case t != nil && t.State != TaskOpen:
			v = append(v, fault.FieldViolation{Field: RecipientNoticeField(i, "recipient"), Description: fmt.Sprintf("%s's task is already %s", name, t.State)})
		}
		seen[key] = true
	}
	return invalidIf(v)
}

// isBareEmail reports whether s is one email address and nothing else: no
// display name, no angle brackets, no list.
func isBareEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s && strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".")
}

// Article19Task is the case's Article 19 task for the recipient named,
// matched without regard to case, or nil.
func (c *Case) Article19Task(recipient string) *Task {
	for i := range c.Tasks {
		if t := &c.Tasks[i]; t.Kind == TaskArticle19 && strings.EqualFold(t.Recipient, recipient) {
			return t
		}
	}
	return nil
}

// tellRecipients records each recipient as told on day on: its open task
// done, or a new done task for a recipient the notices did not list, with
// the address written to. It returns the recipients as the tasks name
// them, for the letters, and what the audit payload keeps.
func (c *Case) tellRecipients(notices []RecipientNotice, on, actor string) []string {
	told := make([]string, 0, len(notices))
	for _, n := range notices {
		name, email := strings.TrimSpace(n.Recipient), strings.TrimSpace(n.Email)
		t := c.Article19Task(name)
		if t == nil {
			c.Tasks = append(c.Tasks, Task{ID: c.nextTaskID(), Kind: TaskArticle19, Recipient: name, Due: c.Clock.Due})
			t = &c.Tasks[len(c.Tasks)-1]
		}
		t.State, t.Email, t.CompletedBy, t.CompletedOn = TaskDone, email, actor, on
		t.Resolution = "Told by email when the case closed."
		told = append(told, t.Recipient+" <"+email+">")
	}
	return told
}

// Told are the recipients the case has told by letter (Article 19), in
// the order of its tasks, each with the address written to.
func (c *Case) Told() []Task {
	var out []Task
	for _, t := range c.Tasks {
		if t.Kind == TaskArticle19 && t.State == TaskDone && t.Email != "" {
			out = append(out, t)
		}
	}
	return out
}
