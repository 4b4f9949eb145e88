package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/store"
)

// testStaffOutbox checks that the staff outbox reads back what is due,
// earliest first and whole, bounded by the limit; that re-keying an email
// moves it; and that the digest log keeps the last date per account, in
// the transaction that queues the digest or not at all.
func testStaffOutbox(t *testing.T, h Harness) {
	s := openStore(t, h)
	at := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	later := store.StaffEmail{Due: at.Add(time.Hour), ID: "digest-b", To: "b@example.org", Subject: "Due soon", Text: "RD-1", HTML: "<p>RD-1</p>", Attempts: 2}
	sooner := store.StaffEmail{Due: at, ID: "digest-a", To: "a@example.org", Subject: "Due soon", Text: "RD-2"}
	update(t, s, func(tx store.WriteTx) error {
		for _, e := range []store.StaffEmail{later, sooner} {
			if err := store.PutStaffEmail(tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	due := func(now time.Time, limit int) []store.StaffEmail {
		t.Helper()
		var got []store.StaffEmail
		if err := s.View(ctx, func(tx store.ReadTx) (err error) { got, err = store.DueStaffEmails(tx, now, limit); return err }); err != nil {
			t.Fatal(err)
		}
		return got
	}
	ids := func(es []store.StaffEmail) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	for _, tc := range []struct {
		now   time.Time
		limit int
		want  []string
	}{
		{at.Add(-time.Millisecond), 10, nil},
		{at, 10, []string{"digest-a"}},
		{at.Add(time.Hour), 1, []string{"digest-a"}},
		{at.Add(time.Hour), 10, []string{"digest-a", "digest-b"}},
		{time.Time{}, 10, []string{"digest-a", "digest-b"}},
	} {
		if got := ids(due(tc.now, tc.limit)); !slices.Equal(got, tc.want) {
			t.Errorf("due at %v (limit %d) = %v, want %v", tc.now, tc.limit, got, tc.want)
		}
	}
	if all := due(time.Time{}, 10); len(all) != 2 || all[1] != later {
		t.Errorf("read back %+v, want %+v last", all, later)
	}
	if err := s.Update(ctx, func(tx store.WriteTx) error { return store.PutStaffEmail(tx, store.StaffEmail{ID: "x"}) }); err == nil {
		t.Error("an email without an address was queued")
	}

	// A claim moves the email; the old key no longer holds it.
	claimed := sooner
	claimed.Due = at.Add(2 * time.Hour)
	update(t, s, func(tx store.WriteTx) error {
		if !store.StaffEmailHeld(tx, sooner) {
			return errors.New("the email is not held before its claim")
		}
		if err := store.DeleteStaffEmail(tx, sooner); err != nil {
			return err
		}
		return store.PutStaffEmail(tx, claimed)
	})
	if got := ids(due(at.Add(time.Hour), 10)); !slices.Equal(got, []string{"digest-b"}) {
		t.Errorf("after the claim, due = %v, want [digest-b]", got)
	}
	if err := s.View(ctx, func(tx store.ReadTx) error {
		if store.StaffEmailHeld(tx, sooner) || !store.StaffEmailHeld(tx, claimed) {
			return errors.New("the claim did not move the email")
		}
		return nil
	}); err != nil {
		t.Error(err)
	}

	// The digest log: a rolled-back transaction records nothing.
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx store.WriteTx) error {
		if err := store.PutDigestMadeOn(tx, "u1", "2026-03-02"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("rolled-back update: %v", err)
	}
	made := func(account string) string {
		var d string
		_ = s.View(ctx, func(tx store.ReadTx) error { d = store.DigestMadeOn(tx, account); return nil })
		return d
	}
	if got := made("u1"); got != "" {
		t.Errorf("rolled back, yet the digest is recorded as made on %q", got)
	}
	update(t, s, func(tx store.WriteTx) error { return store.PutDigestMadeOn(tx, "u1", "2026-03-02") })
	update(t, s, func(tx store.WriteTx) error { return store.PutDigestMadeOn(tx, "u1", "2026-03-03") })
	if got, other := made("u1"), made("u2"); got != "2026-03-03" || other != "" {
		t.Errorf("digest made on %q and %q, want 2026-03-03 and nothing", got, other)
	}
	if err := s.Update(ctx, func(tx store.WriteTx) error { return store.PutDigestMadeOn(tx, "u1", "tomorrow") }); err == nil {
		t.Error("a digest record without a date was kept")
	}
}
