package devseed_test

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/devseed"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

var now = time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)

// seeded opens n cases with seed in a fresh store and returns them by id.
func seeded(t *testing.T, seed uint64, n int) (map[string]*cases.Case, *casework.Service, devseed.Options) {
	t.Helper()
	st := caseworktest.OpenStore(t, t.TempDir())
	engine := deadline.NewEngine(deadline.BuiltinCalendars())
	opts := devseed.Options{Cases: n, Seed: seed, Now: now}
	res, err := devseed.Seed(context.Background(), st, engine, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Cases != n {
		t.Fatalf("opened %d cases, want %d", res.Cases, n)
	}
	work := casework.New(st, engine, clock.Fixed(now), nil)
	out := map[string]*cases.Case{}
	err = work.EachCase(context.Background(), func(c *cases.Case) error {
		out[c.ID] = c
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := casework.VerifyChain(context.Background(), st); err != nil {
		t.Fatalf("audit chain after seeding: %v", err)
	}
	// Seeding again with the same seed finds every case already there.
	again, err := devseed.Seed(context.Background(), st, engine, opts)
	if err != nil || again.Cases != 0 {
		t.Fatalf("second run: %d new cases, %v; want none", again.Cases, err)
	}
	return out, work, opts
}

func TestSeedIsDeterministicAndVaried(t *testing.T) {
	a, work, _ := seeded(t, 7, 300)
	b, _, _ := seeded(t, 7, 300)
	c, _, _ := seeded(t, 8, 300)
	if len(a) != 300 {
		t.Fatalf("%d cases stored, want 300", len(a))
	}
	for id, x := range a {
		y, ok := b[id]
		if !ok || x.Reference != y.Reference || x.Etag() != y.Etag() {
			t.Fatalf("case %s differs between two runs with one seed", id)
		}
	}
	same := 0
	for id := range a {
		if _, ok := c[id]; ok {
			same++
		}
	}
	if same != 0 {
		t.Errorf("%d case ids shared by seeds 7 and 8", same)
	}

	states, channels, notices, emails := map[cases.State]int{}, map[cases.Channel]bool{}, map[string]bool{}, map[string]int{}
	for _, x := range a {
		states[x.State]++
		channels[x.Channel] = true
		for _, id := range x.NoticeIDs() {
			notices[id] = true
		}
		emails[x.Requester.Person.Email]++
	}
	for _, s := range []cases.State{cases.StateNew, cases.StateInProgress, cases.StateAwaitingRequester, cases.StateClosed} {
		if states[s] == 0 {
			t.Errorf("no %s case among %v", s, states)
		}
	}
	repeats := slices.ContainsFunc(slices.Collect(maps.Values(emails)), func(n int) bool { return n > 1 })
	if len(channels) < 4 || len(notices) < 2 || !repeats {
		t.Errorf("too uniform: %d channels, %d notices, repeat requesters %v", len(channels), len(notices), repeats)
	}
	// The indexes are the real ones: the queue's query finds the open cases.
	page, err := work.List(context.Background(), usecase.Query{Filter: "open=true", OrderBy: "due", Limit: 1000})
	if err != nil || len(page.Cases) != 300-states[cases.StateClosed] {
		t.Errorf("open cases through the index: %d, %v; want %d", len(page.Cases), err, 300-states[cases.StateClosed])
	}
}
