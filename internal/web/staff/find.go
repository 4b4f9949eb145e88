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
	Table     caseTable
	Truncated bool
}

// findPage is the search page: a case by its reference, which opens the
// case, or every case of one requester, to spot repeat and duplicate
// requests.
func (h *handler) findPage(w http.ResponseWriter, r *http.Request, me *staffer) {
	q := r.URL.Query()
	f := web.NewForm(url.Values{"reference": {strings.TrimSpace(q.Get("reference"))}})
	if !q.Has("reference") {
		h.renderFind(w, me, f, findData{}, http.StatusOK)
		return
	}
	ref := f.Get("reference")
	if ref == "" {
		f.Fail("reference", "", "Enter a case reference, like RD-7K3M-Q9XP")
		h.renderFind(w, me, f, findData{}, http.StatusUnprocessableEntity)
		return
	}
	c, err := h.cfg.Work.ByReference(r.Context(), ref)
	switch e := web.ErrorOf(err); {
	case err == nil:
		http.Redirect(w, r, caseURL(c.ID), http.StatusSeeOther)
	case e.Kind == web.Missing:
		f.Fail("reference", "", "No case has the reference "+cases.NormaliseReference(ref)+": check it and try again")
		h.renderFind(w, me, f, findData{}, http.StatusUnprocessableEntity)
	default:
		h.render.Fail(w, err)
	}
}

// findRequester searches cases by the requester's email address or name,
// through casework's keyed-hash index. It is a POST, so the name and
// address stay out of addresses, browser history and logs.
func (h *handler) findRequester(w http.ResponseWriter, r *http.Request, me *staffer) {
	f := web.NewForm(url.Values{"email": {strings.TrimSpace(r.PostForm.Get("email"))}, "name": {strings.TrimSpace(r.PostForm.Get("name"))}})
	d := findData{Searched: true}
	if f.Get("email") == "" && f.Get("name") == "" {
		f.Fail("email", "", "Enter an email address or a name")
		h.renderFind(w, me, f, d, http.StatusUnprocessableEntity)
		return
	}
	res, err := h.cfg.Work.FindRequester(r.Context(), f.Get("email"), f.Get("name"))
	if e := web.ErrorOf(err); err != nil && e.OnForm() {
		f.Take(e, func(field string) string {
			if strings.Contains(field, "email") {
				return "email"
			}
			return "name"
		}, "email")
		h.renderFind(w, me, f, d, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	list := make([]*cases.Case, 0, len(res.Matches))
	for _, m := range res.Matches {
		list = append(list, m.Case)
	}
	if d.Table.Rows, err = h.describe(r.Context(), list); err != nil {
		h.render.Fail(w, err)
		return
	}
	d.Truncated = res.Truncated
	h.renderFind(w, me, f, d, http.StatusOK)
}

func (h *handler) renderFind(w http.ResponseWriter, me *staffer, f *web.Form, d findData, status int) {
	d.Table.Form = f
	h.render.Render(w, status, "staff/find", web.View{Title: "Find a case", Form: f, CSRF: me.csrf, Data: d})
}

// orReference lets a case's reference stand for its id in the case page's
// address, e.g. /staff/cases/RD-7K3M-Q9XP, or rd7k3mq9xp as typed: it
// redirects there from the reference of any case, open or closed.
func (h *handler) orReference(page func(http.ResponseWriter, *http.Request, *staffer)) func(http.ResponseWriter, *http.Request, *staffer) {
	return func(w http.ResponseWriter, r *http.Request, me *staffer) {
		c, err := h.cfg.Work.ByReference(r.Context(), r.PathValue("id"))
		switch e := web.ErrorOf(err); {
		case err == nil:
			http.Redirect(w, r, caseURL(c.ID), http.StatusSeeOther)
		case e.Kind == web.Missing: // not a reference: an id
			page(w, r, me)
		default:
			h.render.Fail(w, err)
		}
	}
}
