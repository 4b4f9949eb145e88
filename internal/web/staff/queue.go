package staff

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/export"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/report"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// queuePage is how many cases one page of the queue shows.
const queuePage = 50

// views are the queue's quick filters.
var views = []web.Option{
	{Value: "all", Label: "All open cases"},
	{Value: "mine", Label: "Assigned to me"},
	{Value: "unassigned", Label: "Unassigned"},
	{Value: "overdue", Label: "Overdue"},
	{Value: "waiting", Label: "Waiting for the requester"},
}

// queueFilter turns the queue's query parameters into a list filter. It
// returns the parameters as understood, for the form and the links.
func queueFilter(q url.Values, me *staffer) (string, url.Values) {
	kept := url.Values{}
	terms := []string{"open=true"}
	switch v := q.Get("view"); v {
	case "mine":
		terms = append(terms, `assignee="`+me.actor+`"`)
		kept.Set("view", v)
	case "unassigned":
		terms = append(terms, `assignee=""`)
		kept.Set("view", v)
	case "overdue", "waiting":
		terms = append(terms, v+"=true")
		kept.Set("view", v)
	default:
		kept.Set("view", "all")
	}
	if r := notice.Right(q.Get("right")); r.Valid() {
		terms = append(terms, "right="+string(r))
		kept.Set("right", string(r))
	}
	if n := q.Get("notice"); n != "" && !strings.ContainsAny(n, "\" \t") {
		terms = append(terms, "notice="+n)
		kept.Set("notice", n)
	}
	return strings.Join(terms, " AND "), kept
}

// row is one case as the queue and the search results show it.
type row struct {
	Case     *cases.Case
	Rights   string
	Notice   string
	State    string
	Assignee string
	Standing *deadline.Standing
	Tag      web.Tag
}

// describe prepares cases for a table: labels, who they are assigned to
// and how much time each has left today.
func (h *handler) describe(ctx context.Context, list []*cases.Case) ([]row, error) {
	names, err := h.names(ctx)
	if err != nil {
		return nil, err
	}
	titles := map[string]string{}
	out := make([]row, 0, len(list))
	standings := h.cfg.Work.Standings(list)
	for i, c := range list {
		var named []string
		for _, id := range c.NoticeIDs() {
			if _, ok := titles[id]; !ok {
				titles[id] = h.noticeTitle(ctx, id)
			}
			named = append(named, titles[id])
		}
		notices := strings.Join(named, "; ")
		if notices == "" {
			notices = "None named yet"
		}
		r := row{Case: c, Rights: rightsText(c), Notice: notices, State: stateText(c), Assignee: names.of(c.Assignee), Standing: standings[i]}
		r.Tag = standingTag(c, r.Standing)
		out = append(out, r)
	}
	return out, nil
}

func (h *handler) noticeTitle(ctx context.Context, id string) string {
	n, _, err := h.cfg.Notices.Notice(ctx, id, 0)
	if err != nil {
		return id
	}
	return n.Current().Title
}

// standingTag shows a case's standing as a tag whose words say what the
// colour says.
func standingTag(c *cases.Case, st *deadline.Standing) web.Tag {
	switch {
	case !c.Open():
		return web.Tag{Text: "Closed", Colour: "grey"}
	case c.Clock.Paused:
		return web.Tag{Text: "Clock paused", Colour: "blue"}
	case st == nil:
		return web.Tag{Text: "No due date", Colour: "grey"}
	case st.Overdue:
		return web.Tag{Text: "Red: overdue", Colour: "red"}
	case st.RAG == deadline.Red:
		return web.Tag{Text: "Red: due soon", Colour: "red"}
	case st.RAG == deadline.Amber:
		return web.Tag{Text: "Amber", Colour: "orange"}
	}
	return web.Tag{Text: "Green", Colour: "green"}
}

func rightsText(c *cases.Case) string {
	var out []string
	for _, r := range c.Rights {
		out = append(out, report.RightLabel(r.Right))
	}
	return strings.Join(out, ", ")
}

func stateText(c *cases.Case) string {
	s := report.StateLabel(c.State)
	if c.WaitingFor != cases.WaitingForNothing {
		s += " (" + string(c.WaitingFor) + ")"
	}
	return s
}

// directory maps actors to the names people know them by.
type directory map[string]string

func (d directory) of(actor string) string {
	if actor == "" {
		return "Unassigned"
	}
	if n, ok := d[actor]; ok {
		return n
	}
	return actor
}

func (h *handler) names(ctx context.Context) (directory, error) {
	names, err := h.cfg.Users.Names(ctx)
	return directory(names), err
}

type queueData struct {
	Views   []web.Option
	Rights  []web.Option
	Notices []web.Option
	Filter  url.Values
	Rows    []row
	Next    string
	CSV     string
	Me      *staffer
}

func (h *handler) queue(w http.ResponseWriter, r *http.Request, me *staffer) {
	filter, kept := queueFilter(r.URL.Query(), me)
	q := usecase.Query{Filter: filter, OrderBy: "due", Limit: queuePage}
	if tok := r.URL.Query().Get("page"); tok != "" {
		after, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil {
			h.render.Error(w, http.StatusBadRequest, web.Problem{Heading: "This page of the queue does not exist", Link: &web.Link{Text: "Go to the first page", Href: Prefix}})
			return
		}
		q.After = after
	}
	page, err := h.cfg.Work.List(r.Context(), q)
	if e := web.ErrorOf(err); err != nil && e.Kind == web.Invalid {
		h.render.Error(w, http.StatusBadRequest, web.Problem{Heading: "This page of the queue does not exist", Body: []string{e.Error()}, Link: &web.Link{Text: "Go to the first page", Href: Prefix}})
		return
	}
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	rows, err := h.describe(r.Context(), page.Cases)
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	notices, err := h.noticeOptions(r.Context())
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	data := queueData{Views: views, Rights: rightOptions(), Notices: notices, Filter: kept, Rows: rows, Me: me, CSV: "/staff/export.csv?" + kept.Encode()}
	if page.Next != nil {
		next := url.Values{}
		for k, v := range kept {
			next[k] = v
		}
		next.Set("page", base64.RawURLEncoding.EncodeToString(page.Next))
		data.Next = Prefix + "?" + next.Encode()
	}
	h.render.Render(w, http.StatusOK, "staff/queue", web.View{Title: "Queue", CSRF: me.csrf, Form: web.NewForm(kept), Data: data})
}

func rightOptions() []web.Option {
	out := make([]web.Option, 0, len(notice.Rights))
	for _, r := range notice.Rights {
		out = append(out, web.Option{Value: string(r), Label: report.RightLabel(r)})
	}
	return out
}

func (h *handler) noticeOptions(ctx context.Context) ([]web.Option, error) {
	all, err := h.cfg.Notices.All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]web.Option, len(all))
	for i := range all {
		out[i] = web.Option{Value: all[i].ID, Label: all[i].Current().Title}
	}
	return out, nil
}

// exportCSV downloads the cases the queue's filter selects, every page of
// them, without the requesters' personal details.
func (h *handler) exportCSV(w http.ResponseWriter, r *http.Request, me *staffer) {
	filter, _ := queueFilter(r.URL.Query(), me)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", "rightsdesk-cases-"+h.cfg.Work.Today().String()+".csv"))
	if err := export.CasesCSV(r.Context(), w, h.cfg.Work, filter, "due", false); err != nil {
		h.cfg.Log.Error("CSV export failed part way", "error", err)
	}
}
