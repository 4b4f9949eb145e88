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
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

func newRequestFromProto(c *rdv1.Case, requestID string) usecase.NewRequest {
	in := usecase.NewRequest{NoticeID: strings.TrimPrefix(c.GetNotice(), "notices/")}
	in.Context, in.Audience, in.Description = c.GetContext(), c.GetAudience(), c.GetDescription()
	in.Region, in.ReceivedOn, in.RequestID = c.GetRegion(), c.GetReceivedOn(), requestID
	in.Channel = cases.Channel(enumToDomain(c.GetChannel(), "RECEIVED_CHANNEL_"))
	for _, r := range c.GetRights() {
		in.Rights = append(in.Rights, rightFromProto(r.GetRight()))
	}
	in.Requester = requesterFromProto(c.GetRequester())
	return in
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
		Name: c.Name(), Reference: c.Reference, Notice: noticeName(c.NoticeID), NoticeVersion: int32(c.NoticeVersion),
		Context: c.Context, Audience: c.Audience, Description: c.Description,
		Requester: &rdv1.Requester{
			Person:       personToProto(&c.Requester.Person),
			Relationship: enumFromDomain[rdv1.Relationship](rdv1.Relationship_value, "RELATIONSHIP_", string(c.Requester.Relationship)),
			DataSubject:  personToProto(c.Requester.DataSubject),
			Authority:    c.Requester.Authority,
		},
		Channel:            enumFromDomain[rdv1.ReceivedChannel](rdv1.ReceivedChannel_value, "RECEIVED_CHANNEL_", string(c.Channel)),
		Region:             c.Region,
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
	for _, r := range c.Rights {
		out.Rights = append(out.Rights, &rdv1.RequestedRight{Right: rightToProto(r.Right), Evaluation: evaluationToProto(notice.Evaluation{
			Right: r.Right, Availability: r.Availability, Condition: r.Condition, Reason: r.Reason,
		})})
	}
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
	}
	for _, t := range c.Tasks {
		out.Tasks = append(out.Tasks, &rdv1.Task{
			Id: t.ID, Recipient: t.Recipient, Due: t.Due, Resolution: t.Resolution, CompletedBy: t.CompletedBy,
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
	for _, n := range c.Notes {
		out.Notes = append(out.Notes, &rdv1.Note{Id: n.ID, Author: n.Author, CreateTime: timestamppb.New(n.Created), Text: n.Text})
	}
	return out
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
