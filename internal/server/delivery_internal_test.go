package server

import (
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
)

func TestDeliveryToProto(t *testing.T) {
	c := &cases.Case{ID: "01J0000000000000000000000X"}
	if got := deliveryToProto(c); got != nil {
		t.Fatalf("a case with no released pack has delivery %v", got)
	}
	released := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	c.Review = &cases.Review{State: cases.ReviewReleased, Steps: []cases.ReviewStep{
		{State: cases.ReviewApproved, By: "token:bob", On: released, Fingerprint: c.PackFingerprint()},
		{State: cases.ReviewReleased, By: "token:alice", On: released},
	}}
	got := deliveryToProto(c)
	if got == nil || !got.GetExpireTime().AsTime().Equal(released.Add(cases.PackAvailableFor)) || got.GetCodesSent() != 0 {
		t.Fatalf("a released pack nobody asked for: %v", got)
	}
	downloaded := released.Add(time.Hour)
	c.Delivery = &cases.PackDelivery{CodesSentTotal: 2, FailedAttempts: 1, Downloads: []time.Time{downloaded}}
	got = deliveryToProto(c)
	if got.GetCodesSent() != 2 || got.GetCodesRefused() != 1 || len(got.GetDownloadTimes()) != 1 || !got.GetDownloadTimes()[0].AsTime().Equal(downloaded) {
		t.Fatalf("delivery %v; want 2 codes sent, 1 refused, 1 download at %v", got, downloaded)
	}
}
