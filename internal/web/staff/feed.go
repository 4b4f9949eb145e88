package staff

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/export"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

type feedData struct {
	// URL is the new feed address, shown once, right after it is made.
	URL string
}

func (h *handler) feedPage(w http.ResponseWriter, _ *http.Request, me *staffer) {
	h.render.Render(w, http.StatusOK, "staff/feed", web.View{Title: "Your calendar feed", CSRF: me.csrf, Data: feedData{}})
}

// feedIssue makes a new secret feed address, which stops any earlier one
// working. The address is shown on this response only: only its hash is
// kept.
func (h *handler) feedIssue(w http.ResponseWriter, r *http.Request, me *staffer) {
	token, err := h.cfg.Work.IssueFeedToken(r.Context(), me.actor)
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	feed := strings.TrimSuffix(h.cfg.BaseURL, "/") + "/staff/feed/" + url.PathEscape(token) + ".ics"
	h.render.Render(w, http.StatusOK, "staff/feed", web.View{Title: "Your calendar feed", CSRF: me.csrf, Data: feedData{URL: feed}})
}

func (h *handler) feedRevoke(w http.ResponseWriter, r *http.Request, me *staffer) {
	if err := h.cfg.Work.RevokeFeedToken(r.Context(), me.actor); err != nil {
		h.render.Fail(w, err)
		return
	}
	http.Redirect(w, r, "/staff/feed?revoked=1", http.StatusSeeOther)
}

// feedICS serves the calendar of the due dates of the open cases assigned
// to the feed's owner.
func (h *handler) feedICS(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok {
		h.render.NotFound(w)
		return
	}
	owner, err := h.cfg.Work.FeedOwner(r.Context(), token)
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	if id, local := strings.CutPrefix(owner, "user:"); local {
		// Ending an account's sessions deletes its feed token too; this
		// also stops a token kept from before that rule, once its account
		// is disabled or gone.
		u, err := h.cfg.Users.Get(r.Context(), id)
		if err == nil && u.Disabled {
			h.render.NotFound(w)
			return
		}
		if err != nil {
			h.render.Fail(w, err)
			return
		}
	}
	names, err := h.names(r.Context())
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	base := strings.TrimSuffix(h.cfg.BaseURL, "/")
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	err = export.DueDatesICS(r.Context(), w, h.cfg.Work, owner, "Rightsdesk: "+names.of(owner), h.cfg.Clock.Now(),
		func(c *cases.Case) string { return base + "/staff/cases/" + url.PathEscape(c.ID) })
	if err != nil {
		h.cfg.Log.ErrorContext(r.Context(), "calendar feed failed part way", "error", err)
	}
}
