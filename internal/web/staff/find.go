package staff

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

type findData struct {
	Searched  bool
	Rows      []row
	Matched   []string
	Truncated bool
}

// find searches cases by the requester's email address or name, through
// casework's keyed-hash index, to spot repeat and duplicate requests.
func (h *handler) find(w http.ResponseWriter, r *http.Request, me *staffer) {
	q := r.URL.Query()
	f := web.NewForm(url.Values{"email": {strings.TrimSpace(q.Get("email"))}, "name": {strings.TrimSpace(q.Get("name"))}})
	d := findData{}
	status := http.StatusOK
	if q.Has("email") || q.Has("name") {
		d.Searched = true
		if f.Get("email") == "" && f.Get("name") == "" {
			f.Fail("email", "", "Enter an email address or a name")
		}
	}
	if d.Searched && !f.HasErrors() {
		res, err := h.cfg.Work.FindRequester(r.Context(), f.Get("email"), f.Get("name"))
		switch e := web.ErrorOf(err); {
		case err != nil && e.OnForm():
			f.Take(e, func(field string) string {
				if strings.Contains(field, "email") {
					return "email"
				}
				return "name"
			}, "email")
		case err != nil:
			h.render.Fail(w, e)
			return
		default:
			list := make([]*cases.Case, 0, len(res.Matches))
			for _, m := range res.Matches {
				list = append(list, m.Case)
				d.Matched = append(d.Matched, matchText(m.ByEmail, m.ByName))
			}
			if d.Rows, err = h.describe(r.Context(), list); err != nil {
				h.render.Fail(w, err)
				return
			}
			d.Truncated = res.Truncated
		}
	}
	if f.HasErrors() {
		status = http.StatusUnprocessableEntity
	}
	h.render.Render(w, status, "staff/find", web.View{Title: "Find a requester", Form: f, CSRF: me.csrf, Data: d})
}

func matchText(byEmail, byName bool) string {
	switch {
	case byEmail && byName:
		return "Email and name"
	case byEmail:
		return "Email"
	}
	return "Name"
}
