//lint:file-ignore SA1019 Case.notice, notice_version, context and audience are deprecated for clients, but this file still reads and fills them for clients of the single-notice API.

package server

import (
	"encoding/hex"
	"strings"

	"google.golang.org/protobuf/types/known/timestamppb"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

func newCaseFromProto(c *rdv1.Case, requestID string) cases.NewCase {
	in := cases.NewCase{Notices: noticeRefsFromProto(c), Description: c.GetDescription(), ReceivedOn: c.GetReceivedOn(), RequestID: requestID}
	in.Channel = cases.Channel(enumToDomain(c.GetChannel(), "RECEIVED_CHANNEL_"))
	in.Rights = rightsFromProto(c.GetRights())
	in.Requester = requesterFromProto(c.GetRequester())
	return in
}

// noticeRefsFromProto reads the notices a case names, or, from a client
// written before a case could name several, its one deprecated notice.
func noticeRefsFromProto(c *rdv1.Case) []cases.NoticeRef {
	var out []cases.NoticeRef
	for _, n := range c.GetNotices() {
		out = append(out, cases.NoticeRef{ID: strings.TrimPrefix(n.GetNotice(), "notices/"), Context: n.GetContext(), Audience: n.GetAudience()})
	}
	if len(out) == 0 && c.GetNotice() != "" {
		out = []cases.NoticeRef{{ID: strings.TrimPrefix(c.GetNotice(), "notices/"), Context: c.GetContext(), Audience: c.GetAudience()}}
	}
	return out
}

func rightsFromProto(rights []*rdv1.RequestedRight) []notice.Right {
	out := make([]notice.Right, 0, len(rights))
	for _, r := range rights {
		out = append(out, rightFromProto(r.GetRight()))
	}
	return out
}

// caseFieldsFromProto reads the fields UpdateCase may change.
func caseFieldsFromProto(c *rdv1.Case) cases.Case {
	in := newCaseFromProto(c, "")
	out := cases.Case{
		Description: in.Description, Region: c.GetRegion(), RegionReason: c.GetRegionReason(), Requester: in.Requester,
		Channel: in.Channel, ReceivedOn: in.ReceivedOn,
	}
	for _, ref := range in.Notices {
		out.Notices = append(out.Notices, cases.CaseNotice{NoticeRef: ref})
	}
	for _, r := range in.Rights {
		out.Rights = append(out.Rights, cases.RequestedRight{Right: r})
	}
	return out
}

func requesterFromProto(r *rdv1.Requester) cases.Requester {
	out := cases.Requester{
		Person:       personFromProto(r.GetPerson()),
		Relationship: cases.Relationship(enumToDomain(r.GetRelationship(), "RELATIONSHIP_")),
		Authority:    r.GetAuthority(),
	}
	if out.Relationship == "" {
		out.Relationship = cases.RelationshipSelf
	}
	if r.GetDataSubject() != nil {
		p := personFromProto(r.GetDataSubject())
		out.DataSubject = &p
	}
	return out
}

func personFromProto(p *rdv1.Person) cases.Person {
	return cases.Person{Name: strings.TrimSpace(p.GetName()), Email: strings.TrimSpace(p.GetEmail()), Phone: p.GetPhone(), PostalAddress: p.GetPostalAddress()}
}

func personToProto(p *cases.Person) *rdv1.Person {
	if p == nil {
		return nil
	}
	return &rdv1.Person{Name: p.Name, Email: p.Email, Phone: p.Phone, PostalAddress: p.PostalAddress}
}

// caseToProto converts a case and its standing today (nil when it has none).
func caseToProto(c *cases.Case, st *deadline.Standing) *rdv1.Case {
	out := &rdv1.Case{
		Name: c.Name(), Reference: c.Reference, Description: c.Description,
		Requester: &rdv1.Requester{
			Person:       personToProto(&c.Requester.Person),
			Relationship: enumFromDomain[rdv1.Relationship](rdv1.Relationship_value, "RELATIONSHIP_", string(c.Requester.Relationship)),
			DataSubject:  personToProto(c.Requester.DataSubject),
			Authority:    c.Requester.Authority,
		},
		Channel:            enumFromDomain[rdv1.ReceivedChannel](rdv1.ReceivedChannel_value, "RECEIVED_CHANNEL_", string(c.Channel)),
		Region:             c.Region,
		RegionReason:       c.RegionReason,
		ReceivedOn:         c.ReceivedOn,
		State:              enumFromDomain[rdv1.CaseState](rdv1.CaseState_value, "CASE_STATE_", string(c.State)),
		WaitingFor:         enumFromDomain[rdv1.WaitingFor](rdv1.WaitingFor_value, "WAITING_FOR_", string(c.WaitingFor)),
		Assignee:           c.Assignee,
		IdentityStatus:     enumFromDomain[rdv1.IdentityStatus](rdv1.IdentityStatus_value, "IDENTITY_STATUS_", string(c.IdentityStatus)),
		IdentityReceivedOn: c.IdentityReceivedOn,
		FeeStatus:          enumFromDomain[rdv1.FeeStatus](rdv1.FeeStatus_value, "FEE_STATUS_", string(c.FeeStatus)),
		FeeReceivedOn:      c.FeeReceivedOn,
		Clock:              clockToProto(&c.Clock, st),
		OtherController:    partyToProto(c.OtherController),
		Etag:               c.Etag(),
		CreateTime:         timestamppb.New(c.Created),
		UpdateTime:         timestamppb.New(c.Updated),
	}
	noticesToProto(out, c.Notices)
	for _, r := range c.Rights {
		rr := &rdv1.RequestedRight{Right: rightToProto(r.Right), Evaluation: evaluationToProto(notice.Evaluation{
			Right: r.Right, Availability: r.Availability, Condition: r.Condition, Reason: r.Reason,
		})}
		for _, e := range r.PerNotice {
			rr.PerNotice = append(rr.PerNotice, &rdv1.NoticeRightEvaluation{Notice: noticeName(e.NoticeID), Evaluation: evaluationToProto(notice.Evaluation{
				Right: r.Right, Availability: e.Availability, Condition: e.Condition, Reason: e.Reason,
			})})
		}
		out.Rights = append(out.Rights, rr)
	}
	for _, e := range c.Exchanges {
		out.Exchanges = append(out.Exchanges, &rdv1.Exchange{
			Kind:  enumFromDomain[rdv1.ExchangeKind](rdv1.ExchangeKind_value, "EXCHANGE_KIND_", string(e.Kind)),
			About: enumFromDomain[rdv1.WaitingFor](rdv1.WaitingFor_value, "WAITING_FOR_", string(e.What)),
			On:    e.On, Detail: e.Detail, RecordedBy: e.By,
		})
	}
	for _, id := range c.Links {
		out.LinkedCases = append(out.LinkedCases, "cases/"+id)
	}
	out.LegalHold, out.Purged = retentionToProto(c)
	out.Review = reviewToProto(c)
	out.Delivery = deliveryToProto(c)
	out.Documents = documentsToProto(c)
	for _, p := range c.Clarifications {
		out.Clarifications = append(out.Clarifications, &rdv1.Clarification{Asked: p.Asked, Answered: p.Answered})
	}
	if e := c.Extension; e != nil {
		out.Extension = &rdv1.Extension{GrantedOn: e.GrantedOn, Reason: e.Reason, Months: int32(e.Months)}
	}
	if o := c.Outcome; o != nil {
		out.Outcome = &rdv1.Outcome{
			Kind:          enumFromDomain[rdv1.OutcomeKind](rdv1.OutcomeKind_value, "OUTCOME_KIND_", string(o.Kind)),
			RefusalReason: enumFromDomain[rdv1.RefusalReason](rdv1.RefusalReason_value, "REFUSAL_REASON_", string(o.RefusalReason)),
			Detail:        o.Detail, ClosedOn: o.ClosedOn, OnTime: o.OnTime,
		}
		if o.DuplicateOf != "" {
			out.Outcome.DuplicateOf = "cases/" + o.DuplicateOf
		}
		out.Outcome.Override, out.Outcome.ActionTaken = overrideToProto(o.Override), o.ActionTaken
	}
	for _, t := range c.Tasks {
		out.Tasks = append(out.Tasks, &rdv1.Task{
			Id: t.ID, Recipient: t.Recipient, Email: t.Email, Due: t.Due, Resolution: t.Resolution, CompletedBy: t.CompletedBy, CompletedOn: t.CompletedOn,
			Kind:  enumFromDomain[rdv1.TaskKind](rdv1.TaskKind_value, "TASK_KIND_", string(t.Kind)),
			State: enumFromDomain[rdv1.TaskState](rdv1.TaskState_value, "TASK_STATE_", string(t.State)),
		})
	}
	for _, s := range c.Searches {
		out.Searches = append(out.Searches, &rdv1.CaseSearch{
			Id: s.ID, Kind: enumFromDomain[rdv1.SearchKind](rdv1.SearchKind_value, "SEARCH_KIND_", string(s.Kind)),
			Source: s.Source, On: s.On, By: s.By, Found: s.Found, Reason: s.Reason,
			RecordedBy: s.RecordedBy, RecordTime: timestamppb.New(s.Recorded),
		})
	}
	out.SearchRequests = searchRequestsToProto(c.Name(), c.SearchRequests)
	for _, n := range c.Notes {
		out.Notes = append(out.Notes, &rdv1.Note{Id: n.ID, Author: n.Author, CreateTime: timestamppb.New(n.Created), Text: n.Text, On: n.On})
	}
	return out
}

// noticesToProto sets the case's notices and, for clients written before a
// case could name several, mirrors the first in the deprecated fields.
func noticesToProto(out *rdv1.Case, notices []cases.CaseNotice) {
	for _, n := range notices {
		out.Notices = append(out.Notices, &rdv1.CaseNotice{Notice: noticeName(n.ID), Version: int32(n.Version), Context: n.Context, Audience: n.Audience})
	}
	if len(notices) > 0 {
		first := out.Notices[0]
		out.Notice, out.NoticeVersion, out.Context, out.Audience = first.Notice, first.Version, first.Context, first.Audience
	}
}

func clockToProto(c *cases.Clock, st *deadline.Standing) *rdv1.CaseClock {
	out := &rdv1.CaseClock{
		RuleSet: c.RuleSet, ClockStart: c.Start, StatutoryDue: c.StatutoryDue, ExtendedDue: c.ExtendedDue,
		ExtensionNoticeBy: c.ExtensionNoticeBy, Due: c.Due, Paused: c.Paused, PausedSince: c.PausedSince,
		PausedDays: int32(c.PausedDays),
	}
	for _, s := range c.Steps {
		out.Steps = append(out.Steps, &rdv1.ExplanationStep{Text: s.Text, Date: s.Date})
	}
	if st != nil {
		out.Standing = &rdv1.Standing{CalendarDaysLeft: int32(st.CalendarDaysLeft), WorkingDaysLeft: int32(st.WorkingDaysLeft), Overdue: st.Overdue, Rag: string(st.RAG)}
	}
	return out
}

func eventToProto(e *audit.Event) *rdv1.CaseEvent {
	return &rdv1.CaseEvent{
		Sequence: e.Seq, Actor: e.Actor, Time: timestamppb.New(e.Time), Action: e.Action,
		Before: e.Before, After: e.After, Hash: hex.EncodeToString(e.Hash), PrevHash: hex.EncodeToString(e.PrevHash),
	}
}
