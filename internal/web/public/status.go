package public

import (
	"net/http"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// statusData is all the status page shows of a case: where it stands and
// when it is due, and nothing personal.
type statusData struct {
	Reference string
	Received  string
	State     string
	Waiting   string
	Due       string
	Paused    bool
	Outcome   string
}

var stateText = map[cases.State]string{
	cases.StateNew:               "Received",
	cases.StateAwaitingRequester: "Waiting for you",
	cases.StateInProgress:        "In progress",
	cases.StateClosed:            "Closed",
}

var waitingText = map[cases.WaitingFor]string{
	cases.WaitingForIdentity:      "Proof of your identity. We have written to you about what to send.",
	cases.WaitingForClarification: "More details about your request. We have written to you about what we need.",
	cases.WaitingForFee:           "A fee. We have written to you about how much and how to pay.",
}

var outcomeText = map[cases.OutcomeKind]string{
	cases.OutcomeFulfilled:          "We did what you asked.",
	cases.OutcomePartiallyFulfilled: "We did some of what you asked, and wrote to you to explain the rest.",
	cases.OutcomeRefused:            "We could not do what you asked, and wrote to you to explain why.",
	cases.OutcomeWithdrawn:          "You withdrew your request.",
	cases.OutcomePassedToController: "We passed your request to the organisation responsible for your data, and told you who they are.",
	cases.OutcomeSelfService:        "We told you how to do what you asked yourself.",
}

// status shows a case's progress to whoever holds its reference and status
// code. A wrong reference and a wrong code give the very same page.
func (h *handler) status(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := web.NewForm(trimmed(q))
	view := web.View{Title: "Check the progress of your request", Form: f}
	if !q.Has("reference") && !q.Has("code") {
		h.render.Render(w, http.StatusOK, "public/status", view)
		return
	}
	if ok, wait := h.cfg.Lookups.Allow(r); !ok {
		h.site.TooManyRequests(w, wait)
		return
	}
	reference, code := f.Get("reference"), f.Get("code")
	if reference == "" {
		f.Fail("reference", "", "Enter your reference number")
	}
	if code == "" {
		f.Fail("code", "", "Enter your status code")
	}
	if f.HasErrors() {
		h.render.Render(w, http.StatusUnprocessableEntity, "public/status", view)
		return
	}
	c, err := h.cfg.Work.Status(r.Context(), reference, code)
	if web.ErrorOf(err).Kind == web.Missing {
		f.Fail("reference", "", "No request matches that reference number and status code. Check both and try again")
		h.render.Render(w, http.StatusNotFound, "public/status", view)
		return
	}
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	d := statusData{Reference: c.Reference, Received: c.ReceivedOn, State: stateText[c.State], Due: c.Clock.Due, Paused: c.Clock.Paused}
	if c.State == cases.StateAwaitingRequester {
		d.Waiting = waitingText[c.WaitingFor]
	}
	if c.Outcome != nil {
		d.Outcome = outcomeText[c.Outcome.Kind]
	}
	h.render.Render(w, http.StatusOK, "public/status-result", web.View{Title: "Your request " + c.Reference, Back: "/status", Data: d})
}
