package server

import (
	"testing"
	"time"

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
