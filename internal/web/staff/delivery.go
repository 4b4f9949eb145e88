package staff

import (
	"fmt"

	"github.com/rightsdesk/rightsdesk/internal/cases"
)

// deliveryView is how a released response pack has reached the requester
// online, for the case page: what the status page offers them, until
// when, and the log of codes sent, codes refused and downloads.
type deliveryView struct {
	Offer   string
	LastDay string
	Log     []string
}

var offerWords = map[cases.PackOffer]string{
	cases.PackOnline:         "The requester can download the response from the status page after a one-time code sent to their email address.",
	cases.PackByPost:         "The requester gave no email address: send the response by post.",
	cases.PackNoLongerOnline: "The response can no longer be downloaded online: it was released too long ago, or downloaded as often as allowed.",
}

// deliveryViewOf is nil while no pack has been released.
func deliveryViewOf(c *cases.Case, offer cases.PackOffer) *deliveryView {
	if offer == cases.PackNotReady {
		return nil
	}
	v := &deliveryView{Offer: offerWords[offer]}
	if offer == cases.PackOnline {
		v.LastDay, _ = c.PackLastDay()
	}
	if d := c.Delivery; d != nil {
		if d.CodesSentTotal > 0 {
			v.Log = append(v.Log, fmt.Sprintf("%s sent to the requester", deliveryCount(d.CodesSentTotal, "one-time code")))
		}
		if d.FailedAttempts > 0 {
			v.Log = append(v.Log, fmt.Sprintf("%s refused (wrong, expired or already used)", deliveryCount(d.FailedAttempts, "code")))
		}
		for _, at := range d.Downloads {
			v.Log = append(v.Log, "Downloaded by the requester at "+ukTime(at))
		}
	}
	return v
}

func deliveryCount(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
