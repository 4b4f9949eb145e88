package casework

import (
	"context"
	"errors"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// AssignEach assigns each target in its own transaction, with its own etag
// check: a case someone changed since it was shown, or one that cannot be
// assigned now, fails alone and the rest are assigned.
func (s *Service) AssignEach(ctx context.Context, actor, assignee, on string, targets []usecase.Target) ([]usecase.Assigned, error) {
	switch {
	case len(targets) == 0:
		return nil, fault.Invalid("targets", "choose at least one case")
	case len(targets) > usecase.MaxBulkAssign:
		return nil, fault.Invalid("targets", "choose at most %d cases at once", usecase.MaxBulkAssign)
	}
	out := make([]usecase.Assigned, len(targets))
	for i, t := range targets {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out[i].Target = t
		if t.Etag == "" { // without it the check would be skipped
			out[i].Err = fault.Invalid("etag", "the case was sent without its version")
		} else {
			out[i].Case, out[i].Err = s.Apply(ctx, actor, t.ID, t.Etag, cases.Assign{Assignee: assignee, On: on})
		}
		if out[i].Err == nil {
			continue
		}
		// The result names the case as it stands, so it can be shown by
		// its reference; one that does not exist stays nil.
		c, err := s.Get(ctx, t.ID)
		var missing *fault.NotFound
		if err != nil && !errors.As(err, &missing) {
			return nil, err
		}
		out[i].Case = c
	}
	return out, nil
}
