package server_test

import (
	"testing"

	"google.golang.org/grpc/metadata"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/notify/notifytest"
	"github.com/rightsdesk/rightsdesk/internal/server"
)

// A requester with a postal address and no email address is written to
// by post: the API lists the letter with channel POST, queued (to be
// printed), addressed to the postal block.
func TestListCaseMessagesShowsALetterForPost(t *testing.T) {
	relay := notifytest.Start(t)
	as := startWithTokensConfig(t, server.Config{
		MaxBodyBytes: 4096, Clock: clock.Fixed(lifecycleNow),
		SMTPURL: "smtp://" + relay.Addr + "?from=privacy@example.org", PublicURL: "https://rights.example.org",
	})
	client := rdv1.NewCaseServiceClient(as.conn)
	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+as.tokens["caseworker"])
	c, err := client.CreateCase(ctx, &rdv1.CreateCaseRequest{Case: &rdv1.Case{
		Notices: []*rdv1.CaseNotice{{Notice: lifecycleNoticeName}}, Rights: []*rdv1.RequestedRight{{Right: rdv1.Right_RIGHT_ACCESS}},
		Requester: &rdv1.Requester{Person: &rdv1.Person{Name: "Alex Example", PostalAddress: "10 Sample Road, Testtown, TT1 1TT"},
			Relationship: rdv1.Relationship_RELATIONSHIP_SELF},
		Channel:    rdv1.ReceivedChannel_RECEIVED_CHANNEL_POST,
		ReceivedOn: "2026-04-27",
	}})
	mustStep(t, "create", err)
	c, err = client.RequestIdentity(ctx, &rdv1.RequestIdentityRequest{Name: c.GetName(), Etag: c.GetEtag(), On: "2026-04-28", Detail: "a copy of a recent bill"})
	mustStep(t, "requestIdentity", err)

	resp, err := client.ListCaseMessages(ctx, &rdv1.ListCaseMessagesRequest{Parent: c.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetMessages()) != 1 {
		t.Fatalf("messages %v, want the identity request", resp.GetMessages())
	}
	m := resp.GetMessages()[0]
	if m.GetChannel() != rdv1.ReceivedChannel_RECEIVED_CHANNEL_POST || m.GetKind() != rdv1.MessageKind_MESSAGE_KIND_IDENTITY_REQUEST ||
		m.GetDelivery().GetState() != rdv1.DeliveryState_DELIVERY_STATE_QUEUED || m.GetTo() != "Alex Example\n10 Sample Road\nTesttown\nTT1 1TT" {
		t.Errorf("the letter for post reaches the API as %v", m)
	}
}
