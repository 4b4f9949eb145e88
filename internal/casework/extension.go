package casework

import (
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
)

// ExtensionDecisions is, for each case in order, the last day its
// deadline can be extended when that day is near enough to flag (see
// cases.Case.ExtensionDecisionBy), or the zero date.
func (s *Service) ExtensionDecisions(list []*cases.Case) []deadline.Date {
	env := s.env("")
	out := make([]deadline.Date, len(list))
	for i, c := range list {
		out[i], _ = c.ExtensionDecisionBy(env)
	}
	return out
}

// extensionDue is whether a case's extension must be decided soon, as of
// now, for the extension_due filter.
func (s *Service) extensionDue() func(*cases.Case) bool {
	env := s.env("")
	return func(c *cases.Case) bool {
		_, due := c.ExtensionDecisionBy(env)
		return due
	}
}
