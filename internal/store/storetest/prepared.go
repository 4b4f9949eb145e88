package storetest

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

// testPreparedCase checks, in a plain and a sealed store, that a new case
// and its audit event encoded before the write transaction (PrepareNewCase,
// PrepareEvent) are stored exactly as PutCase and AppendEvent store them:
// the case reads back, its indexes are whole (the requester's keyed
// hashes among them), its payload opens, and the chain verifies. A
// prepared case whose data key already exists when it is written is
// encoded again under that key, so what was sealed under it stays
// readable.
func testPreparedCase(t *testing.T, h Harness) {
	inPlainAndSealed(t, h, "prepared", func(t *testing.T, s *store.Store) {
		mk := func(id, ref string) *cases.Case {
			c := withRequester(storedCase(id, ref, "req-"+id, "new", "", "2026-04-02"), "Ada Lovelace", "ada@example.org")
			c.Rights = []cases.RequestedRight{{Right: "access"}}
			c.Description = "Everything you hold about me"
			return c
		}
		direct, prepared, keyed := mk("01A", "RD-AAAA-AAAA"), mk("01B", "RD-BBBB-BBBB"), mk("01C", "RD-CCCC-CCCC")
		payload, hash, err := audit.SealPayload([]byte(`{"requester":"Ada Lovelace"}`), nil)
		if err != nil {
			t.Fatal(err)
		}
		event := func(c *cases.Case) *audit.Event {
			return &audit.Event{CaseID: c.ID, Time: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), Actor: "alice", Action: "case.created", PayloadHash: hash}
		}
		var preparedCase, keyedCase *store.PreparedCase
		var preparedEvent *store.PreparedEvent
		err = s.View(ctx, func(tx store.ReadTx) (err error) {
			if preparedCase, err = store.PrepareNewCase(tx, prepared); err != nil {
				return err
			}
			if keyedCase, err = store.PrepareNewCase(tx, keyed); err != nil {
				return err
			}
			p := payload
			preparedEvent, err = store.PrepareEvent(event(prepared), &p)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		update(t, s, func(tx store.WriteTx) error {
			p := payload
			if err := store.PutCase(tx, nil, direct); err != nil {
				return err
			}
			if err := keepReplay(tx, direct); err != nil {
				return err
			}
			if err := store.AppendEvent(tx, event(direct), &p); err != nil {
				return err
			}
			if err := store.PutNewCase(tx, preparedCase); err != nil {
				return err
			}
			if err := keepReplay(tx, prepared); err != nil {
				return err
			}
			if err := store.AppendPrepared(tx, preparedEvent); err != nil {
				return err
			}
			// keyed gets its data key (sealed) from PutCase first, as a
			// case written before in the same transaction would, and an
			// event whose payload is sealed under that key.
			if err := store.PutCase(tx, nil, keyed); err != nil {
				return err
			}
			q := payload
			if err := store.AppendEvent(tx, event(keyed), &q); err != nil {
				return err
			}
			if err := store.PutNewCase(tx, keyedCase); err != nil {
				return err
			}
			return keepReplay(tx, keyed)
		})
		err = s.View(ctx, func(tx store.ReadTx) error {
			for _, want := range []*cases.Case{direct, prepared, keyed} {
				got, err := store.GetCase(tx, want.ID)
				if err != nil {
					return err
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("case %s read back as\n%+v\nwant\n%+v", want.ID, got, want)
				}
				if err := store.CaseIndexesConsistent(tx, got); err != nil {
					t.Errorf("case %s: %v", want.ID, err)
				}
			}
			for _, c := range []*cases.Case{direct, prepared, keyed} {
				events, payloads, err := store.CaseEvents(tx, c.ID)
				if err != nil {
					return err
				}
				if len(events) != 1 || payloads[0] == nil || !payloads[0].Matches(events[0].PayloadHash) {
					t.Errorf("case %s: events %+v, payloads %+v; want one event whose payload matches its hash", c.ID, events, payloads)
				}
			}
			var v audit.Verifier
			if err := store.EachEvent(tx, v.Next); err != nil {
				t.Errorf("the audit chain: %v", err)
			}
			if v.Count() != 3 {
				t.Errorf("the chain holds %d events, want 3", v.Count())
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if ids, _ := requesterIDs(t, s, cases.EmailTerm("ada@example.org"), 10); !slices.Equal(ids, []string{"01A", "01B", "01C"}) {
			t.Errorf("cases of the requester: %v, want all three", ids)
		}
	})
}
