package storetest

import (
	"maps"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

// testOpenCaseCounts checks that the workload counts follow the indexes as
// cases are opened, assigned, reassigned and closed.
func testOpenCaseCounts(t *testing.T, h Harness) {
	s := openStore(t, h)
	counts := func(wantOpen int, want map[string]int) {
		t.Helper()
		err := s.View(ctx, func(tx store.ReadTx) error {
			open, byAssignee, err := store.OpenCaseCounts(tx)
			if err != nil {
				return err
			}
			if open != wantOpen || !maps.Equal(byAssignee, want) {
				t.Errorf("OpenCaseCounts = %d, %v; want %d, %v", open, byAssignee, wantOpen, want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	counts(0, map[string]int{})

	made := []*cases.Case{
		storedCase("01A", "RD-AAAA-AAAA", "", "in_progress", "user:alice", "2026-04-02"),
		storedCase("01B", "RD-BBBB-BBBB", "", "new", "", "2026-03-20"),
		storedCase("01C", "RD-CCCC-CCCC", "", "in_progress", "user:alice", "2026-03-21"),
		storedCase("01D", "RD-DDDD-DDDD", "", "awaiting_requester", "user:bob", "2026-03-22"),
		storedCase("01E", "RD-EEEE-EEEE", "", "closed", "user:bob", "2026-03-10"),
	}
	for _, c := range made {
		if err := s.Update(ctx, func(tx store.WriteTx) error { return store.PutCase(tx, nil, c) }); err != nil {
			t.Fatal(err)
		}
	}
	counts(4, map[string]int{"user:alice": 2, "user:bob": 1})

	// Alice's later case goes to Bob and her other one closes.
	moved, closed := *made[0], *made[2]
	moved.Assignee = "user:bob"
	closed.State = "closed"
	for _, pair := range [][2]*cases.Case{{made[0], &moved}, {made[2], &closed}} {
		if err := s.Update(ctx, func(tx store.WriteTx) error { return putOver(tx, pair[0], pair[1]) }); err != nil {
			t.Fatal(err)
		}
	}
	counts(3, map[string]int{"user:bob": 2})
}
