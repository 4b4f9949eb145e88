package store_test

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/testkeys"
)

// A delivery code's hash is keyed (no plain hash of the eight digits),
// bound to its case, the same on every read of one store, and different
// in another store.
func TestDeliveryCodeHashIsKeyedAndBoundToItsCase(t *testing.T) {
	hashes := func(t *testing.T, st *store.Store) (mine, again, theirs []byte) {
		t.Helper()
		if err := st.View(ctx, func(tx store.ReadTx) (err error) {
			if mine, err = store.HashDeliveryCode(tx, "CASE-A", "12345678"); err != nil {
				return err
			}
			if again, err = store.HashDeliveryCode(tx, "CASE-A", "12345678"); err != nil {
				return err
			}
			theirs, err = store.HashDeliveryCode(tx, "CASE-B", "12345678")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return mine, again, theirs
	}
	plainHash := sha256.Sum256([]byte("CASE-A\x0012345678"))
	sealedDir, plainDir := t.TempDir(), t.TempDir()
	sealed := mustOpenBolt(t, sealedDir, store.WithKeyring(testkeys.For(t, sealedDir)))
	t.Cleanup(func() { _ = sealed.Close() })
	plain := mustOpenBolt(t, plainDir)
	t.Cleanup(func() { _ = plain.Close() })
	var firsts [][]byte
	for name, st := range map[string]*store.Store{"sealed": sealed, "plain": plain} {
		mine, again, theirs := hashes(t, st)
		switch {
		case len(mine) != sha256.Size || !bytes.Equal(mine, again):
			t.Errorf("%s store: hash %x then %x; want one 32-byte hash", name, mine, again)
		case bytes.Equal(mine, theirs):
			t.Errorf("%s store: the code hashes the same for two cases", name)
		case bytes.Equal(mine, plainHash[:]):
			t.Errorf("%s store: the hash is a plain SHA-256", name)
		}
		firsts = append(firsts, mine)
	}
	if bytes.Equal(firsts[0], firsts[1]) {
		t.Error("two stores hash a code with the same key")
	}
}
