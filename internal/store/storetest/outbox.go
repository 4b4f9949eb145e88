package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

// testOutbox checks that the outbox reads back what is due, earliest
// first, by time and not by when it was queued, bounded by the limit;
// that re-keying an entry (a claim or a retry) moves it; and that a
// rolled-back transaction queues nothing.
func testOutbox(t *testing.T, h Harness) {
	s := openStore(t, h)
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	later := store.OutboxEntry{Due: at.Add(time.Hour), CaseID: "01A", MessageID: "01M2",
		Secrets: []cases.Secret{{Placeholder: "[code]", Value: "ABCD-EFGH"}}}
	sooner := store.OutboxEntry{Due: at, CaseID: "01B", MessageID: "01M9"}
	sameTime := store.OutboxEntry{Due: at, CaseID: "01A", MessageID: "01M1"}
	update(t, s, func(tx store.WriteTx) error {
		for _, e := range []store.OutboxEntry{later, sooner, sameTime} {
			if err := store.PutOutbox(tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	due := func(now time.Time, limit int) []string {
		t.Helper()
		var ids []string
		err := s.View(ctx, func(tx store.ReadTx) error {
			entries, err := store.DueOutbox(tx, now, limit)
			for _, e := range entries {
				ids = append(ids, e.MessageID)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	for _, tc := range []struct {
		now   time.Time
		limit int
		want  []string
	}{
		{at.Add(-time.Millisecond), 10, nil},
		{at, 10, []string{"01M1", "01M9"}},
		{at, 1, []string{"01M1"}},
		{at.Add(time.Hour), 10, []string{"01M1", "01M9", "01M2"}},
	} {
		if got := due(tc.now, tc.limit); !slices.Equal(got, tc.want) {
			t.Errorf("due at %s (limit %d) = %v, want %v", tc.now.Format(time.TimeOnly), tc.limit, got, tc.want)
		}
	}
	var all []store.OutboxEntry
	if err := s.View(ctx, func(tx store.ReadTx) (err error) { all, err = store.OutboxEntries(tx); return err }); err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 || !all[2].Due.Equal(later.Due) || all[2].CaseID != "01A" || !slices.Equal(all[2].Secrets, later.Secrets) {
		t.Errorf("entries read back as %+v", all)
	}

	// A claim moves the entry later; deleting the old key is part of it.
	claimed := sameTime
	claimed.Due = at.Add(2 * time.Hour)
	update(t, s, func(tx store.WriteTx) error {
		if !store.OutboxHolds(tx, sameTime) {
			return errors.New("the entry is not held before its claim")
		}
		if err := store.DeleteOutbox(tx, sameTime); err != nil {
			return err
		}
		return store.PutOutbox(tx, claimed)
	})
	if got := due(at.Add(time.Hour), 10); !slices.Equal(got, []string{"01M9", "01M2"}) {
		t.Errorf("after the claim, due = %v", got)
	}
	errRollback := errors.New("roll back")
	err := s.Update(ctx, func(tx store.WriteTx) error {
		if err := store.PutOutbox(tx, store.OutboxEntry{Due: at, CaseID: "01C", MessageID: "01M0"}); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	if got := due(at, 10); !slices.Equal(got, []string{"01M9"}) {
		t.Errorf("a rolled-back entry is due: %v", got)
	}
}

// testMessageBodies checks that a letter's body reads back as written and
// that a missing one is ErrNotFound.
func testMessageBodies(t *testing.T, h Harness) {
	s := openStore(t, h)
	body := cases.MessageBody{Subject: "Your request", Text: "Dear Ada,\n\nWe have it.\n", HTML: "<p>Dear Ada,</p>"}
	update(t, s, func(tx store.WriteTx) error { return store.PutMessageBody(tx, "01A", "01M1", body) })
	err := s.View(ctx, func(tx store.ReadTx) error {
		got, err := store.GetMessageBody(tx, "01A", "01M1")
		if err != nil {
			return err
		}
		if *got != body {
			t.Errorf("body read back as %+v", got)
		}
		if _, err := store.GetMessageBody(tx, "01A", "01M2"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a missing body: %v, want ErrNotFound", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// testUndeliveredIndex checks that a case is in the undelivered index
// while a letter of it is refused, and leaves it once delivered.
func testUndeliveredIndex(t *testing.T, h Harness) {
	s := openStore(t, h)
	c := storedCase("01A", "RD-AAAA-AAAA", "", "closed", "", "2026-04-02")
	c.Messages = []cases.Message{{ID: "01M1", Direction: cases.DirectionOut, Delivery: &cases.Delivery{State: cases.DeliveryRetrying, Attempts: 1}}}
	update(t, s, func(tx store.WriteTx) error { return store.PutCase(tx, nil, c) })
	if got := indexIDs(t, s, store.BucketUndelivered); !slices.Equal(got, []string{"01A"}) {
		t.Errorf("undelivered index = %v, want the closed case whose letter was refused", got)
	}
	update(t, s, func(tx store.WriteTx) error {
		before, err := store.IndexOf(tx, c)
		if err != nil {
			return err
		}
		c.Messages[0].Delivery.State = cases.DeliverySent
		return store.PutCase(tx, before, c)
	})
	if got := indexIDs(t, s, store.BucketUndelivered); len(got) != 0 {
		t.Errorf("undelivered index = %v after delivery", got)
	}
}

func update(t *testing.T, s *store.Store, fn func(store.WriteTx) error) {
	t.Helper()
	if err := s.Update(ctx, fn); err != nil {
		t.Fatal(err)
	}
}
