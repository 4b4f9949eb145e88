package staff

import (
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// legalHoldAction holds a case past its retention period, or releases it:
// one page, whose command is whichever the case's state calls for. The
// role is the RPC's (administrators: a hold overrides the retention
// schedule the organisation set), the rule the domain's.
var legalHoldAction = action{
	slug: "legal-hold", title: "Legal hold", act: cases.ActLegalHold, rpcs: []string{"CaseService/SetLegalHold"},
	intro: "A case on legal hold keeps its personal data past its retention period, for litigation, a complaint to the regulator or an investigation, until the hold is released. Both are recorded in the audit trail.",
	warning: func(c *cases.Case, _ string) string {
		if c.LegalHold == nil {
			return ""
		}
		return "This case has been on legal hold since " + web.LongDate(c.LegalHold.Since) + ". Releasing the hold lets the daily retention run destroy its personal data once its retention period has ended."
	},
	button: "Save", first: "hold-reason",
	questions: ask(textarea("hold-reason", "Why is the case held, or the hold released?", "Do not name people here unless you must: the reason is kept with the case.")),
	fieldFor:  fields("reason", "hold-reason"),
	command: func(f *web.Form, _ *staffer, c *cases.Case, _ string) cases.Command {
		return cases.SetLegalHold{Held: c.LegalHold == nil, Reason: required(f, "hold-reason", "Give the reason")}
	},
}
