package public

import (
	"context"
	"net/mail"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// todayOnly is the one use case the question pages' checks call: the
// date, for dates in the future.
type todayOnly struct {
	usecase.Cases
	today deadline.Date
}

func (w todayOnly) Today() deadline.Date { return w.today }

// FuzzFormFields posts any body to every question whose answers are typed
// or chosen (the services question, whose answers are looked up in the
// catalogue, has its own tests), for oneself and for someone else. A
// question refused stores nothing; one accepted stores only answers within
// the domain's limits: known rights, whom and authority, one-line answers
// no longer than a line, well-formed email addresses, real dates no later
// than today and in order.
func FuzzFormFields(f *testing.F) {
	f.Add("rights=access&rights=erasure&rights=access", "self")
	f.Add("who=someone-else", "")
	f.Add("full-name=Ada+Lovelace&email=ada%40example.org&address=", "self")
	f.Add("full-name=Ada&email=Ada+%3Cada%40example.org%3E", "self")
	f.Add("subject-name=Bo&subject-email=bo%40example&subject-address=1+Road", "someone-else")
	f.Add("authority=other&authority-detail=", "someone-else")
	f.Add("identifiers=payroll+42&from-day=31&from-month=2&from-year=2025&to-day=1&to-month=1&to-year=2026", "self")
	f.Add("from-day=1&from-month=1&from-year=2999&description=x", "self")
	f.Add("from-day=-1&from-month=13&from-year=999999999999999999999", "self")
	f.Add("full-name=%ff%fe&email=%00%40x.y", "self")
	today, err := deadline.ParseDate("2026-03-02")
	if err != nil {
		f.Fatal(err)
	}
	h := &handler{cfg: Config{Work: todayOnly{today: today}}}
	f.Fuzz(func(t *testing.T, body, who string) {
		values, err := url.ParseQuery(body)
		if err != nil {
			return // the server answers 400 before any question sees it
		}
		for _, s := range steps {
			if s.slug == servicesStep.slug {
				continue
			}
			j := &journey{a: answers{Who: who, Name: "Before", Rights: []notice.Right{notice.RightAccess}}}
			before := j.a
			form := web.NewForm(values)
			if err := s.save(h, context.Background(), form, j); err != nil {
				t.Fatalf("%s: a failure of ours on a visitor's answers: %v", s.slug, err)
			}
			if form.HasErrors() {
				if !reflect.DeepEqual(j.a, before) {
					t.Fatalf("%s: refused (%v) but stored answers: %+v", s.slug, form.Errors, j.a)
				}
				continue
			}
			checkAnswers(t, s.slug, &j.a, today)
		}
	})
}

// checkAnswers checks what an accepted question stored.
func checkAnswers(t *testing.T, slug string, a *answers, today deadline.Date) {
	t.Helper()
	if len(a.Rights) == 0 || slices.ContainsFunc(a.Rights, func(r notice.Right) bool { return !r.Valid() }) || len(slices.Compact(slices.Clone(a.Rights))) != len(a.Rights) {
		t.Fatalf("%s: accepted rights %v", slug, a.Rights)
	}
	if a.Who != "" && a.Who != forSelf && a.Who != forSomeoneElse && slug == "who" {
		t.Fatalf("%s: accepted whom %q", slug, a.Who)
	}
	if a.AuthorityKind != "" && authorityLabel(a.AuthorityKind) == "" {
		t.Fatalf("%s: accepted authority %q", slug, a.AuthorityKind)
	}
	for field, value := range map[string]string{"name": a.Name, "address": a.Address, "subject name": a.SubjectName, "subject address": a.SubjectAddress,
		"authority detail": a.AuthorityDetail, "identifiers": a.Identifiers} {
		if utf8.RuneCountInString(value) > maxLine {
			t.Fatalf("%s: accepted a %s of %d characters", slug, field, utf8.RuneCountInString(value))
		}
	}
	if utf8.RuneCountInString(a.Description) > maxDescription {
		t.Fatalf("%s: accepted a description of %d characters", slug, utf8.RuneCountInString(a.Description))
	}
	if slug == "details" && (a.Name == "" || (a.Email == "" && a.Address == "")) {
		t.Fatalf("%s: accepted without a name or a way to reply", slug)
	}
	for _, email := range []string{a.Email, a.SubjectEmail} {
		if email == "" {
			continue
		}
		if parsed, err := mail.ParseAddress(email); err != nil || parsed.Address != email || !strings.Contains(email, "@") {
			t.Fatalf("%s: accepted an email address that is not one bare address", slug)
		}
	}
	var dates []deadline.Date
	for _, iso := range []string{a.From, a.To} {
		if iso == "" {
			continue
		}
		d, err := deadline.ParseDate(iso)
		if err != nil || d.After(today) || d.String() != iso {
			t.Fatalf("%s: accepted the date %q (today is %s): %v", slug, iso, today, err)
		}
		dates = append(dates, d)
	}
	if len(dates) == 2 && dates[1].Compare(dates[0]) < 0 {
		t.Fatalf("%s: accepted a period ending before it starts", slug)
	}
}
