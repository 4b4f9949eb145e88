package public

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// Once a response pack is released, its requester downloads it from the
// status page: they ask for a one-time code (emailed to the address on the
// request), type it in, and the download starts. Like every status-page
// step it works on the request looked up in the session, never one named
// in the address or the form; both posts spend the client's status-lookup
// allowance, and every code that does not work gets the very same answer.

const (
	responsePath     = "/status/response"
	responseCodePath = "/status/response/code"
	downloadPath     = "/status/response/download"
)

// responseOffer is what the status page says about the response pack.
type responseOffer struct {
	Offer cases.PackOffer
	// LastDay is the last day the pack can be downloaded (YYYY-MM-DD).
	LastDay string
	// Minutes is how long a code works.
	Minutes int
}

// responseOfferFor is the offer the status page shows for c; nothing when
// the site hands out no packs.
func (h *handler) responseOfferFor(c *cases.Case) responseOffer {
	if h.cfg.Delivery == nil || h.cfg.Packs == nil {
		return responseOffer{}
	}
	o := responseOffer{Offer: h.cfg.Delivery.PackOffer(c), Minutes: int(cases.DeliveryCodeLife / time.Minute)}
	o.LastDay, _ = c.PackLastDay()
	return o
}

// showResponse is the page about the released response: how to get the
// code, or why it cannot be had online.
func (h *handler) showResponse(w http.ResponseWriter, r *http.Request) {
	v := h.openVisit(w, r)
	if v == nil {
		return
	}
	if c := h.current(w, r, v); c != nil {
		h.renderResponse(w, http.StatusOK, v, c, "public/response", web.NewForm(nil))
	}
}

// responsePage is the data of the response and code pages.
type responsePage struct {
	Reference string
	Response  responseOffer
}

// renderResponse shows page, the response page or the code page; either
// says why when the pack cannot be had online.
func (h *handler) renderResponse(w http.ResponseWriter, status int, v *visit, c *cases.Case, page string, f *web.Form) {
	d := responsePage{Reference: c.Reference, Response: h.responseOfferFor(c)}
	title := "Your response is ready"
	switch {
	case d.Response.Offer != cases.PackOnline:
		title = "Your response cannot be downloaded"
	case page == "public/response-code":
		title = "Enter your code"
	}
	h.render.Render(w, status, page, web.View{Title: title, Back: resultPath, Form: f, CSRF: v.csrf, Data: d})
}

// allowed spends one of the client's status-lookup allowance, answering
// 429 when none is left.
func (h *handler) allowed(w http.ResponseWriter, r *http.Request) bool {
	if ok, wait := h.cfg.Lookups.Allow(r); !ok {
		h.site.TooManyRequests(w, wait)
		return false
	}
	return true
}

// sendCode emails a new one-time code and moves on to the page to type it.
func (h *handler) sendCode(w http.ResponseWriter, r *http.Request) {
	if !h.allowed(w, r) {
		return
	}
	v := h.openVisit(w, r)
	if v == nil {
		return
	}
	if h.cfg.Delivery == nil {
		h.render.NotFound(w)
		return
	}
	_, err := h.cfg.Delivery.SendDeliveryCode(r.Context(), v.lookup.Reference, v.lookup.Code)
	var limit *cases.CodeLimitReached
	switch {
	case errors.As(err, &limit):
		h.site.TooManyRequests(w, limit.Wait)
		return
	case web.ErrorOf(err).Kind == web.Missing:
		http.Redirect(w, r, "/status", http.StatusSeeOther)
		return
	case err != nil:
		h.render.Fail(w, err)
		return
	}
	http.Redirect(w, r, responseCodePath, http.StatusSeeOther)
}

// showCode is the page to type the code on.
func (h *handler) showCode(w http.ResponseWriter, r *http.Request) {
	v := h.openVisit(w, r)
	if v == nil {
		return
	}
	if c := h.current(w, r, v); c != nil {
		h.renderResponse(w, http.StatusOK, v, c, "public/response-code", web.NewForm(nil))
	}
}

// download takes the code and, when it works, sends the pack as a file to
// save. A code that does not work — wrong, expired, used, or another
// request's — gets the code page again with one message, whichever it was.
func (h *handler) download(w http.ResponseWriter, r *http.Request) {
	if !h.allowed(w, r) {
		return
	}
	v := h.openVisit(w, r)
	if v == nil {
		return
	}
	if h.cfg.Delivery == nil || h.cfg.Packs == nil {
		h.render.NotFound(w)
		return
	}
	f := web.NewForm(trimmed(r.PostForm))
	if f.Get("code") == "" {
		f.Fail("code", "", "Enter the code we emailed you")
		h.rerenderCode(w, r, v, f)
		return
	}
	c, err := h.cfg.Delivery.RedeemDeliveryCode(r.Context(), v.lookup.Reference, v.lookup.Code, f.Get("code"))
	switch {
	case errors.Is(err, cases.ErrDeliveryCodeRefused):
		// A code that did not work is not shown again: the page is the
		// same whatever was typed, and a spent code is no use to keep.
		f.Values.Del("code")
		f.Take(web.ErrorOf(err), func(string) string { return "code" }, "code")
		h.rerenderCode(w, r, v, f)
		return
	case web.ErrorOf(err).Kind == web.Missing:
		http.Redirect(w, r, "/status", http.StatusSeeOther)
		return
	case err != nil:
		h.render.Fail(w, err)
		return
	}
	out := web.NewMadeAttachment(w, "application/zip", fmt.Sprintf("response-%s.zip", c.Reference))
	err = h.cfg.Packs.WritePack(r.Context(), c.ID, out)
	if err != nil && out.Started() {
		h.cfg.Log.Error("response pack download cut short", "case", c.ID, "error", err)
	}
	if err := out.Finish(err); err != nil {
		h.render.Fail(w, err)
	}
}

// rerenderCode shows the code page again with what was wrong.
func (h *handler) rerenderCode(w http.ResponseWriter, r *http.Request, v *visit, f *web.Form) {
	if c := h.current(w, r, v); c != nil {
		h.renderResponse(w, http.StatusUnprocessableEntity, v, c, "public/response-code", f)
	}
}
