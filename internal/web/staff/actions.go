package staff

import (
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// action is one small form on the case page. Its fields are named with the
// action's prefix, so one form object can hold them all and the page can
// show back what was typed into any of them. command checks what only the
// form knows (a required field left empty); the domain checks the rest.
type action struct {
	name string
	// rpcs are the API calls the action stands for; it needs the strictest
	// of their roles (see internal/policy).
	rpcs []string
	// first is the field the error summary links to when the domain
	// refuses the command as a whole.
	first string
	// fields maps the command's field names, as the domain reports them, to
	// the form's; a field the form does not show goes on first.
	fields  map[string]string
	command func(f *web.Form, me *staffer, today string) cases.Command
}

// required records an error when a field is empty and returns its value.
func required(f *web.Form, field, message string) string {
	v := strings.TrimSpace(f.Get(field))
	if v == "" {
		f.Fail(field, "", message)
	}
	return v
}

var actions = map[string]action{
	"assign": {name: "assign", rpcs: []string{"CaseService/AssignCase"}, first: "assign-to", fields: map[string]string{"assignee": "assign-to"}, command: func(f *web.Form, me *staffer, _ string) cases.Command {
		to := f.Get("assign-to")
		if to == "me" {
			to = me.actor
		}
		return cases.Assign{Assignee: to}
	}},
	"request": {name: "request", rpcs: []string{"CaseService/RequestIdentity", "CaseService/RequestClarification", "CaseService/RequestFee"}, first: "request-what", fields: map[string]string{"what": "request-what", "detail": "request-detail"}, command: func(f *web.Form, _ *staffer, today string) cases.Command {
		what := required(f, "request-what", "Choose what to ask the requester for")
		return cases.RequestFromRequester{What: cases.WaitingFor(what), On: today, Detail: f.Get("request-detail")}
	}},
	"response": {name: "response", rpcs: []string{"CaseService/RecordRequesterResponse"}, first: "response-detail", fields: map[string]string{"detail": "response-detail"}, command: func(f *web.Form, _ *staffer, today string) cases.Command {
		return cases.RecordResponse{On: today, Detail: required(f, "response-detail", "Say what the requester sent")}
	}},
	"extend": {name: "extend", rpcs: []string{"CaseService/ExtendCase"}, first: "extend-months", fields: map[string]string{"months": "extend-months", "reason": "extend-reason"}, command: func(f *web.Form, _ *staffer, today string) cases.Command {
		months := 0
		switch required(f, "extend-months", "Choose how many months to extend by") {
		case "1":
			months = 1
		case "2":
			months = 2
		}
		return cases.Extend{On: today, Months: months, Reason: required(f, "extend-reason", "Give the reason for the extension")}
	}},
	"close": {name: "close", rpcs: []string{"CaseService/CloseCase"}, first: "close-outcome", fields: map[string]string{"outcome": "close-outcome", "refusal_reason": "close-reason", "detail": "close-detail"}, command: func(f *web.Form, _ *staffer, today string) cases.Command {
		outcome := cases.OutcomeKind(required(f, "close-outcome", "Choose the outcome"))
		cmd := cases.Close{On: today, Outcome: outcome, Detail: f.Get("close-detail")}
		if outcome == cases.OutcomeRefused {
			cmd.RefusalReason = cases.RefusalReason(required(f, "close-reason", "Choose the reason for refusing"))
		}
		return cmd
	}},
	"note": {name: "note", rpcs: []string{"CaseService/AddNote"}, first: "note-text", fields: map[string]string{"text": "note-text"}, command: func(f *web.Form, _ *staffer, _ string) cases.Command {
		return cases.AddNote{Text: required(f, "note-text", "Enter the note")}
	}},
	"task": {name: "task", rpcs: []string{"CaseService/CompleteTask"}, first: "task-resolution", fields: map[string]string{"state": "task-state", "resolution": "task-resolution"}, command: func(f *web.Form, _ *staffer, _ string) cases.Command {
		state := cases.TaskDone
		if f.Get("task-state") == string(cases.TaskImpossible) {
			state = cases.TaskImpossible
		}
		return cases.CompleteTask{TaskID: f.Get("task-id"), State: state, Resolution: f.Get("task-resolution")}
	}},
	"search": {name: "search", rpcs: []string{"CaseService/RecordSearch"}, first: "search-source", fields: map[string]string{"source": "search-source", "found": "search-found", "by": "search-by"}, command: func(f *web.Form, me *staffer, today string) cases.Command {
		by := strings.TrimSpace(f.Get("search-by"))
		if by == "" {
			by = me.name
		}
		return cases.RecordSearch{
			Source: required(f, "search-source", "Enter the system or team searched"),
			Found:  required(f, "search-found", "Say what was found, or that nothing was"),
			On:     today, By: by,
		}
	}},
	"not-searched": {name: "not-searched", rpcs: []string{"CaseService/RecordNotSearched"}, first: "skip-source", fields: map[string]string{"source": "skip-source", "reason": "skip-reason"}, command: func(f *web.Form, _ *staffer, _ string) cases.Command {
		return cases.RecordNotSearched{
			Source: required(f, "skip-source", "Enter the system or team not searched"),
			Reason: required(f, "skip-reason", "Say why it was not searched"),
		}
	}},
	"reopen": {name: "reopen", rpcs: []string{"CaseService/ReopenCase"}, first: "reopen-reason", fields: map[string]string{"reason": "reopen-reason"}, command: func(f *web.Form, _ *staffer, _ string) cases.Command {
		return cases.Reopen{Reason: required(f, "reopen-reason", "Give the reason for reopening")}
	}},
}
