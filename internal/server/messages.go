package server

import (
	"context"
	"slices"
	"strings"

	"google.golang.org/protobuf/types/known/timestamppb"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// A case's correspondence is short (cases.MaxMessages letters and the
// requester's replies), so a page is cut from the whole list; the token
// names the last message shown, which stays put as later ones are added.
const (
	defaultMessagePage = 50
	maxMessagePage     = 500
)

func (s *caseService) ListCaseMessages(ctx context.Context, req *rdv1.ListCaseMessagesRequest) (*rdv1.ListCaseMessagesResponse, error) {
	after, err := decodePageToken(req.GetPageToken(), req.GetParent())
	if err != nil {
		return nil, err
	}
	all, err := s.work.Messages(ctx, caseID(req.GetParent()))
	if err != nil {
		return nil, err
	}
	start := 0
	if after != "" {
		i := slices.IndexFunc(all, func(m cases.Message) bool { return m.ID == after })
		if i < 0 {
			return nil, fault.Invalid("page_token", "names a message this case does not have; start again without a page_token")
		}
		start = i + 1
	}
	page := all[start:min(len(all), start+pageSize(req.GetPageSize(), defaultMessagePage, maxMessagePage))]
	resp := &rdv1.ListCaseMessagesResponse{}
	for i := range page {
		resp.Messages = append(resp.Messages, messageToProto(req.GetParent(), &page[i]))
	}
	if start+len(page) < len(all) {
		resp.NextPageToken = encodePageToken(page[len(page)-1].ID, req.GetParent())
	}
	return resp, nil
}

func (s *caseService) GetCaseMessage(ctx context.Context, req *rdv1.GetCaseMessageRequest) (*rdv1.CaseMessage, error) {
	parent, id, _ := strings.Cut(req.GetName(), "/messages/")
	all, err := s.work.Messages(ctx, caseID(parent))
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(all, func(m cases.Message) bool { return m.ID == id })
	if i < 0 {
		return nil, &fault.NotFound{Resource: "message", Name: req.GetName()}
	}
	m := &all[i]
	out := messageToProto(parent, m)
	if m.Direction == cases.DirectionIn {
		out.Text = m.Reply
		return out, nil
	}
	body, err := s.work.MessageBody(ctx, caseID(parent), id)
	if err != nil {
		return nil, err
	}
	out.Text, out.Html = body.Text, body.HTML
	return out, nil
}

// messageToProto converts a message's envelope; the text is GetCaseMessage's.
func messageToProto(parent string, m *cases.Message) *rdv1.CaseMessage {
	out := &rdv1.CaseMessage{
		Name:            parent + "/messages/" + m.ID,
		Direction:       enumFromDomain[rdv1.MessageDirection](rdv1.MessageDirection_value, "MESSAGE_DIRECTION_", string(m.Direction)),
		Channel:         enumFromDomain[rdv1.ReceivedChannel](rdv1.ReceivedChannel_value, "RECEIVED_CHANNEL_", string(m.Channel)),
		Kind:            enumFromDomain[rdv1.MessageKind](rdv1.MessageKind_value, "MESSAGE_KIND_", string(m.Kind)),
		Subject:         m.Subject,
		To:              m.To,
		Template:        m.Template,
		TemplateVersion: m.TemplateVersion,
		TextSha256:      m.SHA256,
		On:              m.On,
		RecordedBy:      m.By,
		Recipient:       m.Recipient,
	}
	for _, f := range m.Files {
		out.Files = append(out.Files, &rdv1.CaseFile{
			Id: f.ID, FileName: f.Name, MediaType: f.MediaType, Size: f.Size, Sha256: f.SHA256, ReceivedOn: f.ReceivedOn,
		})
	}
	if !m.At.IsZero() {
		out.CreateTime = timestamppb.New(m.At)
	}
	if d := m.Delivery; d != nil {
		out.Delivery = &rdv1.MessageDelivery{
			State:     enumFromDomain[rdv1.DeliveryState](rdv1.DeliveryState_value, "DELIVERY_STATE_", string(d.State)),
			Attempts:  int32(d.Attempts),
			LastError: d.LastError,
		}
		if d.SentAt != nil {
			out.Delivery.SentTime = timestamppb.New(*d.SentAt)
		}
	}
	return out
}
