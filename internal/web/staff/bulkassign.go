package staff

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/usecase"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// bulkAssignRPCs are the API calls bulk assignment stands for.
var bulkAssignRPCs = []string{"CaseService/AssignCase"}

// bulkOutcome is what a bulk assignment did, kept in the session for the
// queue it returns to, which shows it once. It holds references and
// staff names, never a requester's details.
type bulkOutcome struct {
	Assigned int           `json:"assigned"`
	To       string        `json:"to"`
	Failed   []bulkFailure `json:"failed,omitempty"`
}

// bulkFailure is a case that was not assigned, and why.
type bulkFailure struct {
	ID        string `json:"id"`
	Reference string `json:"reference"`
	Reason    string `json:"reason"`
}

// Summary is the banner's heading.
func (o *bulkOutcome) Summary() string {
	cases := "cases"
	if o.Assigned == 1 {
		cases = "case"
	}
	to := "assigned to " + o.To
	if o.To == "" {
		to = "unassigned"
	}
	return strconv.Itoa(o.Assigned) + " " + cases + " " + to
}

// bulkAssign assigns the ticked cases of a queue page, each with the etag
// the page showed, and goes back to that page, which says what happened.
func (h *handler) bulkAssign(w http.ResponseWriter, r *http.Request, me *staffer) {
	f := web.NewForm(url.Values{"case": r.PostForm["case"], "assign-to": {r.PostForm.Get("assign-to")}, "return": {r.PostForm.Get("return")}})
	back := safeNext(f.Get("return"))
	var targets []usecase.Target
	for _, v := range f.Values["case"] {
		id, etag, _ := strings.Cut(v, ":")
		targets = append(targets, usecase.Target{ID: id, Etag: etag})
	}
	if len(targets) == 0 {
		f.Fail("case", "", "Select the cases to assign")
		h.queueAgain(w, r, me, back, f)
		return
	}
	to := f.Get("assign-to")
	if to == "me" {
		to = me.actor
	}
	results, err := h.cfg.Work.AssignEach(r.Context(), me.actor, to, "", targets)
	if e := web.ErrorOf(err); err != nil && e.OnForm() {
		f.Take(e, func(field string) string {
			if field == "assignee" {
				return "assign-to"
			}
			return "case"
		}, "case")
		h.queueAgain(w, r, me, back, f)
		return
	}
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	names, err := h.names(r.Context())
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	out := &bulkOutcome{To: nameOrEmpty(names, to)}
	for _, res := range results {
		if res.Err == nil {
			out.Assigned++
			continue
		}
		fail := bulkFailure{ID: res.ID, Reason: notAssignedBecause(res.Err)}
		if res.Case != nil {
			fail.Reference = res.Case.Reference
		}
		if web.ErrorOf(res.Err).Kind == web.Internal {
			h.cfg.Log.ErrorContext(r.Context(), "bulk assignment of a case failed", "case", res.ID, "error", res.Err)
		}
		out.Failed = append(out.Failed, fail)
	}
	if err := h.keepOutcome(r.Context(), me, out); err != nil {
		h.render.Fail(w, err)
		return
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// notAssignedBecause says why one case of a bulk assignment was left.
func notAssignedBecause(err error) string {
	switch e := web.ErrorOf(err); e.Kind {
	case web.Conflict:
		return "someone else changed it after the queue was shown; open it to see what changed"
	case web.Missing:
		return "there is no such case"
	case web.Refused:
		if e.Message != "" {
			return strings.ToLower(e.Message[:1]) + e.Message[1:]
		}
		return "it cannot be assigned now"
	case web.Invalid:
		var out []string
		for _, v := range e.Fields {
			out = append(out, v.Description)
		}
		return strings.Join(out, "; ")
	}
	return "it could not be saved; try again"
}

// queueAgain shows the queue page the form came from with its errors.
func (h *handler) queueAgain(w http.ResponseWriter, r *http.Request, me *staffer, back string, f *web.Form) {
	u, err := url.Parse(back)
	if err != nil {
		u = &url.URL{Path: Prefix}
	}
	h.renderQueue(w, r, me, u.Query(), f, http.StatusUnprocessableEntity, nil)
}

// keepOutcome saves a bulk assignment's outcome in the session for the
// next queue page; takeOutcome returns it once and forgets it.
func (h *handler) keepOutcome(ctx context.Context, me *staffer, out *bulkOutcome) error {
	var data sessionData
	if err := h.cfg.Sessions.Load(ctx, me.sess, &data); err != nil {
		return err
	}
	data.Bulk = out
	return h.cfg.Sessions.Save(ctx, me.sess, data)
}

func (h *handler) takeOutcome(ctx context.Context, me *staffer) (*bulkOutcome, error) {
	var data sessionData
	if err := h.cfg.Sessions.Load(ctx, me.sess, &data); err != nil || data.Bulk == nil {
		return nil, err
	}
	out := data.Bulk
	data.Bulk = nil
	return out, h.cfg.Sessions.Save(ctx, me.sess, data)
}
