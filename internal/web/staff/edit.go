package staff

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// The edit pages change what the request is (its details, rights, notices
// and calendar) through one UpdateCase each, naming only the fields that
// differ from the case as it is, with the etag the page was drawn with.

func editCommand(paths []string, from cases.Case) cases.Command {
	if len(paths) == 0 {
		return nil
	}
	return cases.Update{Paths: paths, From: from}
}

var editDetails = action{
	slug: "details", title: "Change the request’s details", act: cases.ActEdit, rpcs: []string{"CaseService/UpdateCase"},
	button: "Save the details", first: "description", done: "details",
	questions: func(*handler, *http.Request, *staffer, *cases.Case) ([]field, error) {
		channels := make([]web.Option, 0, len(cases.Channels))
		for _, ch := range cases.Channels {
			channels = append(channels, web.Option{Value: string(ch), Label: channelLabel(ch)})
		}
		return []field{
			textarea("description", "What they asked for", "In their words where you can."),
			{Kind: "radios", Name: "channel", Label: "How did the request arrive?", Items: channels, Inline: true},
			{Kind: "date", Name: "received", Label: "When was it received?", Hint: "The clock starts from this date, and each notice is pinned to the version in force on it. For example, 27 3 2026."},
			requesterQuestions(),
		}, nil
	},
	fill: func(c *cases.Case, v url.Values) {
		v.Set("description", c.Description)
		v.Set("channel", string(c.Channel))
		setISODate(v, "received", c.ReceivedOn)
		fillRequester(v, c.Requester)
	},
	fieldFor: func(f *web.Form, domain string) string {
		if field := requesterFields(f, domain); field != "" {
			return field
		}
		return fields("case.description", "description", "case.channel", "channel", "case.received_on", "received")(f, domain)
	},
	command: func(f *web.Form, _ *staffer, c *cases.Case, _ string) cases.Command {
		from := cases.Case{Description: f.Get("description"), Channel: cases.Channel(f.Get("channel")), Requester: requesterFrom(f)}
		if from.ReceivedOn = dateOf(f, "received"); from.ReceivedOn == "" && f.Error("received") == "" {
			f.Fail("received", "received-day", "Enter the date the request was received")
		}
		var paths []string
		if from.Description != c.Description {
			paths = append(paths, "description")
		}
		if !sameRequester(from.Requester, c.Requester) {
			paths = append(paths, "requester")
		}
		if from.Channel != c.Channel {
			paths = append(paths, "channel")
		}
		if from.ReceivedOn != c.ReceivedOn {
			paths = append(paths, "received_on")
		}
		return editCommand(paths, from)
	},
}

var editRights = action{
	slug: "rights", title: "Change the rights asked for", act: cases.ActEdit, sub: true, rpcs: []string{"CaseService/UpdateCase"},
	intro:  "Each right is evaluated again under the case’s notices, and the Article 19 tasks follow.",
	button: "Save the rights", first: "rights", done: "rights",
	questions: ask(field{Kind: "checkboxes", Name: "rights", Label: "What is the requester asking for?", Items: rightOptions()}),
	fill: func(c *cases.Case, v url.Values) {
		for _, r := range c.Rights {
			v.Add("rights", string(r.Right))
		}
	},
	fieldFor: fields("case.rights", "rights"),
	command: func(f *web.Form, _ *staffer, c *cases.Case, _ string) cases.Command {
		var asked []string
		from := cases.Case{}
		for _, r := range f.Values["rights"] {
			from.Rights = append(from.Rights, cases.RequestedRight{Right: notice.Right(r)})
			asked = append(asked, r)
		}
		var had []string
		for _, r := range c.Rights {
			had = append(had, string(r.Right))
		}
		if slices.Equal(asked, had) {
			return nil
		}
		return editCommand([]string{"rights"}, from)
	},
}

var editNotices = action{
	slug: "notices", title: "Name the notices", act: cases.ActTriage, rpcs: []string{"CaseService/UpdateCase"},
	intro:  "Tick each privacy notice whose processing the request touches. Each is pinned to the version in force when the request was received, every right asked for is evaluated under it, and the Article 19 tasks follow the recipients it names.",
	button: "Save the notices", first: "notice", done: "notices",
	questions: func(h *handler, r *http.Request, _ *staffer, c *cases.Case) ([]field, error) {
		choices, err := h.noticeChoices(r.Context(), c.ReceivedOn)
		return []field{noticeQuestion(choices, "Tick none to go back to a request about everything held.")}, err
	},
	fill: func(c *cases.Case, v url.Values) {
		for _, n := range c.Notices {
			v.Add("notice", n.ID)
			v.Set("context-"+n.ID, n.Context)
			v.Set("audience-"+n.ID, n.Audience)
		}
	},
	fieldFor: noticeFields,
	command: func(f *web.Form, _ *staffer, c *cases.Case, _ string) cases.Command {
		refs := noticesFrom(f)
		had := make([]cases.NoticeRef, len(c.Notices))
		for i, n := range c.Notices {
			had[i] = n.NoticeRef
		}
		if slices.Equal(refs, had) {
			return nil
		}
		from := cases.Case{}
		for _, ref := range refs {
			from.Notices = append(from.Notices, cases.CaseNotice{NoticeRef: ref})
		}
		return editCommand([]string{"notices"}, from)
	},
}

var editRegion = action{
	slug: "region", title: "Change the calendar", act: cases.ActEdit, sub: true, rpcs: []string{"CaseService/UpdateCase"},
	intro:  "The working days the clock counts skip the bank holidays of the office handling the request: the organisation’s calendar, unless this case is handled elsewhere.",
	button: "Save the calendar", first: "region", done: "region",
	questions: ask(
		radios("region", "Whose bank holidays does the clock skip?", "", regionOptions...),
		textarea("region-reason", "Why this case uses this calendar", "Kept on the case and in the audit trail."),
	),
	fill: func(c *cases.Case, v url.Values) {
		v.Set("region", c.Region)
		v.Set("region-reason", c.RegionReason)
	},
	// The reason's field name starts with the region's: it comes first.
	fieldFor: fields("case.region_reason", "region-reason", "case.region", "region"),
	command: func(f *web.Form, _ *staffer, c *cases.Case, _ string) cases.Command {
		from := cases.Case{Region: required(f, "region", "Choose the calendar"), RegionReason: f.Get("region-reason")}
		if from.Region == c.Region && from.RegionReason == c.RegionReason {
			return nil
		}
		return editCommand([]string{"region"}, from)
	},
}

// noticeChoice is one notice the notice picker offers, with the parts of
// its processing and the groups of people it names, to say which one the
// request is about.
type noticeChoice struct {
	ID, Title string
	Contexts  []web.Option
	Audiences []web.Option
}

// noticeChoices lists the catalogue for the notice picker, each notice as
// the version in force on the date (the current one when it is "").
func (h *handler) noticeChoices(ctx context.Context, on string) ([]noticeChoice, error) {
	all, err := h.cfg.Notices.All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]noticeChoice, 0, len(all))
	for i := range all {
		v := all[i].Current()
		if on != "" {
			v = all[i].InForceOn(on)
		}
		ch := noticeChoice{ID: all[i].ID, Title: v.Title}
		if len(v.Contexts) > 1 {
			ch.Contexts = []web.Option{{Value: "", Label: "Not known, or all of it"}}
			for _, c := range v.Contexts {
				ch.Contexts = append(ch.Contexts, web.Option{Value: c.ID, Label: c.Name})
			}
		}
		if len(v.Audiences) > 0 {
			ch.Audiences = []web.Option{{Value: "", Label: "Not known"}}
			for _, a := range v.Audiences {
				ch.Audiences = append(ch.Audiences, web.Option{Value: a.ID, Label: a.Label})
			}
		}
		out = append(out, ch)
	}
	return out, nil
}

func noticeQuestion(choices []noticeChoice, hint string) field {
	return field{Kind: "notices", Name: "notice", Label: "Which privacy notices does the request touch?", Hint: hint, Notices: choices}
}

// noticesFrom reads the notice picker: each ticked notice, in the order
// ticked, with the part of its processing and the group chosen under it.
func noticesFrom(f *web.Form) []cases.NoticeRef {
	var out []cases.NoticeRef
	for _, id := range f.Values["notice"] {
		if id != "" {
			out = append(out, cases.NoticeRef{ID: id, Context: f.Get("context-" + id), Audience: f.Get("audience-" + id)})
		}
	}
	return out
}

var (
	noticeField = regexp.MustCompile(`^case\.notices\[(\d+)\]\.(context|audience)`)
	noticesAny  = regexp.MustCompile(`^case\.notices\b`)
)

// noticeFields puts the domain's errors about the i-th notice on the
// question under the i-th ticked notice.
func noticeFields(f *web.Form, domain string) string {
	if m := noticeField.FindStringSubmatch(domain); m != nil {
		ids := f.Values["notice"]
		if i, err := strconv.Atoi(m[1]); err == nil && i < len(ids) {
			return m[2] + "-" + ids[i]
		}
	}
	if noticesAny.MatchString(domain) {
		return "notice"
	}
	return ""
}

// requesterQuestions ask who the request is for, then who is making it.
func requesterQuestions() field {
	return field{Kind: "requester", Name: "relationship", Label: "Who is the request for?", Items: []web.Option{
		{Value: string(cases.RelationshipSelf), Label: "The person making it"},
		{Value: string(cases.RelationshipRepresentative), Label: "Someone else, who the person making it acts for", Hint: "For example, a solicitor, a parent, or someone with a lasting power of attorney."},
	}}
}

// requesterFrom reads who is making the request and, when they act for
// someone else, whom and with what authority.
func requesterFrom(f *web.Form) cases.Requester {
	r := cases.Requester{
		Person:       cases.Person{Name: required(f, "name", "Enter the name of the person making the request"), Email: f.Get("email"), Phone: f.Get("phone"), PostalAddress: f.Get("address")},
		Relationship: cases.Relationship(required(f, "relationship", "Choose who the request is for")),
	}
	if r.Relationship == cases.RelationshipRepresentative {
		r.DataSubject = &cases.Person{Name: required(f, "subject-name", "Enter the name of the person the request is for"), Email: f.Get("subject-email"), PostalAddress: f.Get("subject-address")}
		r.Authority = required(f, "authority", "Say what authority the representative has")
	}
	return r
}

func fillRequester(v url.Values, r cases.Requester) {
	v.Set("relationship", string(r.Relationship))
	v.Set("name", r.Person.Name)
	v.Set("email", r.Person.Email)
	v.Set("phone", r.Person.Phone)
	v.Set("address", r.Person.PostalAddress)
	if s := r.DataSubject; s != nil {
		v.Set("subject-name", s.Name)
		v.Set("subject-email", s.Email)
		v.Set("subject-address", s.PostalAddress)
	}
	v.Set("authority", r.Authority)
}

// requesterFields maps the domain's requester fields to the form's, the
// longer names first.
var requesterFields = fields(
	"case.requester.person.name", "name", "case.requester.person.email", "email",
	"case.requester.person.phone", "phone", "case.requester.person.postal_address", "address",
	"case.requester.person", "email",
	"case.requester.data_subject.email", "subject-email", "case.requester.data_subject.postal_address", "subject-address",
	"case.requester.data_subject", "subject-name", "case.requester.authority", "authority",
	"case.requester.relationship", "relationship",
)

func sameRequester(a, b cases.Requester) bool {
	if a.Person != b.Person || a.Relationship != b.Relationship || a.Authority != b.Authority {
		return false
	}
	if a.DataSubject == nil || b.DataSubject == nil {
		return a.DataSubject == b.DataSubject
	}
	return *a.DataSubject == *b.DataSubject
}

func channelLabel(ch cases.Channel) string {
	switch ch {
	case cases.ChannelWeb:
		return "Web form"
	case cases.ChannelAPI:
		return "API"
	case cases.ChannelInPerson:
		return "In person"
	}
	return web.Words(string(ch))
}
