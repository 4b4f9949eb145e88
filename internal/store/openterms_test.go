package store_test

import (
	"encoding/binary"
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
