package audit_test

import (
	"fmt"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/audit"
)

// A chain is built with Link and checked with a Verifier, one event at a
// time; the first broken link is named.
func ExampleVerifier() {
	at := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	var events []audit.Event
	var prev *audit.Event
	for i, action := range []string{"case.created", "case.assigned", "case.closed"} {
		e := audit.Event{CaseID: "01JEXAMPLE", Time: at.Add(time.Duration(i) * time.Hour), Actor: "caseworker:alice", Action: action}
		audit.Link(&e, prev)
		events = append(events, e)
		prev = &events[len(events)-1]
	}

	var v audit.Verifier
	for i := range events {
		if i == 1 {
			continue // someone removed the assignment
		}
		if err := v.Next(&events[i], nil); err != nil {
			fmt.Println(err)
			break
		}
	}
	fmt.Println("verified:", v.Count())
	// Output:
	// audit chain broken at event 3 (case 01JEXAMPLE): link broken: expected event 2 after event 1 but found event 3, whose prev_hash does not match — event 2 is missing here (removed or moved)
	// verified: 1
}
