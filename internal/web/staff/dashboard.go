package staff

import (
	"net/http"

	"github.com/rightsdesk/rightsdesk/internal/report"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

type dashboardData struct {
	report.Dashboard
	Charts []report.Chart
}

func (h *handler) dashboard(w http.ResponseWriter, r *http.Request, me *staffer) {
	d, err := h.cfg.Work.Dashboard(r.Context())
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	h.render.Render(w, http.StatusOK, "staff/dashboard", web.View{Title: "Dashboard", CSRF: me.csrf, Data: dashboardData{Dashboard: d, Charts: d.Charts("chart")}})
}
