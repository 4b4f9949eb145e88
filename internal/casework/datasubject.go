package casework

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

var _ usecase.DataSubjects = (*Service)(nil)

// Requests about Rightsdesk's own data (usecase.DataSubjects): the person
// is found through the keyed-hash requester index, as FindRequester finds
// them, and cases.Subject decides which people on each case are theirs.
// The search terms never reach a log or an audit event: events name the
// case and the actor only.

// ActionSubjectExported is the audit action each case exported records.
const ActionSubjectExported = "case.subject_exported"

// SubjectCases are the person's cases, newest first.
func (s *Service) SubjectCases(ctx context.Context, q usecase.SubjectQuery) (list []*cases.Case, err error) {
	err = s.store.View(ctx, func(tx store.ReadTx) error {
		_, list, err = subjectCases(tx, q)
		return err
	})
	return list, err
}

// checkSubjectQuery wants exactly one way of naming the person: with two,
// the answer could mix two people.
func checkSubjectQuery(q usecase.SubjectQuery) error {
	given := map[string]string{"email": q.Email, "name": q.Name, "reference": q.Reference}
	var named []string
	for _, field := range []string{"email", "name", "reference"} {
		if strings.TrimSpace(given[field]) != "" {
			named = append(named, field)
		}
	}
	switch len(named) {
	case 1:
		return nil
	case 0:
		const say = "give the person's email address, name or the reference of one of their cases"
		return &fault.InvalidArgument{Violations: []fault.FieldViolation{{Field: "email", Description: say}, {Field: "name", Description: say}, {Field: "reference", Description: say}}}
	}
	v := make([]fault.FieldViolation, len(named))
	for i, field := range named {
		v[i] = fault.FieldViolation{Field: field, Description: "give only one of email, name or reference, so the answer is about one person"}
	}
	return &fault.InvalidArgument{Violations: v}
}

// subjectCases resolves q to a person and their cases. A reference stands
// for the person its case is about and, when they have an email address,
// every case under it; a name must not match cases under more than one
// email address, which would be more than one person.
func subjectCases(tx store.ReadTx, q usecase.SubjectQuery) (cases.Subject, []*cases.Case, error) {
	if err := checkSubjectQuery(q); err != nil {
		return cases.Subject{}, nil, err
	}
	var subject cases.Subject
	switch {
	case strings.TrimSpace(q.Reference) != "":
		c, err := caseByReference(tx, q.Reference)
		var missing *fault.NotFound
		if errors.As(err, &missing) {
			return subject, nil, fault.Invalid("reference", "no case has the reference %s", cases.NormaliseReference(q.Reference))
		}
		if err != nil {
			return subject, nil, err
		}
		if c.Purged != nil {
			return subject, nil, fault.Invalid("reference", "the personal data of %s was destroyed on %s: nothing is held about its requester", c.Reference, c.Purged.On)
		}
		p := cases.SubjectOf(c)
		if subject = cases.SubjectByEmail(p.Email); subject.Empty() {
			subject = cases.SubjectByName(p.Name)
		}
	case strings.TrimSpace(q.Email) != "":
		subject = cases.SubjectByEmail(q.Email)
	default:
		subject = cases.SubjectByName(q.Name)
	}
	if subject.Empty() {
		return subject, nil, fault.Invalid(queryField(q), "give an email address or a name with at least one letter or digit")
	}
	ids, more, err := subjectCaseIDs(tx, subject)
	if err != nil {
		return subject, nil, err
	}
	if more {
		return subject, nil, &fault.FailedPrecondition{Subject: "data subject", Description: "the person has more than " + strconv.Itoa(usecase.MaxRequesterMatches) + " cases, more than one answer can hold"}
	}
	var list []*cases.Case
	emails := map[string]bool{}
	for _, id := range ids {
		c, err := store.GetCase(tx, id)
		if err != nil {
			return subject, nil, err
		}
		if len(subject.RolesOf(c)) == 0 {
			continue // a name's words on different people of the case
		}
		list = append(list, c)
		for _, p := range []*cases.Person{&c.Requester.Person, c.Requester.DataSubject} {
			if subject.Matches(p) && p.Email != "" {
				emails[cases.EmailTerm(p.Email)] = true
			}
		}
	}
	if len(list) == 0 {
		return subject, nil, &fault.NotFound{Resource: "data subject", Detail: "no case is about this person"}
	}
	if subject.Email == "" && len(emails) > 1 {
		return subject, nil, fault.Invalid(queryField(q), "the name matches %d people with different email addresses: search by email address or case reference", len(emails))
	}
	slices.SortFunc(list, func(a, b *cases.Case) int {
		return cmp.Or(-cmp.Compare(a.ReceivedOn, b.ReceivedOn), -cmp.Compare(a.ID, b.ID))
	})
	return subject, list, nil
}

// queryField is the field of q that named the person.
func queryField(q usecase.SubjectQuery) string {
	switch {
	case strings.TrimSpace(q.Reference) != "":
		return "reference"
	case strings.TrimSpace(q.Email) != "":
		return "email"
	}
	return "name"
}

func subjectCaseIDs(tx store.ReadTx, subject cases.Subject) ([]string, bool, error) {
	if subject.Email != "" {
		return store.CaseIDsByRequesterTerm(tx, subject.Email, usecase.MaxRequesterMatches)
	}
	ids, more, err := casesWithEveryTerm(tx, subject.Name)
	if len(ids) > usecase.MaxRequesterMatches {
		ids, more = ids[:usecase.MaxRequesterMatches], true
	}
	return ids, more, err
}

// ExportSubject reads everything held about the person, then records the
// export on each case in one transaction: the event names the actor and
// how many cases the export held, never whom it was about.
func (s *Service) ExportSubject(ctx context.Context, actor string, q usecase.SubjectQuery) (*usecase.SubjectExport, error) {
	env := s.env(actor)
	out := &usecase.SubjectExport{Schema: usecase.SubjectExportSchema, Generated: env.Now}
	var list []*cases.Case
	err := s.store.View(ctx, func(tx store.ReadTx) error {
		subject, found, err := subjectCases(tx, q)
		if err != nil {
			return err
		}
		list = found
		for _, c := range list {
			exported, err := exportCase(tx, subject, c)
			if err != nil {
				return err
			}
			out.Cases = append(out.Cases, exported)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.WriteTx) error {
		for _, c := range list {
			change := cases.Change{Action: ActionSubjectExported, After: map[string]string{
				"reference": c.Reference, "cases_exported": strconv.Itoa(len(list)),
			}}
			if err := s.record(tx, env, c, change); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func exportCase(tx store.ReadTx, subject cases.Subject, c *cases.Case) (usecase.ExportedCase, error) {
	e := usecase.ExportedCase{
		Name: c.Name(), Reference: c.Reference, As: subject.RolesOf(c), State: string(c.State),
		Channel: string(c.Channel), ReceivedOn: c.ReceivedOn, Description: c.Description,
		Rights: []string{}, Notices: []string{},
		Exchanges: []usecase.ExportedExchange{}, Letters: []usecase.ExportedLetter{},
		Documents: []usecase.ExportedDocument{}, Notes: []usecase.ExportedNote{}, Events: []usecase.ExportedEvent{},
		Requester: usecase.ExportedRequester{
			Person: c.Requester.Person, Relationship: string(c.Requester.Relationship),
			DataSubject: c.Requester.DataSubject, Authority: c.Requester.Authority,
		},
	}
	for _, r := range c.Rights {
		e.Rights = append(e.Rights, string(r.Right))
	}
	for _, n := range c.Notices {
		e.Notices = append(e.Notices, n.ID)
	}
	if c.Outcome != nil {
		e.Outcome, e.ClosedOn = string(c.Outcome.Kind), c.Outcome.ClosedOn
	}
	for _, x := range c.Exchanges {
		ex := usecase.ExportedExchange{Kind: string(x.Kind), About: string(x.What), On: x.On, Text: x.Detail}
		for _, f := range x.Files {
			ex.Documents = append(ex.Documents, f.Name)
			e.Documents = append(e.Documents, usecase.ExportedDocument{
				Name: f.Name, MediaType: f.MediaType, Size: f.Size, SHA256: f.SHA256, ReceivedOn: f.ReceivedOn,
			})
		}
		e.Exchanges = append(e.Exchanges, ex)
	}
	for _, m := range c.Messages {
		letter := usecase.ExportedLetter{Kind: string(m.Kind), Channel: string(m.Channel), To: m.To, On: m.On, Subject: m.Subject}
		if m.Delivery != nil {
			letter.Delivery = string(m.Delivery.State)
		}
		body, err := store.GetMessageBody(tx, c.ID, m.ID)
		switch {
		case err == nil:
			letter.Text = body.Text
		case !errors.Is(err, store.ErrNotFound):
			return e, err
		}
		e.Letters = append(e.Letters, letter)
	}
	for _, n := range c.Notes {
		e.Notes = append(e.Notes, usecase.ExportedNote{Author: n.Author, Created: n.Created, Text: n.Text})
	}
	events, _, err := store.CaseEvents(tx, c.ID)
	if err != nil {
		return e, err
	}
	for _, ev := range events {
		e.Events = append(e.Events, exportedEvent(ev))
	}
	return e, nil
}

func exportedEvent(ev audit.Event) usecase.ExportedEvent {
	return usecase.ExportedEvent{Seq: ev.Seq, Time: ev.Time, Actor: ev.Actor, Action: ev.Action, Before: ev.Before, After: ev.After}
}

// RectifySubject corrects the person's details on every case of theirs in
// one transaction, so a correction is never half made: the cases are few
// (at most usecase.MaxRequesterMatches) and small. Each case's event names
// the fields corrected; the values and the reason go in its sealed payload.
func (s *Service) RectifySubject(ctx context.Context, actor string, q usecase.SubjectQuery, correction cases.Person, reason string) ([]*cases.Case, error) {
	cmd := cases.Rectify{Correction: correction, Reason: reason}
	if err := cmd.CheckRectification(); err != nil {
		return nil, err
	}
	env := s.env(actor)
	var corrected []*cases.Case
	err := s.store.Update(ctx, func(tx store.WriteTx) error {
		corrected = nil // the store may run this more than once
		subject, list, err := subjectCases(tx, q)
		if err != nil {
			return err
		}
		cmd.Subject = subject
		env.Notice = noticesIn(tx)
		for _, c := range list {
			before, err := store.IndexOf(tx, c)
			if err != nil {
				return err
			}
			change, err := cases.Apply(c, cmd, env)
			if err != nil {
				return err
			}
			change.After["rectified"] = strings.Join(cmd.Fields(), ",")
			if err := s.write(tx, env, before, c, change); err != nil {
				return err
			}
			corrected = append(corrected, c)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return corrected, nil
}

// ErasureCheck says of each of the person's cases whether it may be erased
// now, by the rule the purge itself applies (cases.CheckPurge), writing
// nothing.
func (s *Service) ErasureCheck(ctx context.Context, q usecase.SubjectQuery) ([]usecase.SubjectErasure, error) {
	list, err := s.SubjectCases(ctx, q)
	if err != nil {
		return nil, err
	}
	today := s.Today()
	out := make([]usecase.SubjectErasure, len(list))
	for i, c := range list {
		out[i] = usecase.SubjectErasure{CaseID: c.ID, Reference: c.Reference, Erasable: true}
		refusedBecause(&out[i], cases.CheckPurge(c, cases.PurgeErasure, s.schedule(), today))
	}
	return out, nil
}

// refusedBecause marks e as not erasable when err is the purge's refusal,
// and reports whether it was.
func refusedBecause(e *usecase.SubjectErasure, err error) bool {
	var refused *fault.FailedPrecondition
	if !errors.As(err, &refused) {
		return false
	}
	e.Erasable, e.Why = false, refused.Description
	return true
}

// EraseSubject purges each case named, through the one purge there is
// (PurgeCase, with reason erasure), each in its own transaction, which
// checks again that the case may be erased. Every id must be one of the
// person's cases, checked before anything is erased, so nothing goes that
// the check did not show; a case that can no longer be erased (reopened,
// put on hold since) is answered with its reason and the others go on.
func (s *Service) EraseSubject(ctx context.Context, actor string, q usecase.SubjectQuery, caseIDs []string) ([]usecase.SubjectErasure, error) {
	if len(caseIDs) == 0 {
		return nil, fault.Invalid("cases", "name the cases to erase, as the erasure check listed them")
	}
	list, err := s.SubjectCases(ctx, q)
	if err != nil {
		return nil, err
	}
	theirs := map[string]*cases.Case{}
	for _, c := range list {
		theirs[c.ID] = c
	}
	out := make([]usecase.SubjectErasure, len(caseIDs))
	for i, id := range caseIDs {
		c, ok := theirs[id]
		if !ok {
			return nil, fault.Invalid("cases", "cases/%s is not a case of this person", id)
		}
		out[i] = usecase.SubjectErasure{CaseID: id, Reference: c.Reference}
	}
	for i := range out {
		_, err := s.PurgeCase(ctx, actor, out[i].CaseID, cases.PurgeErasure)
		switch {
		case err == nil:
			out[i].Erasable, out[i].Erased = true, true
		case !refusedBecause(&out[i], err):
			return nil, err
		}
	}
	return out, nil
}
