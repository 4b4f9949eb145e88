package server

import (
	"context"
	"encoding/json"
	"errors"
	"slices"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// The AdminService's data-subject methods: requests a person makes about
// what Rightsdesk itself holds about them. Each parses, calls one use case
// (usecase.DataSubjects) and converts; the search terms are personal data
// and are never logged (their fields are debug_redact).

func (s *adminService) ExportDataSubject(ctx context.Context, req *rdv1.ExportDataSubjectRequest) (*rdv1.ExportDataSubjectResponse, error) {
	export, err := s.subjects.ExportSubject(ctx, actor(ctx), subjectQuery(req.GetSubject()))
	if err != nil {
		return nil, asSubjectFields(err)
	}
	doc, err := json.Marshal(export)
	if err != nil {
		return nil, err
	}
	resp := &rdv1.ExportDataSubjectResponse{Document: doc}
	for _, c := range export.Cases {
		resp.Cases = append(resp.Cases, c.Name)
	}
	return resp, nil
}

func (s *adminService) RectifyDataSubject(ctx context.Context, req *rdv1.RectifyDataSubjectRequest) (*rdv1.RectifyDataSubjectResponse, error) {
	fix := req.GetCorrection()
	correction := cases.Person{Name: fix.GetName(), Email: fix.GetEmail(), Phone: fix.GetPhone(), PostalAddress: fix.GetPostalAddress()}
	list, err := s.subjects.RectifySubject(ctx, actor(ctx), subjectQuery(req.GetSubject()), correction, req.GetReason())
	if err != nil {
		return nil, asSubjectFields(err)
	}
	resp := &rdv1.RectifyDataSubjectResponse{}
	for _, c := range list {
		resp.Cases = append(resp.Cases, c.Name())
	}
	return resp, nil
}

func (s *adminService) CheckDataSubjectErasure(ctx context.Context, req *rdv1.CheckDataSubjectErasureRequest) (*rdv1.CheckDataSubjectErasureResponse, error) {
	checks, err := s.subjects.ErasureCheck(ctx, subjectQuery(req.GetSubject()))
	if err != nil {
		return nil, asSubjectFields(err)
	}
	return &rdv1.CheckDataSubjectErasureResponse{Cases: erasuresToProto(checks)}, nil
}

func (s *adminService) EraseDataSubject(ctx context.Context, req *rdv1.EraseDataSubjectRequest) (*rdv1.EraseDataSubjectResponse, error) {
	ids := make([]string, len(req.GetCases()))
	for i, name := range req.GetCases() {
		ids[i] = caseID(name)
	}
	done, err := s.subjects.EraseSubject(ctx, actor(ctx), subjectQuery(req.GetSubject()), ids)
	if err != nil {
		return nil, asSubjectFields(err)
	}
	return &rdv1.EraseDataSubjectResponse{Cases: erasuresToProto(done)}, nil
}

func subjectQuery(q *rdv1.DataSubjectQuery) usecase.SubjectQuery {
	return usecase.SubjectQuery{Email: q.GetEmail(), Name: q.GetName(), Reference: q.GetReference()}
}

func erasuresToProto(list []usecase.SubjectErasure) []*rdv1.DataSubjectErasure {
	out := make([]*rdv1.DataSubjectErasure, len(list))
	for i, e := range list {
		out[i] = &rdv1.DataSubjectErasure{Case: "cases/" + e.CaseID, Reference: e.Reference, Erasable: e.Erasable, Reason: e.Why, Erased: e.Erased}
	}
	return out
}

// subjectFields are the use case's names for the person's fields, which
// the API nests in the request's subject.
var subjectFields = []string{"email", "name", "reference"}

// asSubjectFields names each invalid field as the request does.
func asSubjectFields(err error) error {
	var invalid *fault.InvalidArgument
	if !errors.As(err, &invalid) {
		return err
	}
	out := &fault.InvalidArgument{Violations: slices.Clone(invalid.Violations)}
	for i, v := range out.Violations {
		if slices.Contains(subjectFields, v.Field) {
			out.Violations[i].Field = "subject." + v.Field
		}
	}
	return out
}
