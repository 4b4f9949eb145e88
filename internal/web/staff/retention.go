package staff

import (
	"context"
	"net/http"

	"github.com/rightsdesk/rightsdesk/internal/usecase"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// retentionPath lists what the retention schedule will delete.
const retentionPath = "/staff/retention"

// retentionFigures are the dashboard's "due for deletion" figures.
type retentionFigures struct {
	Overdue, DueSoon, Days, Held, Purged int
	Href                                 string
}

func (h *handler) retentionFigures(ctx context.Context) (*retentionFigures, error) {
	if h.cfg.Retention == nil {
		return nil, nil
	}
	p, err := h.cfg.Retention.RetentionDue(ctx)
	if err != nil {
		return nil, err
	}
	return &retentionFigures{Overdue: len(p.Purge), DueSoon: p.DueSoon, Days: p.DueSoonDays, Held: len(p.Held), Purged: p.Purged, Href: retentionPath}, nil
}

// retentionPage lists the cases the next daily run deletes and those kept
// past their date, by reference, dates and outcome: no one's name.
func (h *handler) retentionPage(w http.ResponseWriter, r *http.Request, me *staffer) {
	if h.cfg.Retention == nil {
		h.render.NotFound(w)
		return
	}
	p, err := h.cfg.Retention.RetentionPlan(r.Context())
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	h.render.Render(w, http.StatusOK, "staff/retention", web.View{Title: "Due for deletion", CSRF: me.csrf, Data: retentionData{Plan: p}})
}

type retentionData struct{ Plan *usecase.RetentionPlan }

// CaseHref is a listed case's page.
func (retentionData) CaseHref(e usecase.RetentionEntry) string { return Prefix + "cases/" + e.CaseID }
