package public

import (
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// rightCopy is how the form names and explains each right to the public.
var rightCopy = map[notice.Right]struct{ label, description string }{
	notice.RightAccess: {"Get a copy of my personal data",
		"Find out what personal data is held about you, how it is used and who it is shared with, and get a copy."},
	notice.RightRectification: {"Correct or complete my personal data",
		"Have personal data that is wrong corrected, or data that is incomplete completed."},
	notice.RightErasure: {"Delete my personal data",
		"Have your personal data deleted, for example when it is no longer needed for the reason it was collected."},
	notice.RightRestriction: {"Limit how my personal data is used",
		"Have your data kept but not used, for example while a question about its accuracy is being looked into."},
	notice.RightObjection: {"Object to how my personal data is used",
		"Ask for your data to stop being used, because of your particular situation."},
	notice.RightObjectionDirectMarketing: {"Stop direct marketing",
		"Stop your data being used to send you marketing."},
	notice.RightWithdrawConsent: {"Withdraw my consent",
		"Take back the permission you gave for your data to be used."},
	notice.RightPortability: {"Get my data in a format I can move",
		"Get the data you provided in a machine-readable format, or have it sent to another organisation."},
	notice.RightAutomatedDecisionReview: {"Have a person review an automated decision",
		"Ask for a person to review a decision about you that was made by a computer alone."},
}

// rightLabel is the public name of a right.
func rightLabel(r notice.Right) string {
	if c, ok := rightCopy[r]; ok {
		return c.label
	}
	return string(r)
}

// availabilityNotes says what the notice says about a right, in words a
// requester can act on. Whatever the answer, they may still ask: intake
// never refuses.
func availabilityNotes(e notice.Evaluation) []web.Note {
	switch e.Availability {
	case notice.Declared:
		return []web.Note{{Tag: &web.Tag{Text: "Offered", Colour: "green"}, Text: e.Reason}}
	case notice.DeclaredConditionally:
		notes := []web.Note{{Tag: &web.Tag{Text: "Only in some cases", Colour: "yellow"}, Text: e.Reason}}
		if e.Condition != "" {
			notes = append(notes, web.Note{Text: "Condition: " + e.Condition + "."})
		}
		return notes
	case notice.StatutoryNotDeclared:
		return []web.Note{{Tag: &web.Tag{Text: "Given by law", Colour: "blue"}, Text: e.Reason}}
	}
	return []web.Note{{Tag: &web.Tag{Text: "Not usually available", Colour: "grey"}, Text: e.Reason + " You can still ask, and we will explain our answer."}}
}
