package store_test

import (
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
)

func TestOutboxStatsCountTheQueueAndNameTheOldestDue(t *testing.T) {
	b, err := bolt.Open(t.TempDir(), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stats := func(limit int) store.OutboxStats {
		t.Helper()
		var got store.OutboxStats
		if err := st.View(ctx, func(tx store.ReadTx) (err error) {
			got, err = store.ReadOutboxStats(tx, limit)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := stats(10); got != (store.OutboxStats{}) {
		t.Errorf("an empty outbox: %+v, want all zero", got)
	}

	oldest := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	if err := st.Update(ctx, func(tx store.WriteTx) error {
		for i, due := range []time.Time{oldest.Add(time.Hour), oldest, oldest.Add(48 * time.Hour)} {
			if err := store.PutOutbox(tx, store.OutboxEntry{Due: due, CaseID: "case", MessageID: string(rune('a' + i))}); err != nil {
				return err
			}
		}
		return tx.Put(store.BucketUndelivered, []byte("2026-04-02/case"), nil)
	}); err != nil {
		t.Fatal(err)
	}
	if got, want := stats(10), (store.OutboxStats{Queued: 3, OldestDue: oldest, Undelivered: 1}); got != want {
		t.Errorf("three letters, one case undelivered: %+v, want %+v", got, want)
	}
	if got := stats(2); got.Queued != 2 || !got.Capped || !got.OldestDue.Equal(oldest) {
		t.Errorf("counted up to 2: %+v, want 2, capped, oldest still %s", got, oldest)
	}
}
