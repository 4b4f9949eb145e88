package server_test

import (
	"testing"

	"google.golang.org/grpc/codes"
	reflectionv1 "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/server"
)

// With reflection off (serve --grpc-reflection=false), the gRPC port no
// longer lists its services to whoever connects; the services still work.
func TestReflectionCanBeTurnedOff(t *testing.T) {
	as := startWithTokensConfig(t, server.Config{Clock: clock.Fixed(lifecycleNow), NoReflection: true})
	stream, err := reflectionv1.NewServerReflectionClient(as.conn).ServerReflectionInfo(t.Context())
	if err == nil {
		// Send reports only io.EOF once the server has ended the stream;
		// the stream's status comes from Recv either way.
		_ = stream.Send(&reflectionv1.ServerReflectionRequest{MessageRequest: &reflectionv1.ServerReflectionRequest_ListServices{}})
		_, err = stream.Recv()
	}
	if status.Code(err) != codes.Unimplemented {
		t.Errorf("reflection with NoReflection: %v, want Unimplemented", err)
	}
	if served := servedServices(t, startWithTokens(t).conn); !served["rightsdesk.v1.CaseService"] {
		t.Errorf("reflection on by default lists %v, without the case service", served)
	}
}
