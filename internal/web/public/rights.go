package public

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// rightCopy is how the form names and explains each right to the public:
// what the law gives, in a line, with no article numbers.
var rightCopy = map[notice.Right]struct{ label, description string }{
	notice.RightAccess:                   {"Get a copy of my personal data", "And find out how it is used and who it is shared with."},
	notice.RightRectification:            {"Correct or complete my personal data", "When it is wrong or incomplete."},
	notice.RightErasure:                  {"Delete my personal data", "For example, when it is no longer needed."},
	notice.RightRestriction:              {"Limit how my personal data is used", "Keep it, but stop using it, for example while its accuracy is checked."},
	notice.RightObjection:                {"Object to how my personal data is used", "Because of my particular situation."},
	notice.RightObjectionDirectMarketing: {"Stop direct marketing", "Stop my data being used to send me marketing."},
	notice.RightWithdrawConsent:          {"Withdraw my consent", "Take back permission I gave to use my data."},
	notice.RightPortability:              {"Get my data in a format I can move", "In a machine-readable format, or sent to another organisation."},
	notice.RightAutomatedDecisionReview:  {"Have a person review an automated decision", "A decision about me made by a computer alone."},
}

// rightLabel is the public name of a right.
func rightLabel(r notice.Right) string {
	if c, ok := rightCopy[r]; ok {
		return c.label
	}
	return string(r)
}

// rightItems offers every right as the law gives it. Once services are
// chosen (a person changing their answer), each right also carries what a
// service's notice says where that differs from the law.
func rightItems(j *journey, today string) ([]web.Option, error) {
	items := make([]web.Option, 0, len(notice.Rights))
	for _, r := range notice.Rights {
		items = append(items, web.Option{Value: string(r), Label: rightLabel(r), Hint: rightCopy[r].description})
	}
	for _, s := range j.a.Services {
		v := j.versions[s.NoticeID]
		evaluations, err := notice.EvaluateOn(v, "", today)
		if err != nil {
			return nil, err
		}
		for i, e := range evaluations {
			if note, ok := difference(e, v.Title); ok {
				items[i].Notes = append(items[i].Notes, note)
			}
		}
	}
	return items, nil
}

// serviceNotes is what a notice says about each of the rights asked for,
// where that differs from what the law gives.
func serviceNotes(v *notice.Version, rights []notice.Right, today string) ([]web.Note, error) {
	var notes []web.Note
	for _, r := range rights {
		e, err := notice.EvaluateRightOn(v, "", r, today)
		if err != nil {
			return nil, err
		}
		if note, ok := difference(e, rightLabel(r)); ok {
			notes = append(notes, note)
		}
	}
	return notes, nil
}

// difference says, about what (a right or a service), where a notice's
// word on a right differs from the plain statement of the law: a right it
// limits, one it leaves out though the law gives it, or one the law does
// not usually give here. A right the notice simply offers needs no note.
// Whatever the answer, the person may still ask: intake never refuses.
func difference(e notice.Evaluation, about string) (web.Note, bool) {
	switch e.Availability {
	case notice.DeclaredConditionally:
		return web.Note{Tag: &web.Tag{Text: "Only in some cases", Colour: "yellow"},
			Text: about + ": " + lowerFirst(strings.TrimSuffix(e.Condition, ".")) + "."}, true
	case notice.StatutoryNotDeclared:
		return web.Note{Tag: &web.Tag{Text: "Given by law", Colour: "blue"},
			Text: about + ": the privacy notice does not mention it, but the law gives it."}, true
	case notice.NotApplicable:
		return web.Note{Tag: &web.Tag{Text: "Not usually available", Colour: "grey"},
			Text: about + ": the law does not usually give it here. You can still ask, and we will explain our answer."}, true
	}
	return web.Note{}, false
}

// lowerFirst lower-cases the first letter of a sentence so it can follow
// a colon, leaving an acronym such as "IT" as it is.
func lowerFirst(s string) string {
	first, n := utf8.DecodeRuneInString(s)
	if s == "" || unicode.IsUpper(firstRune(s[n:])) {
		return s
	}
	return string(unicode.ToLower(first)) + s[n:]
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}
