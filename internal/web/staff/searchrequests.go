package staff

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// Search requests to data owners on the staff pages: the case page's
// search record lists each request (owner, system, due date, state), and
// sending one and cancelling one are action pages of their own. The rules
// (the due date before the case's, which requests can be cancelled) are
// the domain's; a refusal comes back on the page's field.

// searchRequestView is one row of the case page's list of requests.
type searchRequestView struct {
	ID, Owner, System, Due string
	State                  web.Tag
	// Said is what happened when, in words: sent, chased, answered.
	Said string
	// Cancellable is set for a request still waiting for its owner.
	Cancellable bool
}

var searchRequestTags = map[cases.SearchRequestState]web.Tag{
	cases.SearchRequestSent:            {Text: "Sent", Colour: "blue"},
	cases.SearchRequestChased:          {Text: "Chased", Colour: "orange"},
	cases.SearchRequestAnsweredFound:   {Text: "Files received", Colour: "green"},
	cases.SearchRequestAnsweredNothing: {Text: "Nothing held", Colour: "green"},
	cases.SearchRequestCancelled:       {Text: "Cancelled", Colour: "grey"},
}

// searchRequestsView is the case page's list of search requests, with the
// links to send one and to cancel one where the case and the staffer's
// role allow.
type searchRequestsView struct {
	CaseID    string
	Requests  []searchRequestView
	CanSend   bool
	CanCancel bool
}

// searchRequestsViewOf is the case page's list for staffer me.
func (h *handler) searchRequestsViewOf(c *cases.Case, me *staffer) *searchRequestsView {
	allowed := h.cfg.Work.Actions(c)
	may := func(a action) bool { return me.can(h.roles[a.slug]) && slices.Contains(allowed, a.act) }
	return &searchRequestsView{
		CaseID: c.ID, Requests: searchRequestViews(c),
		CanSend: h.cfg.Searches != nil && may(sendSearchRequestAction), CanCancel: may(cancelSearchRequestAction),
	}
}

// searchRequestViews are the case page's rows, oldest first.
func searchRequestViews(c *cases.Case) []searchRequestView {
	out := make([]searchRequestView, 0, len(c.SearchRequests))
	for _, r := range c.SearchRequests {
		said := "Sent on " + web.LongDate(r.SentOn)
		switch {
		case r.AnsweredOn != "":
			said += ", answered on " + web.LongDate(r.AnsweredOn)
		case r.CancelledOn != "":
			said += ", cancelled on " + web.LongDate(r.CancelledOn)
		case r.ChasedOn != "":
			said += ", chased on " + web.LongDate(r.ChasedOn) + "; the link works until " + web.LongDate(r.LinkUntil)
		default:
			said += "; the link works until " + web.LongDate(r.LinkUntil)
		}
		out = append(out, searchRequestView{
			ID: r.ID, Owner: r.Owner, System: r.Source, Due: r.Due, State: searchRequestTags[r.State], Said: said, Cancellable: r.Pending(),
		})
	}
	return out
}

var (
	sendSearchRequestAction = action{
		slug: "search-request", title: "Send a search request", act: cases.ActSendSearchRequest,
		rpcs: []string{"CaseService/SendSearchRequest"},
		intro: "The owner of a system or team gets an email with a link that needs no account: through it they send what the system holds about the requester, or say it holds nothing, and the search record fills itself in. " +
			"The email and the link name the case by its reference only: tell the owner separately who to search for. If the due date passes without an answer, a reminder goes once, with a new link.",
		button: "Send the search request", first: "request-owner",
		questions: func(h *handler, _ *http.Request, _ *staffer, c *cases.Case) ([]field, error) {
			hint := "It must be before the case is due, on " + web.LongDate(c.Clock.Due) + ". For example, 27 3 2026."
			if h.cfg.Searches != nil {
				if due, err := h.cfg.Searches.DefaultSearchDue(c); err == nil {
					hint = fmt.Sprintf("Leave it empty for %s: %d working days before the case is due (or today, once that has passed). ",
						web.LongDate(due.String()), cases.SearchDueWorkingDays) + hint
				}
			}
			email := input("request-email", "Their email address", "The link goes only to this address.")
			email.Type = "email"
			return []field{
				input("request-owner", "Name of the owner", "The person who can search the system or team."),
				email,
				input("request-source", "System or team to search", "For example, “HR system” or “Payroll team”."),
				{Kind: "date", Name: "request-due", Label: "Answer due by", Hint: hint},
			}, nil
		},
		fieldFor: fields("owner", "request-owner", "email", "request-email", "source", "request-source", "due", "request-due"),
		run: func(h *handler, r *http.Request, me *staffer, c *cases.Case, etag string, f *web.Form, _ string) (string, error) {
			if h.cfg.Searches == nil {
				return "", &fault.FailedPrecondition{Subject: c.Name(), Description: "this service sends no search requests: it has no mail relay"}
			}
			cmd := cases.SendSearchRequest{
				Owner:  required(f, "request-owner", "Enter the owner’s name"),
				Email:  required(f, "request-email", "Enter the owner’s email address"),
				Source: required(f, "request-source", "Enter the system or team to search"),
				Due:    dateOf(f, "request-due"),
			}
			if f.HasErrors() {
				return "", nil
			}
			_, err := h.cfg.Searches.SendSearchRequest(r.Context(), me.actor, c.ID, etag, cmd)
			return "case.search_request_sent", err
		},
	}
	cancelSearchRequestAction = action{
		slug: "cancel-search-request", title: "Cancel a search request", act: cases.ActCancelSearchRequest,
		rpcs:   []string{"CaseService/CancelSearchRequest"},
		intro:  "The owner’s link stops working at once and no reminder is sent. The search record keeps what was found before.",
		button: "Cancel the search request", first: "request-id",
		questions: func(_ *handler, _ *http.Request, _ *staffer, c *cases.Case) ([]field, error) {
			var pending []web.Option
			for _, r := range searchRequestViews(c) {
				if r.Cancellable {
					pending = append(pending, web.Option{Value: r.ID, Label: r.System + " (" + r.Owner + "), due " + web.LongDate(r.Due)})
				}
			}
			return []field{radios("request-id", "Which search request?", "", pending...)}, nil
		},
		fill: func(c *cases.Case, v url.Values) {
			pending := ""
			for _, r := range c.SearchRequests {
				if r.Pending() {
					if pending != "" {
						return // several: the staffer chooses
					}
					pending = r.ID
				}
			}
			v.Set("request-id", pending)
		},
		fieldFor: fields("id", "request-id"),
		command: func(f *web.Form, _ *staffer, _ *cases.Case, _ string) cases.Command {
			return cases.CancelSearchRequest{ID: required(f, "request-id", "Choose the search request to cancel")}
		},
	}
)
