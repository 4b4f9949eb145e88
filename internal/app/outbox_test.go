package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/app/apptest"
	"github.com/rightsdesk/rightsdesk/internal/notify/notifytest"
)

// webRequest is an access request from the public pages by a requester
// with an email address: the relay acknowledges it.
func webRequest() *rdv1.Case {
	return &rdv1.Case{
		Notices: []*rdv1.CaseNotice{{Notice: "notices/it-service-desk"}}, ReceivedOn: time.Now().Format(time.DateOnly),
		Channel:   rdv1.ReceivedChannel_RECEIVED_CHANNEL_WEB,
		Rights:    []*rdv1.RequestedRight{{Right: rdv1.Right_RIGHT_ACCESS}},
		Requester: &rdv1.Requester{Person: &rdv1.Person{Name: "Ada Lovelace", Email: "ada@example.org"}, Relationship: rdv1.Relationship_RELATIONSHIP_SELF},
	}
}

// servedWithRelay starts a server whose --smtp-url is an in-process relay
// and returns the relay and a case client with the admin token.
func servedWithRelay(t *testing.T) (*notifytest.Server, rdv1.CaseServiceClient, context.Context) {
	t.Helper()
	s := startWithRelay(t, nil)
	return s.relay, rdv1.NewCaseServiceClient(s.conn), s.admin
}

// relayed is a running server whose letters go to an in-process relay.
type relayed struct {
	relay *notifytest.Server
	app   *app.App
	conn  *grpc.ClientConn
	// admin carries the seeded admin token (see seedStaff).
	admin context.Context
}

// startWithRelay starts a server on a fresh data directory with the
// accounts seedStaff makes, its --smtp-url an in-process relay; configure,
// when given, adjusts the configuration first.
func startWithRelay(t *testing.T, configure func(*app.Config)) *relayed {
	t.Helper()
	relay := notifytest.Start(t)
	dir := t.TempDir()
	token := seedStaff(t, "bolt://"+dir)
	cfg := app.Config{DataDir: dir}
	cfg.Server.SMTPURL = "smtp://" + relay.Addr + "?from=privacy@example.org"
	cfg.Server.PublicURL = "https://rights.example.org"
	if configure != nil {
		configure(&cfg)
	}
	a, _ := apptest.Start(t, cfg)
	conn, err := grpc.NewClient(a.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return &relayed{relay: relay, app: a, conn: conn, admin: metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+token)}
}

// awaitEmails waits up to 10 s for the relay to hold n emails, and fails
// the test unless it then holds exactly n.
func awaitEmails(t *testing.T, relay *notifytest.Server, n int) []notifytest.Message {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(relay.Messages()) < n && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	msgs := relay.Messages()
	if len(msgs) != n {
		t.Fatalf("the relay has %d emails, want %d", len(msgs), n)
	}
	return msgs
}

// A request through the web channel with an email address is acknowledged
// by email: --smtp-url builds the sender, and the outbox job runs on the
// leader (here the lone replica).
func TestAWebRequestIsAcknowledgedThroughTheRelay(t *testing.T) {
	relay, client, ctx := servedWithRelay(t)
	created, err := client.CreateCase(ctx, &rdv1.CreateCaseRequest{Case: webRequest()})
	if err != nil {
		t.Fatal(err)
	}
	msgs := awaitEmails(t, relay, 1)
	if msgs[0].To[0] != "ada@example.org" {
		t.Fatalf("the acknowledgement went to %d addresses, not ada@example.org", len(msgs[0].To))
	}
	data := strings.ReplaceAll(msgs[0].Data, "=\r\n", "")
	for _, want := range []string{created.GetReference(), "@rights.example.org>", "https://rights.example.org/status"} {
		if !strings.Contains(data, want) {
			t.Errorf("the acknowledgement lacks %q:\n%s", want, data)
		}
	}
}
