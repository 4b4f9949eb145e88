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

// pageData is what a question's template shows besides the form.
type pageData struct {
	Action      string
	NoticeTitle string
	Items       []web.Option
	// MaxLength is the longest answer a text box takes, in characters.
	MaxLength int
	// The notice question's search: shown when there are many notices.
	Search       bool
	Query        string
	Shown, Total int
}

// searchFrom is how many notices make the notice question offer a search.
const searchFrom = 5

// The form checks the domain's limits as each answer is given, so nobody
// learns at the end that an answer on another page was too long.
const (
	maxDescription = cases.MaxDescription
	maxLine        = cases.MaxLine
)

func noData(*handler, *http.Request, *journey) (*pageData, error) { return &pageData{}, nil }

var steps = []step{
	{
		slug: "notice", title: "Which service or programme is your request about?",
		done:   func(a *answers) bool { return a.NoticeID != "" },
		values: func(j *journey) url.Values { return url.Values{"notice": {j.a.NoticeID}} },
		data:   noticeData,
		save: func(h *handler, ctx context.Context, f *web.Form, j *journey) error {
			id := f.Get("notice")
			if id == "" {
				f.Fail("notice", "", "Select the service or programme your request is about")
				return nil
			}
			n, _, err := h.cfg.Notices.Notice(ctx, id, 0)
			if web.ErrorOf(err).Kind == web.Missing {
				f.Fail("notice", "", "Select the service or programme your request is about")
				return nil
			}
			if err != nil {
				return err
			}
			j.a.chooseNotice(id)
			j.notice, j.version = n, n.InForceOn(h.cfg.Work.Today().String())
			return nil
		},
	},
	noticeChoice("audience", "Which of these groups are you in?", "audience",
		"Select the group you are in, or ‘None of these, or I’m not sure’",
		func(v *notice.Version) bool { return len(v.Audiences) > 0 }, audienceItems,
		func(a *answers) *string { return &a.Audience }, func(a *answers, v string) { a.Audience = v }),
	noticeChoice("about", "Which part of the service is your request about?", "context",
		"Select the part your request is about, or ‘More than one of these, or I’m not sure’",
		func(v *notice.Version) bool { return len(v.Contexts) > 1 }, contextItems,
		func(a *answers) *string { return &a.Context }, (*answers).chooseContext),
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
			items, err := rightItems(j, h.cfg.Work.Today().String())
			return &pageData{NoticeTitle: j.version.Title, Items: items}, err
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
	{
		slug: "details", title: "Describe your request",
		done:   func(a *answers) bool { return a.Description != "" },
		values: func(j *journey) url.Values { return url.Values{"description": {j.a.Description}} },
		data: func(*handler, *http.Request, *journey) (*pageData, error) {
			return &pageData{MaxLength: maxDescription}, nil
		},
		save: func(_ *handler, _ context.Context, f *web.Form, j *journey) error {
			d := f.Get("description")
			switch {
			case d == "":
				f.Fail("description", "", "Describe your request")
			case utf8.RuneCountInString(d) > maxDescription:
				f.Fail("description", "", fmt.Sprintf("Your description must be %s characters or fewer", thousands(maxDescription)))
			default:
				j.a.Description = d
			}
			return nil
		},
	},
	{
		slug: "dates", title: "Which dates does your request cover?",
		done: func(a *answers) bool { return a.PeriodDone },
		values: func(j *journey) url.Values {
			v := url.Values{}
			setDate(v, "from", j.a.From)
			setDate(v, "to", j.a.To)
			return v
		},
		data: noData,
		save: func(h *handler, _ context.Context, f *web.Form, j *journey) error {
			today := h.cfg.Work.Today()
			from, okFrom := readDate(f, "from", "The start date", today)
			to, okTo := readDate(f, "to", "The end date", today)
			if okFrom && okTo && from != "" && to != "" && to < from {
				f.Fail("to", "to-day", "The end date must be the same as or after the start date")
			}
			if !f.HasErrors() {
				j.a.From, j.a.To, j.a.PeriodDone = from, to, true
			}
			return nil
		},
	},
	{
		slug: "name", title: "What is your full name?",
		done:   func(a *answers) bool { return a.Name != "" },
		values: func(j *journey) url.Values { return url.Values{"full-name": {j.a.Name}} },
		data:   noData,
		save: func(_ *handler, _ context.Context, f *web.Form, j *journey) error {
			if name := f.Get("full-name"); checkLine(f, "full-name", name, "Enter your full name", "Your name") {
				j.a.Name = name
			}
			return nil
		},
	},
	{
		slug: "contact", title: "How should we contact you?",
		done:   func(a *answers) bool { return a.Email != "" || a.Address != "" },
		values: func(j *journey) url.Values { return url.Values{"email": {j.a.Email}, "address": {j.a.Address}} },
		data:   noData,
		save: func(_ *handler, _ context.Context, f *web.Form, j *journey) error {
			email, address := f.Get("email"), f.Get("address")
			if email == "" && address == "" {
				f.Fail("email", "", "Enter an email address or a postal address")
				return nil
			}
			checkEmail(f, "email", email)
			checkLength(f, "address", address, "Your postal address")
			if !f.HasErrors() {
				j.a.Email, j.a.Address = email, address
			}
			return nil
		},
	},
	{
		slug: "region", title: "Where do you live?",
		done:   func(a *answers) bool { return a.Region != "" },
		values: func(j *journey) url.Values { return url.Values{"region": {j.a.Region}} },
		data: func(*handler, *http.Request, *journey) (*pageData, error) {
			var items []web.Option
			for _, r := range regions {
				o := web.Option{Value: r.key, Label: r.label}
				if r.key == "outside-uk" {
					o.DividerBefore = "or"
				}
				items = append(items, o)
			}
			return &pageData{Items: items}, nil
		},
		save: func(_ *handler, _ context.Context, f *web.Form, j *journey) error {
			if v := f.Get("region"); regionLabel(v) != "" {
				j.a.Region = v
			} else {
				f.Fail("region", "", "Select where you live")
			}
			return nil
		},
	},
	{
		slug: "who", title: "Who is the request for?",
		done:   func(a *answers) bool { return a.Who != "" },
		values: func(j *journey) url.Values { return url.Values{"who": {j.a.Who}} },
		data: func(*handler, *http.Request, *journey) (*pageData, error) {
			return &pageData{Items: []web.Option{
				{Value: forSelf, Label: "Me"},
				{Value: forSomeoneElse, Label: "Someone else, and I am acting for them",
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
		slug: "their-details", title: "Who are you acting for?",
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
}

// noticeChoice is a question whose answers come from the chosen notice,
// asked only when the notice gives more than one to choose from.
func noticeChoice(slug, title, field, missing string, asked func(*notice.Version) bool, items func(*notice.Version) []web.Option,
	answer func(*answers) *string, choose func(*answers, string)) step {
	return step{
		slug: slug, title: title,
		applies: func(j *journey) bool { return j.version != nil && asked(j.version) },
		done:    func(a *answers) bool { return *answer(a) != "" },
		values:  func(j *journey) url.Values { return url.Values{field: {*answer(&j.a)}} },
		data: func(_ *handler, _ *http.Request, j *journey) (*pageData, error) {
			return &pageData{NoticeTitle: j.version.Title, Items: items(j.version)}, nil
		},
		save: func(_ *handler, _ context.Context, f *web.Form, j *journey) error {
			v := f.Get(field)
			if !slices.ContainsFunc(items(j.version), func(o web.Option) bool { return o.Value == v }) {
				f.Fail(field, "", missing)
				return nil
			}
			choose(&j.a, v)
			return nil
		},
	}
}

func actingForSomeone(j *journey) bool { return j.a.Who == forSomeoneElse }

// noticeData lists the notices to choose from, narrowed by the search
// words when there are enough notices to need one.
func noticeData(h *handler, r *http.Request, j *journey) (*pageData, error) {
	all, err := h.cfg.Notices.All(r.Context())
	if err != nil {
		return nil, err
	}
	d := &pageData{Total: len(all), Search: len(all) >= searchFrom}
	if d.Search {
		d.Query = strings.TrimSpace(r.URL.Query().Get("q"))
	}
	today := h.cfg.Work.Today().String()
	for i := range all {
		v := all[i].InForceOn(today)
		if !matches(d.Query, v) && all[i].ID != j.a.NoticeID {
			continue
		}
		d.Items = append(d.Items, web.Option{Value: all[i].ID, Label: v.Title, Hint: v.Summary})
	}
	d.Shown = len(d.Items)
	return d, nil
}

// matches reports whether every word of the query appears in the notice's
// title, summary or controller's name.
func matches(query string, v *notice.Version) bool {
	text := strings.ToLower(v.Title + " " + v.Summary + " " + v.Controller.Name)
	for _, w := range strings.Fields(strings.ToLower(query)) {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

func audienceItems(v *notice.Version) []web.Option {
	var items []web.Option
	for _, a := range v.Audiences {
		items = append(items, web.Option{Value: a.ID, Label: a.Label})
	}
	return append(items, web.Option{Value: anyAudience, Label: "None of these, or I’m not sure", DividerBefore: "or"})
}

func contextItems(v *notice.Version) []web.Option {
	var items []web.Option
	for _, c := range v.Contexts {
		items = append(items, web.Option{Value: c.ID, Label: sentence(c.Name), Hint: sentence(strings.Join(c.Purposes, "; "))})
	}
	return append(items, web.Option{Value: anyContext, Label: "More than one of these, or I’m not sure", DividerBefore: "or"})
}

// rightItems offers every right, each with what the notice says about it
// for the part of the processing chosen, under the law in force on today,
// the day the request will be received.
func rightItems(j *journey, today string) ([]web.Option, error) {
	context := j.a.Context
	if context == anyContext {
		context = ""
	}
	evaluations, err := notice.EvaluateOn(j.version, context, today)
	if err != nil {
		return nil, err
	}
	items := make([]web.Option, 0, len(evaluations))
	for _, e := range evaluations {
		items = append(items, web.Option{
			Value: string(e.Right), Label: rightLabel(e.Right), Hint: rightCopy[e.Right].description,
			Notes: availabilityNotes(e),
		})
	}
	return items, nil
}

// sentence capitalises the first letter.
func sentence(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}

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
