package store_test

import (
	"encoding/binary"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"go.etcd.io/bbolt"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/testkeys"
)

// A sealed store of version 7 kept every request id twice: in its
// request-id index and in the create's replay record. Opened by this
// build, the index is emptied: a request id whose create kept a replay is
// found through it with everything it kept; one from a create made before
// replays were kept (the index alone knew it) gets a record naming its
// case, so a retry is still the same case, without a token, as before.
func TestMigrationFindsRequestIDsThroughReplaysAlone(t *testing.T) {
	dir := t.TempDir()
	keys := testkeys.For(t, dir)
	st := mustOpenBolt(t, dir, store.WithKeyring(keys))
	request := func(id string) cases.NewCase {
		return cases.NewCase{
			Notices: []cases.NoticeRef{{ID: "it-service-desk", Context: "employment"}}, Rights: []notice.Right{notice.RightAccess},
			Channel: cases.ChannelWeb, Description: "Everything about me", RequestID: id,
			Requester: cases.Requester{Person: cases.Person{Name: "Ada Lovelace", Email: "ada@example.org"}, Relationship: cases.RelationshipSelf},
		}
	}
	w := sealingService(t, st)
	withReplay, err := w.Create(ctx, "token:test", request("req-kept"))
	if err != nil {
		t.Fatal(err)
	}
	beforeReplays, err := w.Create(ctx, "token:test", request("req-old"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	// Version 7's layout: both request ids in the index; req-old's create
	// predates replays, so it has no replay record.
	db, err := bbolt.Open(filepath.Join(dir, bolt.FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		index, err := tx.CreateBucketIfNotExists([]byte("idx_request_id"))
		if err != nil {
			return err
		}
		for key, id := range map[string]string{"req-kept": withReplay.Case.ID, "req-old": beforeReplays.Case.ID} {
			if err := index.Put([]byte(key), []byte(id)); err != nil {
				return err
			}
		}
		if err := tx.Bucket([]byte(store.BucketRequestReplays)).Delete([]byte("req-old")); err != nil {
			return err
		}
		return tx.Bucket([]byte(store.BucketMeta)).Put([]byte("schema_version"), binary.BigEndian.AppendUint32(nil, 7))
	})
	if err := errors.Join(err, db.Close()); err != nil {
		t.Fatal(err)
	}

	st = mustOpenBolt(t, dir, store.WithKeyring(keys))
	defer st.Close()
	err = st.View(ctx, func(tx store.ReadTx) error {
		if err := tx.Scan("idx_request_id", nil, func(k, _ []byte) (bool, error) {
			return false, errors.New("the old request-id index still holds an entry")
		}); err != nil {
			return err
		}
		for key, want := range map[string]string{"req-kept": withReplay.Case.ID, "req-old": beforeReplays.Case.ID} {
			if got, err := store.CaseIDByRequestID(tx, key); got != want || err != nil {
				t.Errorf("CaseIDByRequestID(%s) = %q, %v; want %s", key, got, err, want)
			}
		}
		if r, err := store.GetRequestReplay(tx, "req-kept"); err != nil || len(r.Fingerprint) == 0 || r.StatusToken != withReplay.StatusToken {
			t.Errorf("req-kept's replay after migrating: error %v; want its fingerprint and the token the create gave", err)
		}
		if _, err := store.GetRequestReplay(tx, "req-old"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("req-old's replay after migrating: %v, want ErrNotFound (none was kept)", err)
		}
		r, err := store.CheckConsistency(tx)
		if err == nil && !r.OK() {
			t.Errorf("after migrating: %v", r.Problems)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	w = sealingService(t, st)
	again, err := w.Create(ctx, "token:test", request("req-old"))
	if err != nil || again.Created || again.Case.ID != beforeReplays.Case.ID || again.StatusToken != "" {
		t.Errorf("a retry of the create from before replays: %v; want its case %s again, without a token", err, beforeReplays.Case.ID)
	}
	var reused *fault.RequestReused
	if _, err := w.Create(ctx, "token:test", request("req-kept")); err != nil {
		t.Errorf("a retry of the create with a replay: %v", err)
	}
	other := request("req-kept")
	other.Description = "Something else"
	if _, err := w.Create(ctx, "token:test", other); !errors.As(err, &reused) || !strings.Contains(err.Error(), "req-kept") {
		t.Errorf("another request under req-kept: %v, want RequestReused", err)
	}
}
