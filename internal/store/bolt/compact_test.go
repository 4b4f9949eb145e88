package bolt_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
)

// TestCompactDropsFreedPages writes a distinctive value, deletes it, and
// checks that the bytes, still in the file's freed pages, are gone after
// Compact, while what is live reads back and the file passes bbolt's check.
func TestCompactDropsFreedPages(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	marker := []byte("q7-freed-page-marker-9k2")
	b, err := bolt.Open(dir, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	put := func(fn func(store.WriteTx) error) {
		t.Helper()
		if err := b.Update(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	put(func(tx store.WriteTx) error {
		for i := range 200 {
			if err := tx.Put(store.BucketCases, fmt.Appendf(nil, "case-%03d", i), bytes.Repeat([]byte("x"), 500)); err != nil {
				return err
			}
		}
		return tx.Put(store.BucketCases, []byte("purged"), bytes.Repeat(marker, 1000)) // several pages, so no later write reuses them all
	})
	put(func(tx store.WriteTx) error { return tx.Delete(store.BucketCases, []byte("purged")) })
	// A later write, so the page that held the marker is freed for good
	// rather than still pending for the last reader.
	put(func(tx store.WriteTx) error { return tx.Put(store.BucketMeta, []byte("later"), []byte("1")) })

	if _, err := bolt.Compact(dir); !errors.Is(err, bolt.ErrLocked) {
		t.Errorf("Compact while the database is open: %v, want ErrLocked", err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, bolt.FileName)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, marker) {
		t.Fatal("the deleted value is not in the file before Compact: the test proves nothing")
	}

	res, err := bolt.Compact(dir)
	if err != nil {
		t.Fatal(err)
	}
	if raw, err = os.ReadFile(path); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, marker) {
		t.Error("the deleted value is still in the file after Compact")
	}
	if res.After != int64(len(raw)) || res.Before <= 0 {
		t.Errorf("sizes %+v, file now %d bytes", res, len(raw))
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".*compact")); len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
	b, err = bolt.Open(dir, bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Check(); err != nil {
		t.Errorf("bbolt check after Compact: %v", err)
	}
	err = b.View(ctx, func(tx store.ReadTx) error {
		if len(tx.Get(store.BucketCases, []byte("case-199"))) != 500 || string(tx.Get(store.BucketMeta, []byte("later"))) != "1" {
			t.Error("live data lost in Compact")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCompactRefusesAMissingDatabase(t *testing.T) {
	if _, err := bolt.Compact(t.TempDir()); !errors.Is(err, bolt.ErrNoDatabase) {
		t.Errorf("Compact of an empty directory: %v, want ErrNoDatabase", err)
	}
}

// TestPurgeThenCompactLeavesNoTraceOfTheRequester is the whole path on a
// store from before encryption, whose records are only compressed: the
// letter to the requester is in the file in clear (the case record's
// fields are not, compressed), and after PurgeCase and Compact it is not.
func TestPurgeThenCompactLeavesNoTraceOfTheRequester(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	email, letter := "q7purge.requester@example.org", "Dear q7 requester, here is everything we hold"
	backend, err := bolt.Open(dir, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, backend)
	if err != nil {
		t.Fatal(err)
	}
	c := &cases.Case{ID: "01P", Reference: "RD-PPPP-PPPP", State: cases.StateClosed, ReceivedOn: "2026-03-02",
		Requester: cases.Requester{Person: cases.Person{Name: "Q Requester", Email: email}, Relationship: cases.RelationshipSelf},
		Outcome:   &cases.Outcome{Kind: cases.OutcomeFulfilled, ClosedOn: "2026-03-20"},
	}
	write := func(fn func(store.WriteTx) error) {
		t.Helper()
		if err := st.Update(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	write(func(tx store.WriteTx) error {
		if err := store.PutCase(tx, nil, c); err != nil {
			return err
		}
		return store.PutMessageBody(tx, c.ID, "01M", cases.MessageBody{Subject: "Your request", Text: letter})
	})
	holdsLetter := func() bool {
		t.Helper()
		raw, err := os.ReadFile(filepath.Join(dir, bolt.FileName))
		if err != nil {
			t.Fatal(err)
		}
		return bytes.Contains(raw, []byte("everything we hold"))
	}
	if !holdsLetter() {
		t.Fatal("before the purge the file does not hold the letter in clear: the test proves nothing")
	}
	write(func(tx store.WriteTx) error {
		_, err := store.PurgeCase(tx, c.ID, cases.Purged{On: "2028-03-21", Reason: cases.PurgeRetention}, time.Date(2028, 3, 21, 2, 0, 0, 0, time.UTC))
		return err
	})
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := bolt.Compact(dir); err != nil {
		t.Fatal(err)
	}
	if holdsLetter() {
		t.Error("after purge and compact the file still holds the letter")
	}
}
