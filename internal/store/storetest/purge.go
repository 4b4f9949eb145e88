package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/testkeys"
)

var purgeDay = time.Date(2028, 4, 3, 2, 0, 0, 0, time.UTC)

// purgeFixture stores two closed cases of the same requester, each with a
// letter (body and outbox entry) and an audit event with a personal
// payload, so that purging one shows both what goes and what stays.
func purgeFixture(t *testing.T, s *store.Store) (gone, kept *cases.Case) {
	t.Helper()
	mk := func(id, ref string) *cases.Case {
		c := withRequester(storedCase(id, ref, "req-"+id, "closed", "", "2026-04-02"), "Ada Lovelace", "ada@example.org")
		c.Description = "Everything you hold about me"
		c.Notes = []cases.Note{{ID: "n1", Author: "alice", Text: "Rang Ada on her mobile"}}
		c.Outcome = &cases.Outcome{Kind: cases.OutcomeRefused, RefusalReason: "other", Detail: "Ada's neighbour's data", ClosedOn: "2026-03-30", OnTime: true}
		return c
	}
	gone, kept = mk("01A", "RD-AAAA-AAAA"), mk("01B", "RD-BBBB-BBBB")
	payload, hash, err := audit.SealPayload([]byte(`{"note":"Rang Ada"}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	update(t, s, func(tx store.WriteTx) error {
		for i, c := range []*cases.Case{gone, kept} {
			if err := putOver(tx, nil, c); err != nil {
				return err
			}
			if err := keepReplay(tx, c); err != nil {
				return err
			}
			msg := "01M" + c.ID
			if err := store.PutMessageBody(tx, c.ID, msg, cases.MessageBody{Subject: "Your request", Text: "Dear Ada"}); err != nil {
				return err
			}
			if err := store.PutOutbox(tx, store.OutboxEntry{Due: purgeDay.Add(time.Duration(i) * time.Minute), CaseID: c.ID, MessageID: msg}); err != nil {
				return err
			}
			p := payload
			e := &audit.Event{CaseID: c.ID, Time: purgeDay, Actor: "alice", Action: "case.note_added", PayloadHash: hash}
			if err := store.AppendEvent(tx, e, &p); err != nil {
				return err
			}
		}
		return nil
	})
	return gone, kept
}

// testPurgeCase checks the purge primitive in a plain and a sealed store:
// the tombstone keeps the skeleton and the outcome's kind, the personal
// data and everything filed under the case goes, the other case is
// untouched, the audit chain still verifies, a second purge writes
// nothing, and a purge whose transaction fails leaves the case whole.
func testPurgeCase(t *testing.T, h Harness) {
	inPlainAndSealed(t, h, "purge", func(t *testing.T, s *store.Store) {
		gone, kept := purgeFixture(t, s)
		marker := cases.Purged{On: "2028-04-03", Reason: cases.PurgeRetention}

		errInjected := errors.New("injected failure after the purge")
		err := s.Update(ctx, func(tx store.WriteTx) error {
			if _, err := store.PurgeCase(tx, gone.ID, marker, purgeDay); err != nil {
				return err
			}
			return errInjected
		})
		if !errors.Is(err, errInjected) {
			t.Fatalf("failed purge: %v", err)
		}
		checkUnpurged(t, s, gone)

		var tomb *cases.Case
		update(t, s, func(tx store.WriteTx) (err error) {
			tomb, err = store.PurgeCase(tx, gone.ID, marker, purgeDay)
			return err
		})
		checkTombstone(t, s, gone, tomb, marker)
		checkUnpurged(t, s, kept)

		err = s.Update(ctx, func(tx store.WriteTx) error {
			_, err := store.PurgeCase(tx, gone.ID, marker, purgeDay)
			return err
		})
		if !errors.Is(err, store.ErrAlreadyPurged) {
			t.Errorf("second purge: %v, want ErrAlreadyPurged", err)
		}
		update(t, s, func(tx store.WriteTx) error { return store.FilesRemoved(tx, gone.ID) })
		if pending := pendingFiles(t, s); len(pending) != 0 {
			t.Errorf("after FilesRemoved, pending file removals %v", pending)
		}
	})
}

// inPlainAndSealed runs fn twice, as subtests: on a plain store, and on
// one sealed with the test keyring named keys.
func inPlainAndSealed(t *testing.T, h Harness, keys string, fn func(t *testing.T, s *store.Store)) {
	for _, sealed := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "sealed"}[sealed], func(t *testing.T) {
			b, _ := open(t, h)
			var opts []store.OpenOption
			if sealed {
				opts = append(opts, store.WithKeyring(testkeys.For(t, keys)))
			}
			s, err := store.Open(ctx, b, opts...)
			if err != nil {
				t.Fatal(err)
			}
			fn(t, s)
		})
	}
}

func pendingFiles(t *testing.T, s *store.Store) []string {
	t.Helper()
	var ids []string
	err := s.View(ctx, func(tx store.ReadTx) (err error) {
		ids, err = store.PendingFileRemovals(tx, 10)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// checkUnpurged checks that a case reads back whole with its letter,
// outbox entry, payload and requester index entries.
func checkUnpurged(t *testing.T, s *store.Store, want *cases.Case) {
	t.Helper()
	err := s.View(ctx, func(tx store.ReadTx) error {
		got, err := store.GetCase(tx, want.ID)
		if err != nil {
			return err
		}
		if got.Purged != nil || got.Requester != want.Requester || got.Description != want.Description || len(got.Notes) != 1 {
			t.Errorf("case %s changed: %+v", want.ID, got)
		}
		if _, err := store.GetMessageBody(tx, want.ID, "01M"+want.ID); err != nil {
			t.Errorf("case %s lost its letter: %v", want.ID, err)
		}
		if !slices.Contains(outboxCases(t, tx), want.ID) {
			t.Errorf("case %s lost its outbox entry", want.ID)
		}
		_, payloads, err := store.CaseEvents(tx, want.ID)
		if err != nil || len(payloads) != 1 || payloads[0] == nil {
			t.Errorf("case %s payloads %v (%v)", want.ID, payloads, err)
		}
		ids, _, err := store.CaseIDsByRequesterTerm(tx, cases.EmailTerm("ada@example.org"), 10)
		if err != nil || !slices.Contains(ids, want.ID) {
			t.Errorf("requester index %v (%v) lacks %s", ids, err, want.ID)
		}
		return store.CaseIndexesConsistent(tx, got)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func outboxCases(t *testing.T, tx store.ReadTx) []string {
	t.Helper()
	entries, err := store.OutboxEntries(tx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range entries {
		ids = append(ids, e.CaseID)
	}
	return ids
}

func checkTombstone(t *testing.T, s *store.Store, was, tomb *cases.Case, marker cases.Purged) {
	t.Helper()
	wantOutcome := cases.Outcome{Kind: was.Outcome.Kind, RefusalReason: was.Outcome.RefusalReason, ClosedOn: was.Outcome.ClosedOn, OnTime: true}
	err := s.View(ctx, func(tx store.ReadTx) error {
		got, err := store.GetCase(tx, was.ID)
		if err != nil {
			return err
		}
		switch {
		case got.Purged == nil || *got.Purged != marker:
			t.Errorf("tombstone marker %+v, want %+v", got.Purged, marker)
		case got.Outcome == nil || *got.Outcome != wantOutcome:
			t.Errorf("tombstone outcome %+v, want %+v (no detail)", got.Outcome, wantOutcome)
		case got.Requester != (cases.Requester{}) || got.Description != "" || len(got.Notes) != 0:
			t.Errorf("tombstone keeps personal data: %+v", got)
		case got.State != was.State || got.Reference != was.Reference || got.ReceivedOn != was.ReceivedOn || got.Clock.Due != was.Clock.Due || !slices.Equal(got.NoticeIDs(), was.NoticeIDs()):
			t.Errorf("tombstone lost its skeleton: %+v", got)
		case got.Version != tomb.Version || !got.Updated.Equal(purgeDay):
			t.Errorf("tombstone version %d updated %s, want %d at %s", got.Version, got.Updated, tomb.Version, purgeDay)
		}
		if err := store.CaseIndexesConsistent(tx, got); err != nil {
			t.Error(err)
		}
		if ids, _, err := store.CaseIDsByRequesterTerm(tx, cases.EmailTerm("ada@example.org"), 10); err != nil || slices.Contains(ids, was.ID) {
			t.Errorf("requester index still finds the purged case: %v (%v)", ids, err)
		}
		if _, err := store.GetMessageBody(tx, was.ID, "01M"+was.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the purged case's letter: %v, want ErrNotFound", err)
		}
		if slices.Contains(outboxCases(t, tx), was.ID) {
			t.Error("the purged case's letter is still queued")
		}
		if tx.Get(store.BucketCaseKeys, []byte(was.ID)) != nil {
			t.Error("the purged case's data key is still stored")
		}
		events, payloads, err := store.CaseEvents(tx, was.ID)
		if err != nil || len(events) != 1 || payloads[0] != nil {
			t.Errorf("purged case events %d payloads %v (%v): want the event, without its payload", len(events), payloads, err)
		}
		var v audit.Verifier
		if err := store.EachEvent(tx, v.Next); err != nil {
			t.Errorf("the audit chain after a purge: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pending := pendingFiles(t, s); !slices.Equal(pending, []string{was.ID}) {
		t.Errorf("pending file removals %v, want [%s]", pending, was.ID)
	}
}
