package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/store"
)

// testRequestReplays keeps what three creates left for their retries and
// drops their status tokens oldest first, in batches, keeping the
// fingerprints.
func testRequestReplays(t *testing.T, h Harness) {
	s := openStore(t, h)
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	replays := map[string]store.RequestReplay{}
	for i := range 3 {
		r := store.RequestReplay{CaseID: caseID(i), Fingerprint: []byte{byte(i), 0xfe}, StatusToken: fmt.Sprintf("token-%d", i), Created: start.Add(time.Duration(i) * time.Minute)}
		replays[fmt.Sprintf("req-%d", i)] = r
		update(t, s, func(tx store.WriteTx) error { return store.PutRequestReplay(tx, fmt.Sprintf("req-%d", i), r) })
	}
	check := func(withToken ...string) {
		t.Helper()
		err := s.View(ctx, func(tx store.ReadTx) error {
			if _, err := store.GetRequestReplay(tx, "req-none"); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("an unknown request id: %v, want ErrNotFound", err)
			}
			for id, want := range replays {
				got, err := store.GetRequestReplay(tx, id)
				if err != nil {
					return err
				}
				token := ""
				for _, kept := range withToken {
					if kept == id {
						token = want.StatusToken
					}
				}
				if got.CaseID != want.CaseID || string(got.Fingerprint) != string(want.Fingerprint) || !got.Created.Equal(want.Created) || got.StatusToken != token {
					return fmt.Errorf("%s: got %+v, want %+v with token %q", id, got, want, token)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	check("req-0", "req-1", "req-2")
	drop := func(until time.Time, limit, want int) {
		t.Helper()
		update(t, s, func(tx store.WriteTx) error {
			n, err := store.DropReplayTokens(tx, until, limit)
			if err == nil && n != want {
				err = fmt.Errorf("dropped %d tokens, want %d", n, want)
			}
			return err
		})
	}
	// Up to req-1's creation, one at a time.
	until := replays["req-1"].Created
	drop(until, 1, 1)
	check("req-1", "req-2")
	drop(until, 1, 1)
	drop(until, 1, 0)
	check("req-2")
}
