package public

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// servicesData is the services page's search and the group questions
// revealed under the services that have them.
type servicesData struct {
	// Search is offered once there are enough notices to need one.
	Search       bool
	SearchAction string
	Query        string
	// Matched is how many services the search found; the Kept ones,
	// chosen before, are listed whether they match or not.
	Matched, Kept, Total int
	// Notes says whether any service carries a note on the rights asked for.
	Notes bool
	// Reveals are keyed by notice id: the question shown under a chosen
	// service that covers several groups of people.
	Reveals map[string]*reveal
}

// reveal is a question shown under one checkbox once it is ticked (always,
// without JavaScript).
type reveal struct {
	Name   string
	Legend string
	Hint   string
	Items  []web.Option
}

const (
	// searchFrom is how many notices make the services page offer a search.
	searchFrom = 5
	// searchPath takes the search words with the ticks so far, so that
	// searching for one more service never loses the ones already ticked.
	searchPath = "/request/services/search"
	// everything is the answer "I'm not sure, or everything you hold".
	everything = "everything"
	// maxQuery bounds the search words kept in the session.
	maxQuery = 100
)

var servicesStep = step{
	slug: "services", title: "Which services is your request about?",
	done: func(a *answers) bool { return a.ServicesDone },
	values: func(j *journey) url.Values {
		v := url.Values{}
		for _, s := range j.a.Services {
			v.Add("services", s.NoticeID)
			v.Set(audienceField(s.NoticeID), s.Audience)
		}
		if j.a.ServicesDone && len(j.a.Services) == 0 {
			v.Set("services", everything)
		}
		return v
	},
	data: servicesPage,
	save: func(h *handler, ctx context.Context, f *web.Form, j *journey) error {
		chosen, all, err := h.readServices(ctx, f)
		if err != nil {
			return err
		}
		if all && len(chosen) > 0 {
			f.Fail("services", "", "Select the services your request is about, or ‘I’m not sure’, not both")
			return nil
		}
		// Nothing ticked is a request about everything held: naming a
		// service is optional.
		j.a.Services, j.a.ServicesDone, j.a.Query = chosen, true, ""
		return nil
	},
}

func audienceField(noticeID string) string { return "audience-" + noticeID }

// readServices reads the services ticked, each with the group given, and
// whether "I'm not sure, or everything" was ticked. A notice that does not
// exist (a forged or outdated form) is left out, as is a group it does not
// have.
func (h *handler) readServices(ctx context.Context, f *web.Form) ([]service, bool, error) {
	var (
		chosen []service
		all    bool
	)
	for _, id := range f.Values["services"] {
		if id == everything {
			all = true
			continue
		}
		n, _, err := h.cfg.Notices.Notice(ctx, id, 0)
		if web.ErrorOf(err).Kind == web.Missing {
			continue
		}
		if err != nil {
			return nil, false, err
		}
		s := service{NoticeID: id}
		if a := f.Get(audienceField(id)); a == anyAudience || hasAudience(n.InForceOn(h.today()), a) {
			s.Audience = a
		}
		if !slices.ContainsFunc(chosen, func(c service) bool { return c.NoticeID == id }) {
			chosen = append(chosen, s)
		}
	}
	return chosen, all, nil
}

func hasAudience(v *notice.Version, id string) bool {
	return slices.ContainsFunc(v.Audiences, func(a notice.Audience) bool { return a.ID == id })
}

// servicesPage lists the services, narrowed by the search words when there
// are enough of them to need one. Under each is what its notice says about
// the rights asked for, where that differs from the law.
func servicesPage(h *handler, r *http.Request, j *journey) (*pageData, error) {
	all, err := h.cfg.Notices.All(r.Context())
	if err != nil {
		return nil, err
	}
	d := &servicesData{Total: len(all), Search: len(all) >= searchFrom, SearchAction: searchPath, Reveals: map[string]*reveal{}}
	var query []string
	if d.Search {
		d.Query = j.a.Query
		query = queryWords(d.Query)
	}
	today := h.today()
	forSelf := !actingForSomeone(j)
	var items []web.Option
	for i := range all {
		v := all[i].InForceOn(today)
		found := matches(query, searchWords(v))
		if found {
			d.Matched++
		}
		if !found && !j.a.chosen(all[i].ID) {
			continue
		}
		if !found {
			d.Kept++
		}
		notes, err := serviceNotes(v, j.a.Rights, today)
		if err != nil {
			return nil, err
		}
		d.Notes = d.Notes || len(notes) > 0
		items = append(items, web.Option{Value: all[i].ID, Label: v.Title, Hint: v.Summary, Notes: notes})
		if len(v.Audiences) > 0 {
			d.Reveals[all[i].ID] = groupQuestion(all[i].ID, v, forSelf)
		}
	}
	label := "I’m not sure, or I want everything you hold about me"
	if !forSelf {
		label = "I’m not sure, or I want everything you hold about them"
	}
	items = append(items, web.Option{Value: everything, Label: label, DividerBefore: "or"})
	return &pageData{Items: items, ForSelf: forSelf, Services: d}, nil
}

// groupQuestion asks which of a notice's groups the person is in: for some
// groups the organisation only processes the data for another controller,
// who must answer the request.
func groupQuestion(noticeID string, v *notice.Version, forSelf bool) *reveal {
	q := &reveal{Name: audienceField(noticeID), Legend: "Which of these groups are you in? (optional)",
		Hint: "For some groups, another organisation is responsible for the data."}
	if !forSelf {
		q.Legend = "Which of these groups are they in? (optional)"
	}
	for _, a := range v.Audiences {
		q.Items = append(q.Items, web.Option{Value: a.ID, Label: a.Label})
	}
	q.Items = append(q.Items, web.Option{Value: anyAudience, Label: "None of these, or I’m not sure", DividerBefore: "or"})
	return q
}

// searchServices keeps the services ticked so far and the search words (or
// clears them, to show every service), then shows the page again.
func (h *handler) searchServices(st *step) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		j := h.openAt(w, r, st)
		if j == nil {
			return
		}
		f := web.NewForm(trimmed(r.PostForm))
		chosen, _, err := h.readServices(r.Context(), f)
		if err != nil {
			h.render.Fail(w, err)
			return
		}
		j.a.Services, j.a.Query = chosen, clip(f.Get("q"), maxQuery)
		if f.Get("show-all") != "" {
			j.a.Query = ""
		}
		if err := h.save(w, r, j); err != nil {
			h.render.Fail(w, err)
			return
		}
		http.Redirect(w, r, "/request/"+st.slug, http.StatusSeeOther)
	}
}

// clip shortens s to at most n characters.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n]))
}
