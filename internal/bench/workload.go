package bench

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// The built-in notice and context every generated request cites.
const (
	noticeID    = "it-service-desk"
	noticeCtx   = "employment"
	description = "Please send me a copy of all the personal data you hold about me, " +
		"including service desk tickets, call recordings and chat transcripts since 2019."
)

// receivedDays spreads receipt (and so due dates) over this many past days,
// so the due-date index has many distinct dates as it would in use.
const receivedDays = 90

// Request ids come from random streams that never meet: one for the
// creates whose writes are recorded, one for seeding, and one per
// dialCreates call from firstDialStream up. A create whose id an earlier
// create used with another request is refused, so creates over a seeded
// store, or a second dial over the same store, must draw their own.
const (
	shapeStream     = 1
	seedStream      = 3
	firstDialStream = 1 << 32
)

// request is the i-th generated request: every right in turn, received on
// one of the last receivedDays days. Yesterday at the latest, in UTC, is
// never in the future on the UK calendar the domain checks it against.
func request(i int, now time.Time, rng *rand.Rand) cases.NewCase {
	received := now.UTC().AddDate(0, 0, -1-i%receivedDays)
	return cases.NewCase{
		Notices:     []cases.NoticeRef{{ID: noticeID, Context: noticeCtx}},
		Rights:      []notice.Right{notice.Rights[i%len(notice.Rights)]},
		Description: description,
		ReceivedOn:  received.Format(time.DateOnly),
		// Random, like the UUIDs real clients send for idempotency.
		RequestID: fmt.Sprintf("%016x%016x", rng.Uint64(), rng.Uint64()),
		Requester: cases.Requester{
			Person:       cases.Person{Name: fmt.Sprintf("Requester %d", i), Email: fmt.Sprintf("requester%d@example.org", i)},
			Relationship: cases.RelationshipSelf,
		},
	}
}

// createRequest is request as a gRPC client sends it.
func createRequest(r cases.NewCase) *rdv1.CreateCaseRequest {
	c := &rdv1.Case{
		Notices:     []*rdv1.CaseNotice{{Notice: "notices/" + r.Notices[0].ID, Context: r.Notices[0].Context}},
		Description: r.Description,
		ReceivedOn:  r.ReceivedOn,
		Requester: &rdv1.Requester{
			Person:       &rdv1.Person{Name: r.Requester.Person.Name, Email: r.Requester.Person.Email},
			Relationship: rdv1.Relationship_RELATIONSHIP_SELF,
		},
	}
	for _, right := range r.Rights {
		c.Rights = append(c.Rights, &rdv1.RequestedRight{Right: rdv1.Right(rdv1.Right_value["RIGHT_"+strings.ToUpper(string(right))])})
	}
	return &rdv1.CreateCaseRequest{Case: c, RequestId: r.RequestID}
}
