package server_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/notify/notifytest"
	"github.com/rightsdesk/rightsdesk/internal/pack"
	"github.com/rightsdesk/rightsdesk/internal/server"
)

// receivePack reads a GetResponsePack stream whole, or its error.
func receivePack(ctx context.Context, client rdv1.CaseServiceClient, name string) ([]byte, error) {
	stream, err := client.GetResponsePack(ctx, &rdv1.GetResponsePackRequest{Name: name})
	if err != nil {
		return nil, err
	}
	var zipped bytes.Buffer
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return zipped.Bytes(), nil
		}
		if err != nil {
			return nil, err
		}
		zipped.Write(chunk.GetData())
	}
}

func TestGetResponsePackStreamsAPackThatVerifies(t *testing.T) {
	relay := notifytest.Start(t)
	as := startWithTokensConfig(t, server.Config{
		MaxBodyBytes: 1 << 20, Clock: clock.Fixed(lifecycleNow),
		SMTPURL: "smtp://" + relay.Addr + "?from=privacy@example.org", PublicURL: "https://rights.example.org",
	})
	client := rdv1.NewCaseServiceClient(as.conn)
	bearer := func(role string) context.Context {
		return metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+as.tokens[role])
	}
	open := func(right rdv1.Right) *rdv1.Case {
		t.Helper()
		c, err := client.CreateCase(bearer("caseworker"), &rdv1.CreateCaseRequest{Case: &rdv1.Case{
			Notices: []*rdv1.CaseNotice{{Notice: lifecycleNoticeName}}, Rights: []*rdv1.RequestedRight{{Right: right}},
			Requester:  &rdv1.Requester{Person: &rdv1.Person{Name: "Ada Example", Email: "ada@example.org"}, Relationship: rdv1.Relationship_RELATIONSHIP_SELF},
			Channel:    rdv1.ReceivedChannel_RECEIVED_CHANNEL_EMAIL,
			ReceivedOn: "2026-04-27",
		}})
		mustStep(t, "create", err)
		return c
	}

	access := open(rdv1.Right_RIGHT_ACCESS)
	zipped, err := receivePack(bearer("caseworker"), client, access.GetName())
	mustStep(t, "get the response pack", err)
	rep, err := pack.Verify(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil || rep.Reference != access.GetReference() {
		t.Fatalf("the pack from the API: %v, reference %q; want it to verify, of %s", err, rep.Reference, access.GetReference())
	}

	_, err = receivePack(bearer("viewer"), client, access.GetName())
	assertCode(t, err, codes.PermissionDenied, "caseworker")
	_, err = receivePack(bearer("caseworker"), client, open(rdv1.Right_RIGHT_ERASURE).GetName())
	assertCode(t, err, codes.FailedPrecondition, "only an access request has a response pack")
	_, err = receivePack(bearer("caseworker"), client, "cases/01HZZZZZZZZZZZZZZZZZZZZZZZ")
	assertCode(t, err, codes.NotFound, "")
	_, err = receivePack(bearer("caseworker"), client, "cases/../../etc")
	assertFieldViolation(t, err, "name")
}
