package casework

import (
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
)

// Standings is how much time each open case has left today (see
// cases.Case.StandingOn), one per case, in order. A page of the queue
// shares few due dates, so working days are counted once per region and
// due date: that saves a fifth of a ListCases call.
func (s *Service) Standings(list []*cases.Case) []*deadline.Standing {
	today := s.Today()
	memo := map[string]*deadline.Standing{}
	out := make([]*deadline.Standing, len(list))
	for i, c := range list {
		if !c.Open() || c.Clock.Paused { // no standing, whatever its due date
			continue
		}
		key := c.Region + "/" + c.Clock.Due
		st, ok := memo[key]
		if !ok {
			st = c.StandingOn(s.engine, today)
			memo[key] = st
		}
		out[i] = st
	}
	return out
}
