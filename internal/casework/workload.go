package casework

import (
	"cmp"
	"context"
	"slices"

	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// Workload counts the open cases of each assignee, the most loaded first,
// and those nobody has, from index keys alone.
func (s *Service) Workload(ctx context.Context) (*usecase.Workload, error) {
	var (
		open       int
		byAssignee map[string]int
	)
	err := s.store.View(ctx, func(tx store.ReadTx) (err error) {
		open, byAssignee, err = store.OpenCaseCounts(tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	w := &usecase.Workload{Unassigned: open}
	for who, n := range byAssignee {
		w.People = append(w.People, usecase.Load{Assignee: who, Open: n})
		w.Unassigned -= n
	}
	slices.SortFunc(w.People, func(a, b usecase.Load) int {
		return cmp.Or(cmp.Compare(b.Open, a.Open), cmp.Compare(a.Assignee, b.Assignee))
	})
	return w, nil
}
