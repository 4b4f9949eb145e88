package public

import (
	"context"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// step is one question page. Its template is public/<slug>.
type step struct {
	slug  string
	title string
	// titleFor, when set, words the title for whom the request is for.
	titleFor func(j *journey) string
	// applies is nil for a question everyone is asked.
	applies func(j *journey) bool
	done    func(a *answers) bool
	// values fills the form from the saved answers.
	values func(j *journey) url.Values
	data   func(h *handler, r *http.Request, j *journey) (*pageData, error)
	// save checks the form, recording each problem on it, and stores the
	// answer when there is none. An error is a failure of ours.
	save func(h *handler, ctx context.Context, f *web.Form, j *journey) error
}

func (s *step) appliesTo(j *journey) bool { return s.applies == nil || s.applies(j) }

func (s *step) heading(j *journey) string {
	if s.titleFor != nil {
		return s.titleFor(j)
	}
	return s.title
}

// pageData is what a question's template shows besides the form.
type pageData struct {
	Action string
	Items  []web.Option
	// MaxLength is the longest answer a text box takes, in characters.
	MaxLength int
	// ForSelf says the request is the person's own, for the wording.
	ForSelf  bool
	Services *servicesData
}

// The form checks the domain's limits as each answer is given, so nobody
// learns at the end that an answer on another page was too long.
const (
	maxDescription = cases.MaxDescription
	maxLine        = cases.MaxLine
)

// firstQuestion is where the start page sends people.
var firstQuestion = "/request/" + steps[0].slug

// The questions in the order they are asked: what the person wants, which
// services it is about, whom it is for, then names and contact details, and
// last what helps find the data. A simple request for oneself is the start
// page, five questions and the check page.
var steps = []step{
	{
		slug: "rights", title: "What do you want to ask for?",
		done: func(a *answers) bool { return len(a.Rights) > 0 },
		values: func(j *journey) url.Values {
			v := url.Values{}
			for _, r := range j.a.Rights {
				v.Add("rights", string(r))
			}
			return v
		},
		data: func(h *handler, _ *http.Request, j *journey) (*pageData, error) {
			items, err := rightItems(j, h.today())
			return &pageData{Items: items}, err
		},
		save: func(_ *handler, _ context.Context, f *web.Form, j *journey) error {
			var chosen []notice.Right
			for _, v := range f.Values["rights"] {
				if r := notice.Right(v); r.Valid() && !slices.Contains(chosen, r) {
					chosen = append(chosen, r)
				}
			}
			if len(chosen) == 0 {
				f.Fail("rights", "", "Select what you want to ask for")
				return nil
			}
			// Keep the form's order whatever order the browser sent.
			slices.SortFunc(chosen, func(a, b notice.Right) int {
				return slices.Index(notice.Rights, a) - slices.Index(notice.Rights, b)
			})
			j.a.Rights = chosen
			return nil
		},
	},
	servicesStep,
	{
		slug: "who", title: "Who is the request for?",
		done:   func(a *answers) bool { return a.Who != "" },
		values: func(j *journey) url.Values { return url.Values{"who": {j.a.Who}} },
		data: func(*handler, *http.Request, *journey) (*pageData, error) {
			return &pageData{Items: []web.Option{
				{Value: forSelf, Label: "Myself"},
				{Value: forSomeoneElse, Label: "Someone else",
					Hint: "For example, your child, or someone who has asked you to act for them as their solicitor, carer or representative."},
			}}, nil
		},
		save: func(_ *handler, _ context.Context, f *web.Form, j *journey) error {
			switch v := f.Get("who"); v {
			case forSelf, forSomeoneElse:
				j.a.chooseWho(v)
			default:
				f.Fail("who", "", "Select who the request is for")
			}
			return nil
		},
	},
	{
		slug: "details", title: "Your details",
		done: func(a *answers) bool { return a.Name != "" && (a.Email != "" || a.Address != "") },
		values: func(j *journey) url.Values {
			return url.Values{"full-name": {j.a.Name}, "email": {j.a.Email}, "address": {j.a.Address}}
		},
		data: forWhom,
		save: func(_ *handler, _ context.Context, f *web.Form, j *journey) error {
			name, email, address := f.Get("full-name"), f.Get("email"), f.Get("address")
			checkLine(f, "full-name", name, "Enter your full name", "Your name")
			if email == "" && address == "" {
				f.Fail("email", "", "Enter an email address or a postal address")
			}
			checkEmail(f, "email", email)
			checkLength(f, "address", address, "Your postal address")
			if !f.HasErrors() {
				j.a.Name, j.a.Email, j.a.Address = name, email, address
			}
			return nil
		},
	},
	{
		slug: "their-details", title: "Their details",
		applies: actingForSomeone,
		done:    func(a *answers) bool { return a.SubjectName != "" },
		values: func(j *journey) url.Values {
			return url.Values{"subject-name": {j.a.SubjectName}, "subject-email": {j.a.SubjectEmail}, "subject-address": {j.a.SubjectAddress}}
		},
		data: noData,
		save: func(_ *handler, _ context.Context, f *web.Form, j *journey) error {
			name, email, address := f.Get("subject-name"), f.Get("subject-email"), f.Get("subject-address")
			checkLine(f, "subject-name", name, "Enter the full name of the person you are acting for", "Their name")
			checkEmail(f, "subject-email", email)
			checkLength(f, "subject-address", address, "Their postal address")
			if !f.HasErrors() {
				j.a.SubjectName, j.a.SubjectEmail, j.a.SubjectAddress = name, email, address
			}
			return nil
		},
	},
	{
		slug: "authority", title: "What gives you the authority to act for them?",
		applies: actingForSomeone,
		done:    func(a *answers) bool { return a.AuthorityKind != "" },
		values: func(j *journey) url.Values {
			return url.Values{"authority": {j.a.AuthorityKind}, "authority-detail": {j.a.AuthorityDetail}}
		},
		data: func(*handler, *http.Request, *journey) (*pageData, error) {
			var items []web.Option
			for _, a := range authorities {
				items = append(items, web.Option{Value: a.key, Label: a.label})
			}
			return &pageData{Items: items}, nil
		},
		save: func(_ *handler, _ context.Context, f *web.Form, j *journey) error {
			kind, detail := f.Get("authority"), f.Get("authority-detail")
			switch {
			case authorityLabel(kind) == "":
				f.Fail("authority", "", "Select what gives you the authority to act for them")
			case kind == "other" && detail == "":
				f.Fail("authority-detail", "", "Tell us what gives you the authority to act for them")
			}
			checkLength(f, "authority-detail", detail, "Your explanation")
			if !f.HasErrors() {
				j.a.AuthorityKind, j.a.AuthorityDetail = kind, detail
			}
			return nil
		},
	},
	{
		slug: "find",
		titleFor: func(j *journey) string {
			if actingForSomeone(j) {
				return "Anything that helps us find their data"
			}
			return "Anything that helps us find your data"
		},
		done: func(a *answers) bool { return a.FindDone },
		values: func(j *journey) url.Values {
			v := url.Values{"identifiers": {j.a.Identifiers}, "description": {j.a.Description}}
			setDate(v, "from", j.a.From)
			setDate(v, "to", j.a.To)
			return v
		},
		data: func(_ *handler, r *http.Request, j *journey) (*pageData, error) {
			d, err := forWhom(nil, r, j)
			d.MaxLength = maxDescription
			return d, err
		},
		save: func(h *handler, _ context.Context, f *web.Form, j *journey) error {
			identifiers, description := f.Get("identifiers"), f.Get("description")
			checkLength(f, "identifiers", identifiers, "What we may know you by")
			today := h.cfg.Work.Today()
			from, okFrom := readDate(f, "from", "The start date", today)
			to, okTo := readDate(f, "to", "The end date", today)
			if okFrom && okTo && from != "" && to != "" && to < from {
				f.Fail("to", "to-day", "The end date must be the same as or after the start date")
			}
			if utf8.RuneCountInString(description) > maxDescription {
				f.Fail("description", "", fmt.Sprintf("What you tell us must be %s characters or fewer", thousands(maxDescription)))
			}
			if !f.HasErrors() {
				j.a.Identifiers, j.a.From, j.a.To, j.a.Description, j.a.FindDone = identifiers, from, to, description, true
			}
			return nil
		},
	},
}

func noData(*handler, *http.Request, *journey) (*pageData, error) { return &pageData{}, nil }

func forWhom(_ *handler, _ *http.Request, j *journey) (*pageData, error) {
	return &pageData{ForSelf: !actingForSomeone(j)}, nil
}

func actingForSomeone(j *journey) bool { return j.a.Who == forSomeoneElse }

func thousands(n int) string {
	s := strconv.Itoa(n)
	if len(s) <= 3 {
		return s
	}
	return s[:len(s)-3] + "," + s[len(s)-3:]
}

// checkLine checks a required one-line answer and says whether it is fine.
func checkLine(f *web.Form, field, value, missing, what string) bool {
	if value == "" {
		f.Fail(field, "", missing)
		return false
	}
	return checkLength(f, field, value, what)
}

func checkLength(f *web.Form, field, value, what string) bool {
	if utf8.RuneCountInString(value) > maxLine {
		f.Fail(field, "", fmt.Sprintf("%s must be %s characters or fewer", what, thousands(maxLine)))
		return false
	}
	return true
}

func checkEmail(f *web.Form, field, email string) {
	if email == "" {
		return
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || !strings.Contains(email[strings.LastIndex(email, "@")+1:], ".") {
		f.Fail(field, "", "Enter an email address in the correct format, like name@example.com")
	}
}

func setDate(v url.Values, name, iso string) {
	d, err := deadline.ParseDate(iso)
	if err != nil {
		return
	}
	v.Set(name+"-day", strconv.Itoa(d.Day))
	v.Set(name+"-month", strconv.Itoa(int(d.Month)))
	v.Set(name+"-year", strconv.Itoa(d.Year))
}

// readDate reads an optional day, month and year. It returns the ISO date
// ("" when all three are blank) and whether it is acceptable.
func readDate(f *web.Form, name, what string, today deadline.Date) (string, bool) {
	day, month, year := f.Get(name+"-day"), f.Get(name+"-month"), f.Get(name+"-year")
	if day == "" && month == "" && year == "" {
		return "", true
	}
	if day == "" || month == "" || year == "" {
		f.Fail(name, name+"-day", what+" must include a day, month and year")
		return "", false
	}
	d, errD := strconv.Atoi(day)
	m, errM := strconv.Atoi(month)
	y, errY := strconv.Atoi(year)
	if errD != nil || errM != nil || errY != nil || y < 1000 {
		f.Fail(name, name+"-day", what+" must be a real date")
		return "", false
	}
	date, err := deadline.ParseDate(fmt.Sprintf("%04d-%02d-%02d", y, m, d))
	if err != nil {
		f.Fail(name, name+"-day", what+" must be a real date")
		return "", false
	}
	if date.After(today) {
		f.Fail(name, name+"-day", what+" must be today or in the past")
		return "", false
	}
	return date.String(), true
}
