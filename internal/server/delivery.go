package server

import (
	"google.golang.org/protobuf/types/known/timestamppb"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/cases"
)

// deliveryToProto is how c's released pack has reached its requester, nil
// while no pack is released and none was ever handed out.
func deliveryToProto(c *cases.Case) *rdv1.PackDelivery {
	until, released := c.PackAvailableUntil()
	d := c.Delivery
	if !released && d == nil {
		return nil
	}
	out := &rdv1.PackDelivery{}
	if released {
		out.ExpireTime = timestamppb.New(until)
	}
	if d != nil {
		out.CodesSent, out.CodesRefused = int32(d.CodesSentTotal), int32(d.FailedAttempts)
		for _, at := range d.Downloads {
			out.DownloadTimes = append(out.DownloadTimes, timestamppb.New(at))
		}
	}
	return out
}
