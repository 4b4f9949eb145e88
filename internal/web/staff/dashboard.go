package staff

import (
	"net/http"
	"net/url"

	"github.com/rightsdesk/rightsdesk/internal/report"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

type dashboardData struct {
	report.Dashboard
	Charts   []report.Chart
	Workload workloadData
	// The queue's views the key figures count.
	OpenHref, WeekHref, OverdueHref string
	// Retention is what the retention schedule will delete; nil when the
	// workspace has no retention use case.
	Retention *retentionFigures
}

// StateHref and RightHref are the queue filtered to one open state or
// one right, the cases a row of the dashboard counts.
func (dashboardData) StateHref(key string) string {
	return Prefix + "?" + url.Values{"state": {key}}.Encode()
}

func (dashboardData) RightHref(key string) string {
	return Prefix + "?" + url.Values{"right": {key}}.Encode()
}

func (h *handler) dashboard(w http.ResponseWriter, r *http.Request, me *staffer) {
	d, err := h.cfg.Work.Dashboard(r.Context())
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	workload, err := h.workload(r.Context())
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	retention, err := h.retentionFigures(r.Context())
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	h.render.Render(w, http.StatusOK, "staff/dashboard", web.View{Title: "Dashboard", CSRF: me.csrf, Data: dashboardData{
		Dashboard: d, Charts: d.Charts("chart"), Workload: workload,
		OpenHref: Prefix + "?view=all", WeekHref: Prefix + "?view=week", OverdueHref: Prefix + "?view=overdue",
		Retention: retention,
	}})
}
