package staff

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// action is one thing staff do to a case, on a page of its own at
// /staff/cases/{id}/{slug}: the case page links to the actions the case
// allows now, and each page asks only what its command needs. command
// checks what only the form knows (a choice left empty); the domain checks
// the rest, and its field errors come back onto the page's fields.
type action struct {
	slug  string
	title string
	// act is the domain's name for the action: its page is offered, and
	// drawn, only while cases.Case.Actions allows it.
	act cases.StaffAction
	// sub marks a page reached from the case page's summary (the rights,
	// the region) rather than listed as an action of its own.
	sub bool
	// rpcs are the API calls the action stands for; it needs the strictest
	// of their roles (see internal/policy).
	rpcs []string
	// intro is said above the form, and warning, when it says something,
	// in a warning.
	intro   string
	warning func(c *cases.Case, today string) string
	button  string
	// on is the legend of the date the action took effect; "" for an action
	// the domain keeps no such date for (an edit, a link).
	on string
	// questions are the page's fields, drawn for the case (who it can be
	// assigned to, which tasks are open).
	questions func(h *handler, r *http.Request, me *staffer, c *cases.Case) ([]field, error)
	// about lists what the page shows of the case for the action.
	about func(c *cases.Case, names directory) []fact
	// fill sets the form's first values from the case, for the edit pages.
	fill func(c *cases.Case, v url.Values)
	// fieldFor maps a field the domain names to the form's field.
	fieldFor func(f *web.Form, domain string) string
	// first is the field a refusal of the whole command is shown on.
	first string
	// command builds the command; nil, with no error on the form, when
	// there is nothing to do (an edit that changes nothing).
	command func(f *web.Form, me *staffer, c *cases.Case, on string) cases.Command
	// run, for the actions that are not one command on the case (link and
	// merge), does the work and says which banner to show.
	run func(h *handler, r *http.Request, me *staffer, c *cases.Case, etag string, f *web.Form, on string) (done string, err error)
	// draft, for a run action that sends a letter, is the command whose
	// letter Preview shows; nil, with an error on the form, when the
	// answers name none.
	draft func(h *handler, r *http.Request, c *cases.Case, f *web.Form, on string) (cases.Command, error)
	// done names the banner shown after the action; empty: the command's
	// audit action says it (see doneMessages).
	done string
	// letter is set for an action whose step may write to the requester
	// (letters.Needed says which steps do): its page shows the letter as
	// a draft to edit and preview (see drafts.go).
	letter *letterUse
}

// field is one question on a staff form, drawn by the component its Kind
// names (the "question" template in templates/staff/include/questions.tmpl).
type field struct {
	// Kind is input, textarea, radios, select, checkboxes, date, notices
	// (the notice picker) or requester (who the request is for and who is
	// making it).
	Kind   string
	Name   string
	Label  string
	Hint   string
	Items  []web.Option
	Any    string // select: the label of an empty first choice
	Rows   int
	Inline bool
	Type   string // input: e.g. email, tel
	// Notices are the notice picker's choices.
	Notices []noticeChoice
	// Recipients are the rows of the recipients to tell (recipients.go).
	Recipients []recipientRow
}

// fact is one row of a summary list about the case.
type fact struct{ Key, Value string }

// fields maps the domain's field names to the form's, the first prefix
// that matches winning; fields with no match go on the action's first.
func fields(pairs ...string) func(*web.Form, string) string {
	return func(_ *web.Form, domain string) string {
		for i := 0; i+1 < len(pairs); i += 2 {
			if strings.HasPrefix(domain, pairs[i]) {
				return pairs[i+1]
			}
		}
		return ""
	}
}

// required records an error when a field is empty and returns its value.
func required(f *web.Form, field, message string) string {
	v := strings.TrimSpace(f.Get(field))
	if v == "" {
		f.Fail(field, "", message)
	}
	return v
}

func input(name, label, hint string) field {
	return field{Kind: "input", Name: name, Label: label, Hint: hint}
}

func textarea(name, label, hint string) field {
	return field{Kind: "textarea", Name: name, Label: label, Hint: hint, Rows: 3}
}

func radios(name, label, hint string, items ...web.Option) field {
	return field{Kind: "radios", Name: name, Label: label, Hint: hint, Items: items}
}

// ask returns fixed questions, for actions whose questions do not depend
// on the case.
func ask(qs ...field) func(*handler, *http.Request, *staffer, *cases.Case) ([]field, error) {
	return func(*handler, *http.Request, *staffer, *cases.Case) ([]field, error) { return qs, nil }
}

// requestFrom is the action of asking the requester for something, which
// stops (or for clarification pauses) the clock until they answer.
func requestFrom(slug, title string, act cases.StaffAction, rpc string, what cases.WaitingFor, label, hint, intro string) action {
	detail := slug + "-detail"
	return action{
		slug: slug, title: title, act: act, rpcs: []string{rpc}, intro: intro, button: "Send and pause the clock",
		letter: &letterUse{button: "Send the letter and pause the clock"},
		on:     "When did you ask?", questions: ask(textarea(detail, label, hint)),
		fieldFor: fields("detail", detail, "on", "on"), first: detail,
		command: func(f *web.Form, _ *staffer, _ *cases.Case, on string) cases.Command {
			return cases.RequestFromRequester{What: what, On: on, Detail: f.Get(detail)}
		},
	}
}

// actions are every action page, in no particular order: the case page
// lists them in the order the domain gives.
var actions = indexActions([]action{
	{
		slug: "identity", title: "Check identity", act: cases.ActCheckIdentity,
		rpcs:  []string{"CaseService/ConfirmIdentity", "CaseService/RequestIdentity"},
		intro: "Decide whether you know who is asking. Ask for proof only when you have a reasonable doubt: asking stops the clock until it arrives.",
		about: func(c *cases.Case, _ directory) []fact {
			facts := append(requesterFacts(c), fact{"Their request", c.Description})
			if sent, ok := identitySent(c); ok {
				facts = append(facts, fact{"What they sent", sent})
			}
			return facts
		},
		button: "Continue", on: "When did you check?", first: "identity-how",
		letter: &letterUse{button: "Continue", when: "The letter is sent only if you ask them for proof of identity."},
		questions: func(_ *handler, _ *http.Request, _ *staffer, c *cases.Case) ([]field, error) {
			confirm := web.Option{Value: "confirm", Label: "The request shows who they are", Hint: "For example, it came from their work account, or the details match our records. Work starts and the clock runs from receipt."}
			ask := web.Option{Value: "request", Label: "Ask them for proof of identity", Hint: "The clock stops until they send it."}
			if c.IdentityStatus == cases.IdentityReceived {
				confirm = web.Option{Value: "confirm", Label: "What they sent shows who they are", Hint: "Their identity is verified. The clock keeps running from the day it arrived, " + web.LongDate(c.IdentityReceivedOn) + "."}
				ask = web.Option{Value: "request", Label: "It does not: ask them again", Hint: "The clock stops until they send what you need."}
			}
			return []field{
				radios("identity-how", "What did you find?", "", confirm, ask),
				textarea("identity-detail", "What you relied on, or what you asked for (optional)", ""),
			}, nil
		},
		fieldFor: fields("detail", "identity-detail", "on", "on"),
		command: func(f *web.Form, _ *staffer, _ *cases.Case, on string) cases.Command {
			detail := f.Get("identity-detail")
			switch how := required(f, "identity-how", "Choose whether the request shows who they are or you ask for proof"); how {
			case "confirm":
				return cases.ConfirmIdentity{On: on, Detail: detail}
			case "request":
				return cases.RequestFromRequester{What: cases.WaitingForIdentity, On: on, Detail: detail}
			case "":
			default:
				f.Fail("identity-how", "", "Choose whether the request shows who they are or you ask for proof")
			}
			return nil
		},
	},
	{
		slug: "assign", title: "Assign the case", act: cases.ActAssign, rpcs: []string{"CaseService/AssignCase"},
		button: "Assign", on: "When was it assigned?", first: "assign-to",
		questions: func(h *handler, r *http.Request, me *staffer, _ *cases.Case) ([]field, error) {
			people, err := h.assignees(r, me)
			return []field{{Kind: "select", Name: "assign-to", Label: "Assign to", Items: people}}, err
		},
		fieldFor: fields("assignee", "assign-to", "on", "on"),
		command: func(f *web.Form, me *staffer, _ *cases.Case, on string) cases.Command {
			to := f.Get("assign-to")
			if to == "me" {
				to = me.actor
			}
			return cases.Assign{Assignee: to, On: on}
		},
	},
	{
		slug: "response", title: "Record the requester’s reply", act: cases.ActRecordResponse,
		rpcs: []string{"CaseService/RecordRequesterResponse"}, button: "Record the reply and restart the clock",
		on: "When did the reply arrive?", first: "response-detail",
		about: func(c *cases.Case, names directory) []fact {
			for i := len(c.Exchanges) - 1; i >= 0; i-- {
				if e := c.Exchanges[i]; e.Kind == cases.ExchangeAsked {
					return []fact{{"What you asked for", exchangeText(e, names)}}
				}
			}
			return nil
		},
		questions: ask(textarea("response-detail", "What did the requester send?", "For example, “a copy of their passport”, or their answer in their own words.")),
		fieldFor:  fields("detail", "response-detail", "on", "on"),
		command: func(f *web.Form, _ *staffer, _ *cases.Case, on string) cases.Command {
			return cases.RecordResponse{On: on, Detail: required(f, "response-detail", "Say what the requester sent")}
		},
	},
	{
		slug: "search", title: "Record a search", act: cases.ActRecordSearch, rpcs: []string{"CaseService/RecordSearch"},
		intro:  "Each system or team searched goes on the search record, which shows the search was reasonable and proportionate (UK GDPR Article 15(1A)).",
		button: "Record the search", on: "When was it searched?", first: "search-source",
		questions: ask(
			input("search-source", "System or team searched", ""),
			textarea("search-found", "What was found", "Or “nothing”."),
			input("search-by", "Searched by (optional)", "Leave empty if it was you."),
		),
		fieldFor: fields("source", "search-source", "found", "search-found", "by", "search-by", "on", "on"),
		command: func(f *web.Form, me *staffer, _ *cases.Case, on string) cases.Command {
			by := strings.TrimSpace(f.Get("search-by"))
			if by == "" {
				by = me.name
			}
			return cases.RecordSearch{
				Source: required(f, "search-source", "Enter the system or team searched"),
				Found:  required(f, "search-found", "Say what was found, or that nothing was"),
				On:     on, By: by,
			}
		},
	},
	{
		slug: "not-searched", title: "Record a source not searched", act: cases.ActRecordNotSearched,
		rpcs:   []string{"CaseService/RecordNotSearched"},
		intro:  "A system or team deliberately left out of the search, and why: the other half of showing the search was proportionate.",
		button: "Record it", on: "When was it set aside?", first: "skip-source",
		questions: ask(input("skip-source", "System or team not searched", ""), textarea("skip-reason", "Why not", "")),
		fieldFor:  fields("source", "skip-source", "reason", "skip-reason", "on", "on"),
		command: func(f *web.Form, _ *staffer, _ *cases.Case, on string) cases.Command {
			return cases.RecordNotSearched{
				Source: required(f, "skip-source", "Enter the system or team not searched"),
				Reason: required(f, "skip-reason", "Say why it was not searched"),
				On:     on,
			}
		},
	},
	{
		slug: "task", title: "Complete a task", act: cases.ActCompleteTask, rpcs: []string{"CaseService/CompleteTask"},
		button: "Complete the task", on: "When was it done?", first: "task-id",
		questions: func(_ *handler, _ *http.Request, _ *staffer, c *cases.Case) ([]field, error) {
			var open []web.Option
			for _, t := range c.Tasks {
				if t.State == cases.TaskOpen {
					open = append(open, web.Option{Value: t.ID, Label: taskText(t)})
				}
			}
			return []field{
				radios("task-id", "Which task?", "", open...),
				radios("task-state", "Result", "", web.Option{Value: string(cases.TaskDone), Label: "Done"},
					web.Option{Value: string(cases.TaskImpossible), Label: "Impossible, or it would take disproportionate effort", Hint: "Say why below."}),
				textarea("task-resolution", "What was done (optional)", ""),
			}, nil
		},
		fill: func(c *cases.Case, v url.Values) {
			if open := openTasks(c); len(open) == 1 {
				v.Set("task-id", open[0].ID)
			}
			v.Set("task-state", string(cases.TaskDone))
		},
		fieldFor: fields("task_id", "task-id", "state", "task-state", "resolution", "task-resolution", "on", "on"),
		command: func(f *web.Form, _ *staffer, _ *cases.Case, on string) cases.Command {
			state := cases.TaskDone
			if f.Get("task-state") == string(cases.TaskImpossible) {
				state = cases.TaskImpossible
			}
			return cases.CompleteTask{TaskID: required(f, "task-id", "Choose the task"), State: state, Resolution: f.Get("task-resolution"), On: on}
		},
	},
	{
		slug: "close", title: "Close the case", act: cases.ActClose, rpcs: []string{"CaseService/CloseCase"},
		button: "Close the case", on: "When was the response sent?", first: "close-outcome",
		letter: &letterUse{button: "Send the letter and close the case"},
		about:  closeProblemFacts,
		questions: func(_ *handler, _ *http.Request, me *staffer, c *cases.Case) ([]field, error) {
			outcomes := make([]web.Option, 0, len(cases.OutcomeKinds))
			for _, k := range cases.OutcomeKinds {
				outcomes = append(outcomes, web.Option{Value: string(k), Label: outcomeLabel(k)})
			}
			refusals := make([]web.Option, 0, len(cases.RefusalReasons))
			for _, reason := range cases.RefusalReasons {
				refusals = append(refusals, web.Option{Value: string(reason), Label: web.Words(string(reason))})
			}
			qs := []field{
				radios("close-outcome", "Outcome", "", outcomes...),
				{Kind: "select", Name: "close-reason", Label: "If refused, the reason", Any: "Not refused", Items: refusals},
				textarea("close-detail", "Detail (optional)", ""),
			}
			if q, ok := recipientsQuestion(c); ok {
				qs = append(qs, q)
			}
			if q, ok := actionTakenQuestion(c); ok {
				qs = append(qs, q)
			}
			if q, ok := closeOverrideQuestion(c, me); ok {
				qs = append(qs, q)
			}
			return qs, nil
		},
		fill: func(c *cases.Case, v url.Values) { fillRecipientRows(c, v) },
		fieldFor: func(f *web.Form, domain string) string {
			if field := recipientFieldFor(f, domain); field != "" {
				return field
			}
			return closeFields(f, domain)
		},
		command: func(f *web.Form, me *staffer, _ *cases.Case, on string) cases.Command {
			outcome := cases.OutcomeKind(required(f, "close-outcome", "Choose the outcome"))
			cmd := cases.Close{On: on, Outcome: outcome, Detail: f.Get("close-detail"), Notify: recipientNotices(f),
				ActionTaken: f.Get("close-action"), OverrideReason: closeOverride(f, me)}
			if outcome == cases.OutcomeRefused {
				cmd.RefusalReason = cases.RefusalReason(required(f, "close-reason", "Choose the reason for refusing"))
			}
			return cmd
		},
	},
	requestFrom("clarify", "Ask for clarification", cases.ActClarify, "CaseService/RequestClarification", cases.WaitingForClarification,
		"What do you need them to clarify?", "", "For an access request the clock is paused while you wait, and runs on from where it stopped when they answer."),
	requestFrom("fee", "Ask for a fee", cases.ActRequestFee, "CaseService/RequestFee", cases.WaitingForFee,
		"How much, why, and how to pay", "A fee is only for a manifestly unfounded or excessive request, or for further copies.", "The clock stops until the fee is paid."),
	{
		slug: "extend", title: "Extend the deadline", act: cases.ActExtend, rpcs: []string{"CaseService/ExtendCase"},
		intro:  "By up to two further months where the request is complex or there are numerous requests. The requester must be told why within the first month.",
		button: "Extend", on: "When was it decided?", first: "extend-months",
		letter: &letterUse{button: "Send the letter and extend"},
		warning: func(c *cases.Case, today string) string {
			if c.Extension == nil && c.Clock.ExtensionNoticeBy != "" && today > c.Clock.ExtensionNoticeBy {
				return fmt.Sprintf("The first period ended on %s. An extension had to be made, and the requester told why, by then.", web.LongDate(c.Clock.ExtensionNoticeBy))
			}
			return ""
		},
		about: func(c *cases.Case, _ directory) []fact {
			return []fact{{"Due now", web.LongDate(c.Clock.Due)}, {"Decide and tell the requester by", web.LongDate(c.Clock.ExtensionNoticeBy)}}
		},
		questions: ask(
			field{Kind: "radios", Name: "extend-months", Label: "By", Inline: true, Items: []web.Option{{Value: "1", Label: "1 month"}, {Value: "2", Label: "2 months"}}},
			textarea("extend-reason", "Reason", "The requester must be told this within the first month."),
		),
		fieldFor: fields("months", "extend-months", "reason", "extend-reason", "on", "on"),
		command: func(f *web.Form, _ *staffer, _ *cases.Case, on string) cases.Command {
			months := 0
			switch required(f, "extend-months", "Choose how many months to extend by") {
			case "1":
				months = 1
			case "2":
				months = 2
			}
			return cases.Extend{On: on, Months: months, Reason: required(f, "extend-reason", "Give the reason for the extension")}
		},
	},
	{
		slug: "note", title: "Add a note", act: cases.ActNote, rpcs: []string{"CaseService/AddNote"},
		intro:  "A note is added whatever a colleague did to the case meanwhile.",
		button: "Add the note", on: "When did it happen?", first: "note-text",
		questions: ask(textarea("note-text", "Note", "")),
		fieldFor:  fields("text", "note-text", "on", "on"),
		command: func(f *web.Form, _ *staffer, _ *cases.Case, on string) cases.Command {
			return cases.AddNote{Text: required(f, "note-text", "Enter the note"), On: on}
		},
	},
	{
		slug: "reopen", title: "Reopen the case", act: cases.ActReopen, rpcs: []string{"CaseService/ReopenCase"},
		button: "Reopen the case", on: "When was it reopened?", first: "reopen-reason",
		questions: ask(textarea("reopen-reason", "Reason for reopening", "")),
		fieldFor:  fields("reason", "reopen-reason", "on", "on"),
		command: func(f *web.Form, _ *staffer, _ *cases.Case, on string) cases.Command {
			return cases.Reopen{Reason: required(f, "reopen-reason", "Give the reason for reopening"), On: on}
		},
	},
	{
		// Drawn as a button beside the reply on the case page.
		slug: "reply-seen", title: "Mark the reply as read", act: cases.ActAcknowledgeReply, sub: true,
		rpcs: []string{"CaseService/RecordRequesterResponse"}, button: "Mark as read", first: "reply-seen",
		questions: ask(), fieldFor: fields(),
		command: func(*web.Form, *staffer, *cases.Case, string) cases.Command { return cases.AcknowledgeReply{} },
	},
	legalHoldAction,
	submitReviewAction, approveReviewAction, returnReviewAction, releasePackAction,
	sendSearchRequestAction, cancelSearchRequestAction,
	linkAction, mergeAction,
	editDetails, editRights, editNotices, editRegion,
})

// closeFields maps the close's own fields to its form.
var closeFields = fields("outcome", "close-outcome", "refusal_reason", "close-reason", "detail", "close-detail", "override_reason", "close-override", "action_taken", "close-action", "on", "on")

func indexActions(list []action) map[string]action {
	out := make(map[string]action, len(list))
	for _, a := range list {
		out[a.slug] = a
	}
	return out
}

// byAct finds the page of each action the domain names.
var byAct = func() map[cases.StaffAction]action {
	out := map[cases.StaffAction]action{}
	for _, a := range actions {
		if !a.sub {
			out[a.act] = a
		}
	}
	return out
}()

// actionRoles is the role each action page needs, from the API's own
// declarations of its RPCs.
func actionRoles() (map[string]auth.Role, error) {
	out := make(map[string]auth.Role, len(actions))
	for slug, a := range actions {
		role, err := strictest(a.rpcs)
		if err != nil {
			return nil, err
		}
		out[slug] = role
	}
	return out, nil
}

// assignees are the people a case can be given to: the staffer first,
// nobody, then every other active caseworker.
func (h *handler) assignees(r *http.Request, me *staffer) ([]web.Option, error) {
	list, err := h.cfg.Users.List(r.Context())
	if err != nil {
		return nil, err
	}
	out := []web.Option{{Value: "me", Label: "Me (" + me.name + ")"}, {Value: "", Label: "Nobody (unassign)"}}
	for i := range list {
		u := &list[i]
		if !u.Disabled && u.Role.Includes(auth.RoleCaseworker) && u.Actor() != me.actor {
			out = append(out, web.Option{Value: u.Actor(), Label: u.Name})
		}
	}
	return out, nil
}

func openTasks(c *cases.Case) []cases.Task {
	var out []cases.Task
	for _, t := range c.Tasks {
		if t.State == cases.TaskOpen {
			out = append(out, t)
		}
	}
	return out
}

// taskText names a task for people: what it is, for whom, by when.
func taskText(t cases.Task) string {
	s := web.Words(string(t.Kind))
	if t.Kind == cases.TaskArticle19 {
		s = "Tell a recipient (Article 19)"
	}
	if t.Recipient != "" {
		s += ": " + t.Recipient
	}
	if t.Email != "" {
		s += ", written to at " + t.Email
	}
	if t.Due != "" {
		s += ", due " + web.LongDate(t.Due)
	}
	return s
}

// identitySent is what the requester sent in answer to the request for
// proof of identity that is now to check: their words and the names of
// their documents, which the case page offers to download.
func identitySent(c *cases.Case) (string, bool) {
	if c.IdentityStatus != cases.IdentityReceived {
		return "", false
	}
	for i := len(c.Exchanges) - 1; i >= 0; i-- {
		e := c.Exchanges[i]
		if e.Kind != cases.ExchangeReplied || e.What != cases.WaitingForIdentity {
			continue
		}
		parts := []string{}
		if e.Detail != "" {
			parts = append(parts, e.Detail)
		}
		for _, f := range e.Files {
			parts = append(parts, f.Name)
		}
		return strings.Join(parts, "; "), len(parts) > 0
	}
	return "", false
}

// requesterFacts are who is asking and how to reach them.
func requesterFacts(c *cases.Case) []fact {
	p := c.Requester.Person
	out := []fact{{"Requester", p.Name}, {"Email", p.Email}, {"Phone", p.Phone}, {"Postal address", p.PostalAddress}}
	if s := c.Requester.DataSubject; s != nil {
		out = append(out, fact{"Acting for", s.Name}, fact{"Their authority", c.Requester.Authority})
	}
	return append(out, fact{"Received", web.LongDate(c.ReceivedOn) + " by " + channelLabel(c.Channel)})
}
