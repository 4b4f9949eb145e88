package storetest

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/store"
)

func testWebSessions(t *testing.T, h Harness) {
	b, _ := open(t, h)
	s, err := store.Open(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	sessions := []struct {
		created time.Time
		id      string
	}{
		{base.Add(2 * time.Hour), "late"},
		{base, "early"},
		{base.Add(time.Hour), "middle"},
	}
	update := func(fn func(tx store.WriteTx) error) {
		t.Helper()
		if err := s.Update(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	for _, ss := range sessions {
		update(func(tx store.WriteTx) error {
			return store.PutWebSession(tx, ss.created, []byte(ss.id), []byte("record of "+ss.id))
		})
	}
	get := func(created time.Time, id string) ([]byte, error) {
		var raw []byte
		err := s.View(ctx, func(tx store.ReadTx) (err error) {
			raw, err = store.GetWebSession(tx, created, []byte(id))
			return err
		})
		return raw, err
	}
	if raw, err := get(base, "early"); err != nil || string(raw) != "record of early" {
		t.Errorf("GetWebSession(early) = %q, %v", raw, err)
	}
	if _, err := get(base.Add(time.Hour), "early"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a session looked up with the wrong creation time: %v, want ErrNotFound", err)
	}
	if _, err := get(base, "other"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an unknown session id: %v, want ErrNotFound", err)
	}

	var removed int
	update(func(tx store.WriteTx) (err error) {
		removed, err = store.DeleteWebSessionsCreatedBefore(tx, base.Add(90*time.Minute))
		return err
	})
	if removed != 2 {
		t.Errorf("pruning removed %d sessions, want 2", removed)
	}
	for _, id := range []string{"early", "middle"} {
		if _, err := get(sessions[0].created, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("pruned session %s: %v, want ErrNotFound", id, err)
		}
	}
	if _, err := get(sessions[0].created, "late"); err != nil {
		t.Errorf("a session newer than the cut-off was pruned: %v", err)
	}
	update(func(tx store.WriteTx) error { return store.DeleteWebSession(tx, sessions[0].created, []byte("late")) })
	if _, err := get(sessions[0].created, "late"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted session: %v, want ErrNotFound", err)
	}

	var first, second []byte
	update(func(tx store.WriteTx) (err error) {
		first, err = store.WebSecret(tx, bytes.NewReader(bytes.Repeat([]byte{7}, 32)))
		return err
	})
	update(func(tx store.WriteTx) (err error) {
		second, err = store.WebSecret(tx, bytes.NewReader(bytes.Repeat([]byte{9}, 32)))
		return err
	})
	if len(first) != 32 || !bytes.Equal(first, second) {
		t.Errorf("WebSecret gave %x then %x, want one 32-byte secret kept across calls", first, second)
	}
}
