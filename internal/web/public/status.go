package public

import (
	"net/http"
	"net/url"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// statusData is all the status page shows of a case: where it stands, when
// it is due and whom to contact, and nothing personal, not even which
// services it is about.
type statusData struct {
	Reference string
	Received  string
	State     string
	Waiting   string
	Due       string
	Paused    bool
	// Overdue is set when an open case's due date has passed.
	Overdue bool
	Outcome string
	// CanAnswer offers the reply and withdraw pages, while the case is open.
	CanAnswer bool
	// Response is what can be had of a released response pack.
	Response responseOffer
	Help     help
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
	cases.OutcomeDuplicate:          "You had already made this request, so we are answering it under your other reference number.",
}

const statusTitle = "Check the progress of your request"

// statusForm asks for the reference and status code. A link may fill in
// the reference; the code is only ever posted, so it stays out of
// addresses, logs and browser history.
func (h *handler) statusForm(w http.ResponseWriter, r *http.Request) {
	sess, err := h.cfg.Sessions.Start(w, r)
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	f := web.NewForm(url.Values{"reference": {r.URL.Query().Get("reference")}})
	h.renderStatusForm(w, http.StatusOK, h.cfg.Sessions.CSRFToken(sess), f)
}

func (h *handler) renderStatusForm(w http.ResponseWriter, status int, csrf string, f *web.Form) {
	h.render.Render(w, status, "public/status", web.View{Title: statusTitle, Form: f, CSRF: csrf})
}

// status shows a case's progress to whoever holds its reference and status
// code. A wrong reference and a wrong code give the very same page.
func (h *handler) status(w http.ResponseWriter, r *http.Request) {
	if ok, wait := h.cfg.Lookups.Allow(r); !ok {
		h.site.TooManyRequests(w, wait)
		return
	}
	// Protect has checked the token against this very session.
	csrf := h.cfg.Sessions.CSRFToken(h.cfg.Sessions.Current(r))
	f := web.NewForm(trimmed(r.PostForm))
	reference, code := f.Get("reference"), f.Get("code")
	if reference == "" {
		f.Fail("reference", "", "Enter your reference number")
	}
	if code == "" {
		f.Fail("code", "", "Enter your status code")
	}
	if f.HasErrors() {
		h.renderStatusForm(w, http.StatusUnprocessableEntity, csrf, f)
		return
	}
	c, err := h.cfg.Work.Status(r.Context(), reference, code)
	if web.ErrorOf(err).Kind == web.Missing {
		f.Fail("reference", "", "No request matches that reference number and status code. Check both and try again")
		h.renderStatusForm(w, http.StatusNotFound, csrf, f)
		return
	}
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	if err := h.rememberLookup(w, r, c.Reference, code); err != nil {
		h.render.Fail(w, err)
		return
	}
	h.renderResult(w, r, c)
}

// renderResult shows a looked-up case's progress and, while it is open,
// how to reply or withdraw it.
func (h *handler) renderResult(w http.ResponseWriter, r *http.Request, c *cases.Case) {
	d := statusData{Reference: c.Reference, Received: c.ReceivedOn, State: stateText[c.State], Due: c.Clock.Due, Paused: c.Clock.Paused, CanAnswer: c.Open()}
	if c.State == cases.StateAwaitingRequester {
		d.Waiting = waitingText[c.WaitingFor]
	}
	if c.Outcome != nil {
		d.Outcome = outcomeText[c.Outcome.Kind]
	}
	d.Response = h.responseOfferFor(c)
	if standing := h.cfg.Work.Standings([]*cases.Case{c})[0]; standing != nil {
		d.Overdue = standing.Overdue
	}
	var err error
	if d.Help, err = h.helpFor(r.Context(), c.Notices); err != nil {
		h.render.Fail(w, err)
		return
	}
	h.render.Render(w, http.StatusOK, "public/status-result", web.View{Title: "Your request " + c.Reference, Back: "/status", Data: d})
}
