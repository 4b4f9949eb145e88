package store_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"slices"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/testkeys"
)

// A sealed store of version 3 gets its open cases indexed by right and
// notice when it is opened, from the clear part of its sealed records,
// before the keyring is at hand; the result is what PutCase writes.
func TestMigrationIndexesOpenTermsOfASealedStore(t *testing.T) {
	dir := t.TempDir()
	keys := testkeys.For(t, dir)
	st := mustOpenBolt(t, dir, store.WithKeyring(keys))
	fill(t, st, newSecrets(t), 3)
	var before [][]byte
	err := st.Update(ctx, func(tx store.WriteTx) error {
		if err := tx.Scan(store.BucketOpenByTerm, nil, func(k, _ []byte) (bool, error) {
			before = append(before, append([]byte(nil), k...))
			return true, nil
		}); err != nil {
			return err
		}
		for _, k := range before {
			if err := tx.Delete(store.BucketOpenByTerm, k); err != nil {
				return err
			}
		}
		return tx.Put(store.BucketMeta, []byte("schema_version"), binary.BigEndian.AppendUint32(nil, 3))
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(before) < 3 {
		t.Fatalf("%d open-term entries for 3 open cases, want one per right and notice of each", len(before))
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st = mustOpenBolt(t, dir, store.WithKeyring(keys))
	defer st.Close()
	var after [][]byte
	err = st.View(ctx, func(tx store.ReadTx) error {
		return tx.Scan(store.BucketOpenByTerm, nil, func(k, _ []byte) (bool, error) {
			after = append(after, append([]byte(nil), k...))
			return true, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Fatalf("after migrating: %d entries, want the %d PutCase wrote", len(after), len(before))
	}
	for i := range after {
		if string(after[i]) != string(before[i]) {
			t.Errorf("entry %d after migrating differs from the one PutCase wrote", i)
		}
	}
}

// A sealed store of version 4 gets its open cases with a new reply indexed
// when it is opened with its keyring, reading the sealed part of each open
// record; without the keyring it is refused, and stays as it was.
func TestMigrationIndexesNewRepliesOfASealedStore(t *testing.T) {
	dir := t.TempDir()
	keys := testkeys.For(t, dir)
	st := mustOpenBolt(t, dir, store.WithKeyring(keys))
	fill(t, st, newSecrets(t), 3)
	newReplies := func(tx store.ReadTx) (keys [][]byte, err error) {
		err = tx.Scan(store.BucketOpenByTerm, []byte(store.OpenNewReplyPrefix), func(k, _ []byte) (bool, error) {
			if !bytes.HasPrefix(k, []byte(store.OpenNewReplyPrefix)) {
				return false, nil
			}
			keys = append(keys, append([]byte(nil), k...))
			return true, nil
		})
		return keys, err
	}
	var before [][]byte
	err := st.Update(ctx, func(tx store.WriteTx) error {
		var ids []string
		if err := tx.Scan(store.BucketCases, nil, func(k, _ []byte) (bool, error) {
			ids = append(ids, string(k))
			return true, nil
		}); err != nil {
			return err
		}
		for _, id := range ids[:2] { // the third has no new reply
			c, err := store.GetCase(tx, id)
			if err != nil {
				return err
			}
			was, err := store.IndexOf(tx, c)
			if err != nil {
				return err
			}
			c.NewReply = true
			if err := store.PutCase(tx, was, c); err != nil {
				return err
			}
		}
		var err error
		if before, err = newReplies(tx); err != nil {
			return err
		}
		for _, k := range before {
			if err := tx.Delete(store.BucketOpenByTerm, k); err != nil {
				return err
			}
		}
		return tx.Put(store.BucketMeta, []byte("schema_version"), binary.BigEndian.AppendUint32(nil, 4))
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != 2 {
		t.Fatalf("%d new-reply entries for 2 open cases with a new reply", len(before))
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	if _, err := openBolt(t, dir); !errors.Is(err, store.ErrKeyringRequired) {
		t.Fatalf("migrating without the keyring: %v, want ErrKeyringRequired", err)
	}
	st = mustOpenBolt(t, dir, store.WithKeyring(keys))
	defer st.Close()
	var after [][]byte
	if err := st.View(ctx, func(tx store.ReadTx) (err error) {
		after, err = newReplies(tx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(after, before, bytes.Equal) {
		t.Errorf("after migrating: %d entries, want the %d PutCase wrote", len(after), len(before))
	}
}
