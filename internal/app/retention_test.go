package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/app/apptest"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/server"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

// closedCaseIn leaves in dir one case closed on 2026-03-02 and returns its
// id.
func closedCaseIn(t *testing.T, dir string) string {
	t.Helper()
	w, st := caseworktest.New(t, dir, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	res, err := w.Create(t.Context(), "token:test", cases.NewCase{Notices: []cases.NoticeRef{{ID: "it-service-desk", Context: "employment"}},
		Rights: []notice.Right{notice.RightAccess}, ReceivedOn: "2026-02-20",
		Requester: cases.Requester{Person: cases.Person{Name: "Ada Lovelace", Email: "ada@example.org"}, Relationship: cases.RelationshipSelf},
	})
	if err != nil {
		t.Fatal(err)
	}
	caseworktest.ReleasePack(t, w, res.Case.ID)
	if _, err := w.Apply(t.Context(), "token:test", res.Case.ID, "", cases.Close{Outcome: cases.OutcomeFulfilled}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return res.Case.ID
}

// The leader runs the retention purge on start with the schedule it was
// given, and --retention off runs none.
func TestTheLeaderRunsTheRetentionPurge(t *testing.T) {
	past := clock.Fixed(time.Date(2027, 3, 3, 12, 0, 0, 0, time.UTC)) // 12 months and a day after closing
	for _, tc := range []struct {
		name   string
		cfg    app.Config
		purged bool
	}{
		{"default schedule: not yet", app.Config{}, false},
		{"fulfilled=12m", app.Config{Retention: cases.Schedule{cases.OutcomeFulfilled: 12}}, true},
		{"off", app.Config{Retention: cases.Schedule{cases.OutcomeFulfilled: 12}, RetentionOff: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			id := closedCaseIn(t, dir)
			logged := &apptest.Log{}
			cfg := tc.cfg
			cfg.DataDir, cfg.Server = dir, server.Config{Clock: past, Logger: logged.Logger()}
			a, stop := apptest.Start(t, cfg)
			// A run starts as soon as the replica leads; without one, a
			// second of leading is long enough to have seen it.
			ran, wait := false, 10*time.Second
			for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				if ran = strings.Contains(logged.String(), "retention run"); ran {
					break
				}
				if leading, _ := a.Leading(); leading && tc.cfg.RetentionOff && wait == 10*time.Second {
					wait, deadline = time.Second, time.Now().Add(time.Second)
				}
			}
			if tc.cfg.RetentionOff == ran {
				t.Fatalf("retention run logged: %v, want %v", ran, !tc.cfg.RetentionOff)
			}
			stop()
			var c *cases.Case
			err := caseworktest.OpenStore(t, dir).View(t.Context(), func(tx store.ReadTx) (err error) {
				c, err = store.GetCase(tx, id)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if (c.Purged != nil) != tc.purged {
				t.Errorf("purged %+v, want %v", c.Purged, tc.purged)
			}
			if strings.Contains(logged.String(), "Ada") || strings.Contains(logged.String(), "ada@example.org") {
				t.Error("the log names the requester")
			}
		})
	}
}
