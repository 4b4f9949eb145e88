package server

import (
	"context"
	"strings"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/notice/importer"
	"github.com/rightsdesk/rightsdesk/internal/notice/lint"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

type noticeService struct {
	rdv1.UnimplementedNoticeServiceServer
	work usecase.Notices
}

func (s *noticeService) ListNotices(ctx context.Context, req *rdv1.ListNoticesRequest) (*rdv1.ListNoticesResponse, error) {
	after, err := decodePageToken(req.GetPageToken(), "")
	if err != nil {
		return nil, err
	}
	page, more, err := s.work.List(ctx, after, pageSize(req.GetPageSize(), 50, 100))
	if err != nil {
		return nil, err
	}
	resp := &rdv1.ListNoticesResponse{}
	for i := range page {
		resp.Notices = append(resp.Notices, noticeToProto(&page[i], page[i].Current()))
	}
	if more {
		resp.NextPageToken = encodePageToken(page[len(page)-1].ID, "")
	}
	return resp, nil
}

func (s *noticeService) GetNotice(ctx context.Context, req *rdv1.GetNoticeRequest) (*rdv1.Notice, error) {
	n, v, err := s.work.Notice(ctx, noticeID(req.GetName()), int(req.GetVersion()))
	if err != nil {
		return nil, err
	}
	return noticeToProto(n, v), nil
}

func (s *noticeService) EvaluateRights(ctx context.Context, req *rdv1.EvaluateRightsRequest) (*rdv1.EvaluateRightsResponse, error) {
	rights := make([]notice.Right, len(req.GetRights()))
	for i, r := range req.GetRights() {
		rights[i] = rightFromProto(r)
	}
	v, evaluations, err := s.work.Evaluate(ctx, noticeID(req.GetName()), int(req.GetVersion()), req.GetContext(), rights)
	if err != nil {
		return nil, err
	}
	resp := &rdv1.EvaluateRightsResponse{Version: int32(v.Number), Context: req.GetContext()}
	for _, e := range evaluations {
		resp.Evaluations = append(resp.Evaluations, evaluationToProto(e))
	}
	return resp, nil
}

func (s *noticeService) ImportNotice(ctx context.Context, req *rdv1.ImportNoticeRequest) (*rdv1.ImportNoticeResponse, error) {
	res, err := s.work.Import(ctx, usecase.ImportRequest{
		Content:       []byte(req.GetContent()),
		Format:        importer.Format(enumToDomain(req.GetFormat(), "NOTICE_FORMAT_")),
		ID:            req.GetNoticeId(),
		EffectiveFrom: req.GetEffectiveFrom(),
		Document:      req.GetDocument(),
		ValidateOnly:  req.GetValidateOnly(),
		Actor:         actor(ctx),

		RefuseLintErrors: req.GetRefuseLintErrors(),
		ExpectVersion:    int(req.GetExpectVersion()),
	})
	if err != nil {
		return nil, err
	}
	out := importToProto(res)
	if req.GetValidateOnly() && !res.Unchanged {
		current, changes, err := s.work.DiffDraft(ctx, res.Draft.ID, res.Version)
		if err != nil {
			return nil, err
		}
		if current != nil {
			out.CurrentVersion = int32(current.Number)
		}
		for _, c := range changes {
			out.Changes = append(out.Changes, &rdv1.NoticeChange{Field: c.Field, Before: c.Before, After: c.After})
		}
	}
	return out, nil
}

func (s *noticeService) LintNotice(ctx context.Context, req *rdv1.LintNoticeRequest) (*rdv1.LintNoticeResponse, error) {
	v, findings, err := s.work.Lint(ctx, noticeID(req.GetName()), int(req.GetVersion()))
	if err != nil {
		return nil, err
	}
	return &rdv1.LintNoticeResponse{Version: int32(v.Number), Findings: findingsToProto(findings)}, nil
}

func importToProto(res *usecase.ImportResult) *rdv1.ImportNoticeResponse {
	d := res.Draft
	out := &rdv1.ImportNoticeResponse{
		Notice:    noticeToProto(res.Notice, res.Version),
		Created:   res.Created,
		Unchanged: res.Unchanged,
		Format:    enumFromDomain[rdv1.NoticeFormat](rdv1.NoticeFormat_value, "NOTICE_FORMAT_", string(d.Format)),
		Findings:  findingsToProto(res.Findings),
		Notes:     d.Notes,
	}
	for _, f := range d.Facts {
		out.Facts = append(out.Facts, &rdv1.ImportedFact{Field: f.Field, Value: f.Value, Provenance: provenanceToProto(f.Provenance)})
	}
	for _, u := range d.Unplaced {
		out.Unplaced = append(out.Unplaced, &rdv1.UnplacedText{Section: u.Section, Line: int32(u.Line), EndLine: int32(u.EndLine), Text: u.Text})
	}
	return out
}

func findingsToProto(findings []lint.Finding) []*rdv1.LintFinding {
	out := make([]*rdv1.LintFinding, len(findings))
	for i, f := range findings {
		out[i] = &rdv1.LintFinding{
			Code: f.Code, Message: f.Message, Subject: f.Subject, Provenance: provenanceToProto(f.Provenance),
			Severity: enumFromDomain[rdv1.LintSeverity](rdv1.LintSeverity_value, "LINT_SEVERITY_", string(f.Severity)),
		}
	}
	return out
}

func noticeID(name string) string { return strings.TrimPrefix(name, "notices/") }
