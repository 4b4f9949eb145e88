package cases

import (
	"maps"
	"strconv"
	"strings"
)

// Change is what a command did, for the audit trail: the non-personal fields
// before and after, and any personal data it recorded, kept apart so it can
// be erased without breaking the audit chain.
type Change struct {
	Action   string
	Before   map[string]string
	After    map[string]string
	Personal map[string]any
}

// snapshot is the non-personal state of a case: enough to reconstruct its
// lifecycle from the audit trail without any requester data.
func snapshot(c *Case) map[string]string {
	rights := make([]string, len(c.Rights))
	for i, r := range c.Rights {
		rights[i] = string(r.Right)
	}
	s := map[string]string{
		"reference": c.Reference, "notices": NoticesText(c.Notices), "rights": strings.Join(rights, ","),
		"channel": string(c.Channel), "region": c.Region, "region_reason": c.RegionReason, "received_on": c.ReceivedOn,
		"state": string(c.State), "waiting_for": string(c.WaitingFor), "assignee": c.Assignee,
		"identity_status": string(c.IdentityStatus), "fee_status": string(c.FeeStatus),
		"clock_start": c.Clock.Start, "statutory_due": c.Clock.StatutoryDue, "extended_due": c.Clock.ExtendedDue,
		"due": c.Clock.Due, "paused_days": strconv.Itoa(c.Clock.PausedDays),
		"clarifications": strconv.Itoa(len(c.Clarifications)), "notes": strconv.Itoa(len(c.Notes)),
		"open_tasks": strconv.Itoa(countOpenTasks(c)),
	}
	if searched, skipped := c.SearchCounts(); searched+skipped > 0 {
		s["searched"], s["not_searched"] = strconv.Itoa(searched), strconv.Itoa(skipped)
	}
	if len(c.SearchRequests) > 0 {
		s["search_requests"] = c.searchRequestSummary()
	}
	if c.Extension != nil {
		s["extension"] = c.Extension.GrantedOn + " +" + strconv.Itoa(c.Extension.Months) + "m"
	}
	if c.Outcome != nil {
		s["outcome"] = string(c.Outcome.Kind)
		s["refusal_reason"] = string(c.Outcome.RefusalReason)
		s["closed_on"] = c.Outcome.ClosedOn
		s["duplicate_of"] = c.Outcome.DuplicateOf
		if c.Outcome.Override != nil {
			s["override_by"] = c.Outcome.Override.By
		}
	}
	if c.Review != nil {
		s["review"] = string(c.Review.State)
	}
	if len(c.Links) > 0 {
		s["links"] = strings.Join(c.Links, ",")
	}
	if n := c.DocumentCount(); n > 0 {
		s["documents"] = strconv.Itoa(n)
	}
	if d := c.Delivery; d != nil {
		s["delivery_codes_sent"] = strconv.Itoa(d.CodesSentTotal)
		s["delivery_codes_refused"] = strconv.Itoa(d.FailedAttempts)
		s["pack_downloads"] = strconv.Itoa(len(d.Downloads))
	}
	if c.NewReply {
		s["new_reply"] = "true"
	}
	if c.PartialRefusal() {
		// The case is a partial refusal: the codes of what it relies on.
		codes := make([]string, 0, len(Exemptions))
		for _, e := range c.ExemptionsRelied() {
			codes = append(codes, e.Code)
		}
		s["partial_refusal"] = strings.Join(codes, ",")
	}
	if c.LegalHold != nil {
		s["legal_hold"] = "true"
	}
	maps.DeleteFunc(s, func(_, v string) bool { return v == "" })
	return s
}

func countOpenTasks(c *Case) int {
	n := 0
	for _, t := range c.Tasks {
		if t.State == TaskOpen {
			n++
		}
	}
	return n
}

// diff keeps only the fields that changed.
func diff(before, after map[string]string) (b, a map[string]string) {
	b, a = map[string]string{}, map[string]string{}
	for k, v := range before {
		if after[k] != v {
			b[k] = v
		}
	}
	for k, v := range after {
		if before[k] != v {
			a[k] = v
		}
	}
	return b, a
}
