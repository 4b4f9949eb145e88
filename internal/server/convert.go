package server

import (
	"strings"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// The domain spells enum values in lower snake case ("withdraw_consent"); the
// API spells them with the enum's prefix ("RIGHT_WITHDRAW_CONSENT"). These two
// generic helpers are the whole mapping, so a new value needs no code.

func enumFromDomain[E ~int32](values map[string]int32, prefix, domain string) E {
	if domain == "" {
		return 0
	}
	return E(values[prefix+strings.ToUpper(domain)])
}

func enumToDomain[E interface {
	~int32
	String() string
}](e E, prefix string) string {
	if e == 0 {
		return ""
	}
	return strings.ToLower(strings.TrimPrefix(e.String(), prefix))
}

func rightToProto(r notice.Right) rdv1.Right {
	return enumFromDomain[rdv1.Right](rdv1.Right_value, "RIGHT_", string(r))
}

func rightFromProto(r rdv1.Right) notice.Right { return notice.Right(enumToDomain(r, "RIGHT_")) }

func noticeToProto(n *notice.Notice, v *notice.Version) *rdv1.Notice {
	out := &rdv1.Notice{
		Name:               noticeName(n.ID),
		Title:              v.Title,
		Summary:            v.Summary,
		Version:            int32(v.Number),
		EffectiveFrom:      v.EffectiveFrom,
		Source:             &rdv1.NoticeSource{Kind: v.Source.Kind, Document: v.Source.Document, Published: v.Source.Published, Updated: v.Source.Updated, Digest: v.Source.Digest},
		Controller:         partyToProto(&v.Controller),
		Dpo:                partyToProto(&v.DPO),
		PrivacyTeam:        partyToProto(v.PrivacyTeam),
		ComplaintAuthority: partyToProto(&v.ComplaintAuthority),
		Extra:              v.Extra,
	}
	for _, ver := range n.Versions {
		out.Versions = append(out.Versions, &rdv1.NoticeVersionRef{Version: int32(ver.Number), EffectiveFrom: ver.EffectiveFrom})
	}
	for _, a := range v.Audiences {
		out.Audiences = append(out.Audiences, &rdv1.Audience{
			Id: a.ID, Label: a.Label, Controller: partyToProto(&a.Controller), Provenance: provenanceToProto(a.Provenance),
			Role: enumFromDomain[rdv1.ControllerRole](rdv1.ControllerRole_value, "CONTROLLER_ROLE_", string(a.Role)),
		})
	}
	for i := range v.Contexts {
		out.Contexts = append(out.Contexts, contextToProto(&v.Contexts[i]))
	}
	for _, r := range v.Recipients {
		out.Recipients = append(out.Recipients, &rdv1.Recipient{DisplayName: r.Name, Kind: r.Kind, Scope: r.Scope, Provenance: provenanceToProto(r.Provenance)})
	}
	for _, r := range v.Retention {
		out.Retention = append(out.Retention, &rdv1.RetentionRule{
			Scope: r.Scope, Description: r.Description, Months: int32(r.Months), After: r.After, Until: r.Until,
			ReviewMonths: int32(r.ReviewEvery), Days: int32(r.Days), Provenance: provenanceToProto(r.Provenance),
		})
	}
	for _, t := range v.Transfers {
		out.Transfers = append(out.Transfers, &rdv1.Transfer{Destination: t.Destination, Safeguard: t.Safeguard, Provenance: provenanceToProto(t.Provenance)})
	}
	for i := range v.Rights {
		out.Rights = append(out.Rights, declaredRightToProto(&v.Rights[i]))
	}
	if v.Children != nil {
		out.Children = &rdv1.ChildrenPolicy{NotKnowinglyUnder: int32(v.Children.NotKnowinglyUnder), Provenance: provenanceToProto(v.Children.Provenance)}
	}
	return out
}

func noticeName(id string) string { return "notices/" + id }

func partyToProto(p *notice.Party) *rdv1.Party {
	if p == nil {
		return nil
	}
	return &rdv1.Party{Name: p.Name, Address: p.Address, Email: p.Email, Phone: p.Phone, Web: p.Web}
}

func provenanceToProto(p notice.Provenance) *rdv1.Provenance {
	return &rdv1.Provenance{Section: p.Section, Line: int32(p.Line), EndLine: int32(p.EndLine), Confidence: p.Confidence}
}

func contextToProto(c *notice.Context) *rdv1.ProcessingContext {
	out := &rdv1.ProcessingContext{
		Id: c.ID, DisplayName: c.Name, Purposes: c.Purposes, DataCategories: c.DataCategories,
		LawfulBasis:              enumFromDomain[rdv1.LawfulBasis](rdv1.LawfulBasis_value, "LAWFUL_BASIS_", string(c.Basis)),
		Automated:                c.Automated,
		SolelyAutomatedDecisions: c.SolelyAutomatedDecisions,
		Provenance:               provenanceToProto(c.Provenance),
	}
	if c.Special != nil {
		out.SpecialCategory = &rdv1.SpecialCategory{Categories: c.Special.Categories, Condition: c.Special.Condition}
	}
	if c.Criminal != nil {
		out.CriminalOffenceData = &rdv1.CriminalOffenceData{Condition: c.Criminal.Condition}
	}
	return out
}

func declaredRightToProto(d *notice.DeclaredRight) *rdv1.DeclaredRight {
	if d == nil {
		return nil
	}
	out := &rdv1.DeclaredRight{
		Right: rightToProto(d.Right), Scope: d.Scope, ScopeText: d.ScopeText, QualifierText: d.QualifierText, Completion: d.Completion,
		Qualifier:  enumFromDomain[rdv1.Qualifier](rdv1.Qualifier_value, "QUALIFIER_", string(d.Qualifier)),
		Provenance: provenanceToProto(d.Provenance),
	}
	if d.Channel != nil {
		out.Channel = &rdv1.Channel{
			Kind:    enumFromDomain[rdv1.ChannelKind](rdv1.ChannelKind_value, "CHANNEL_KIND_", string(d.Channel.Kind)),
			Address: d.Channel.Address, Description: d.Channel.Description,
		}
	}
	return out
}

func evaluationToProto(e notice.Evaluation) *rdv1.RightEvaluation {
	return &rdv1.RightEvaluation{
		Right:        rightToProto(e.Right),
		Availability: enumFromDomain[rdv1.Availability](rdv1.Availability_value, "AVAILABILITY_", string(e.Availability)),
		Condition:    e.Condition,
		Reason:       e.Reason,
		Declaration:  declaredRightToProto(e.Declaration),
	}
}
