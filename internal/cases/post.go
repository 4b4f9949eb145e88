package cases

import (
	"fmt"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// A letter to a requester with no email address goes by post: it is queued
// like an email, channel post, addressed to the name and postal address
// block, and never given to the outbox. It waits as queued ("to print")
// until staff print it (its PDF is made from the kept text) and mark it
// posted, which records it sent on the day they say so.

// ToPrint reports whether m is a posted letter staff have yet to print and
// post.
func (m *Message) ToPrint() bool {
	return m.Direction == DirectionOut && m.Channel == ChannelPost && m.Delivery != nil && m.Delivery.State == DeliveryQueued
}

// PostalBlock is the addressee's block of a posted letter, as kept in its
// To: the name, then each line of the address.
func PostalBlock(name string, address []string) string {
	return strings.Join(append([]string{name}, address...), "\n")
}

// SplitPostalBlock is PostalBlock undone: the name and the address lines.
func SplitPostalBlock(block string) (name string, address []string) {
	lines := strings.Split(block, "\n")
	return lines[0], lines[1:]
}

// MarkPosted records that staff posted letter id today. Like a relay's
// acceptance (RecordAttempt), it changes neither the case's version nor
// its etag; its audit change names the message and the day.
func MarkPosted(c *Case, id string, env Env) (Change, error) {
	m, ok := c.Message(id)
	if !ok || m.Direction != DirectionOut {
		return Change{}, &fault.NotFound{Resource: "message", Name: c.Name() + "/messages/" + id}
	}
	if !m.ToPrint() {
		return Change{}, &fault.FailedPrecondition{Subject: c.Name() + "/messages/" + id,
			Description: fmt.Sprintf("only a posted letter waiting to be printed can be marked posted; this one goes by %s and is %s", m.Channel, m.Delivery.State)}
	}
	before := messageFacts(m)
	now := env.Now
	m.Delivery.State, m.Delivery.SentAt = DeliverySent, &now
	b, a := diff(before, messageFacts(m))
	a["message_id"], a["posted_on"] = id, env.Today().String()
	return Change{Action: "case.message_posted", Before: b, After: a}, nil
}
