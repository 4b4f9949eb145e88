package server

import (
	"bytes"
	"context"
	"strings"

	"google.golang.org/protobuf/types/known/timestamppb"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// Documents through the API: adding one (its bytes in the request) and
// deciding on a collected record. Downloads are the staff web pages' (a
// binary through the REST gateway would be base64 in JSON).

func (s *caseService) AddDocument(ctx context.Context, req *rdv1.AddDocumentRequest) (*rdv1.Case, error) {
	spec := cases.DocumentSpec{
		Kind:   cases.DocumentKind(enumToDomain(req.GetKind(), "DOCUMENT_KIND_")),
		Source: req.GetSource(), SearchID: req.GetSearchId(), RedactionOf: req.GetRedactionOf(),
	}
	c, err := s.work.AddDocument(ctx, actor(ctx), caseID(req.GetName()), spec, usecase.Upload{Name: req.GetFileName(), Content: bytes.NewReader(req.GetContent())})
	if err != nil {
		return nil, err
	}
	return s.toProto(c), nil
}

func (s *caseService) DecideDisclosure(ctx context.Context, req *rdv1.DecideDisclosureRequest) (*rdv1.Case, error) {
	name, document, _ := strings.Cut(req.GetName(), "/documents/")
	return s.apply(ctx, name, req.GetEtag(), cases.DecideDisclosure{
		Document: document, Decision: cases.DisclosureDecision(enumToDomain(req.GetDecision(), "DISCLOSURE_DECISION_")),
		Exemption: req.GetExemption(), Reason: req.GetReason(),
	})
}

func documentName(c *cases.Case, id string) string { return c.Name() + "/documents/" + id }

func documentsToProto(c *cases.Case) []*rdv1.Document {
	out := make([]*rdv1.Document, 0, len(c.Documents))
	for _, d := range c.Documents {
		pd := &rdv1.Document{
			Name: documentName(c, d.ID), Kind: enumFromDomain[rdv1.DocumentKind](rdv1.DocumentKind_value, "DOCUMENT_KIND_", string(d.Kind)),
			FileName: d.Name, MediaType: d.MediaType, SizeBytes: d.Size, Sha256: d.SHA256, Source: d.Source,
			AddedBy: d.AddedBy, AddTime: timestamppb.New(d.Added), SearchId: d.SearchID,
		}
		if d.RedactionOf != "" {
			pd.RedactionOf = documentName(c, d.RedactionOf)
		}
		if x := d.Disclosure; x != nil {
			pd.Disclosure = &rdv1.Disclosure{
				Decision:  enumFromDomain[rdv1.DisclosureDecision](rdv1.DisclosureDecision_value, "DISCLOSURE_DECISION_", string(x.Decision)),
				Exemption: x.Exemption, Reason: x.Reason, DecidedBy: x.By, DecideTime: timestamppb.New(x.On),
			}
		}
		out = append(out, pd)
	}
	return out
}
