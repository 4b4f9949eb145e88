package server

import (
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/cases"
)

// Every kind of message and every delivery state the domain knows has its
// value in the API: the generic enum mapping gives UNSPECIFIED to a value
// the protos lack, which would hide what a letter was or how it went.
func TestEveryMessageKindAndDeliveryStateReachesTheAPI(t *testing.T) {
	for _, kind := range append([]cases.MessageKind{cases.KindReply}, cases.MessageKinds...) {
		if got := messageToProto("cases/X", &cases.Message{ID: "m", Kind: kind}).GetKind(); got == rdv1.MessageKind_MESSAGE_KIND_UNSPECIFIED {
			t.Errorf("kind %q has no API value", kind)
		}
	}
	sent := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, state := range []cases.DeliveryState{cases.DeliveryQueued, cases.DeliverySent, cases.DeliveryRetrying, cases.DeliveryUndeliverable} {
		m := &cases.Message{ID: "m", Direction: cases.DirectionOut, Delivery: &cases.Delivery{State: state, Attempts: 2, LastError: "451 later", SentAt: &sent}}
		d := messageToProto("cases/X", m).GetDelivery()
		if d.GetState() == rdv1.DeliveryState_DELIVERY_STATE_UNSPECIFIED || d.GetAttempts() != 2 || d.GetLastError() != "451 later" || !d.GetSentTime().AsTime().Equal(sent) {
			t.Errorf("delivery %q reaches the API as %v", state, d)
		}
	}
}

// A requester's documents reach the API as what they are (name, type,
// size, hash, day received), never their content; an Article 19 letter
// names the recipient it told.
func TestMessageFilesAndRecipientReachTheAPI(t *testing.T) {
	sum := strings.Repeat("ab", 32)
	in := &cases.Message{ID: "x2", Direction: cases.DirectionIn, Kind: cases.KindReply, On: "2026-03-02", Files: []cases.File{
		{ID: "d1", Key: "secret/blob/key", Name: "passport.pdf", MediaType: cases.MediaPDF, Size: 1234, SHA256: sum, ReceivedOn: "2026-03-02"},
		{ID: "d2", Key: "secret/blob/key2", Name: "bill.png", MediaType: cases.MediaPNG, Size: 99, SHA256: sum, ReceivedOn: "2026-03-02"},
	}}
	got := messageToProto("cases/X", in).GetFiles()
	want := []*rdv1.CaseFile{
		{Id: "d1", FileName: "passport.pdf", MediaType: "application/pdf", Size: 1234, Sha256: sum, ReceivedOn: "2026-03-02"},
		{Id: "d2", FileName: "bill.png", MediaType: "image/png", Size: 99, Sha256: sum, ReceivedOn: "2026-03-02"},
	}
	if len(got) != len(want) {
		t.Fatalf("files %v, want %v", got, want)
	}
	for i := range want {
		if !proto.Equal(got[i], want[i]) {
			t.Errorf("file %d reaches the API as %v, want %v", i, got[i], want[i])
		}
	}
	out := &cases.Message{ID: "m", Direction: cases.DirectionOut, Kind: cases.KindArticle19, To: "dpo@supplier.example", Recipient: "Supplier Ltd"}
	if m := messageToProto("cases/X", out); m.GetRecipient() != "Supplier Ltd" || m.GetTo() != "dpo@supplier.example" || len(m.GetFiles()) != 0 {
		t.Errorf("an Article 19 letter reaches the API as %v", m)
	}
}

// Identity that arrived but is not yet checked is a state of its own in
// the API, not UNSPECIFIED.
func TestIdentityReceivedReachesTheAPI(t *testing.T) {
	for _, st := range []cases.IdentityStatus{cases.IdentityNotRequested, cases.IdentityRequested, cases.IdentityReceived, cases.IdentityVerified} {
		if got := enumFromDomain[rdv1.IdentityStatus](rdv1.IdentityStatus_value, "IDENTITY_STATUS_", string(st)); got == rdv1.IdentityStatus_IDENTITY_STATUS_UNSPECIFIED {
			t.Errorf("identity status %q has no API value", st)
		}
	}
}
