package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/rightsdesk/rightsdesk/internal/keyring"
)

// The keyring's life: counting what each key-encryption key wraps
// (KeyUse), re-wrapping every data key under the current one after a
// rotation (RewrapKeys), and encrypting a store written before encryption
// (MigrateToSealed). Each works in batches of transactions, so no
// transaction grows with the store, and each can be run again after an
// interruption.

// migrationBatch is how many records one transaction of RewrapKeys or
// MigrateToSealed handles.
var migrationBatch = 500

// KeyUse counts the stored wrapped keys — every case's data key and the
// root secret — by the id of the key-encryption key that wrapped them, for
// keyring.Keyring.Status.
func KeyUse(ctx context.Context, st *Store) (map[string]int, error) {
	use := map[string]int{}
	err := st.backend.View(ctx, func(tx ReadTx) error {
		if raw := tx.Get(BucketMeta, keyRootKey); raw != nil {
			var w keyring.WrappedKey
			if err := w.UnmarshalBinary(raw); err != nil {
				return fmt.Errorf("the stored root secret: %w", err)
			}
			use[w.KeyID]++
		}
		return tx.Scan(BucketCaseKeys, nil, func(k, v []byte) (bool, error) {
			var w keyring.WrappedKey
			if err := w.UnmarshalBinary(v); err != nil {
				return false, fmt.Errorf("the data key of case %s: %w", k, err)
			}
			use[w.KeyID]++
			return true, nil
		})
	})
	return use, err
}

// RewrapKeys moves every wrapped key not yet under the key-encryption key
// named current to it, leaving every sealed record as it is, and says how
// many it moved. st must be open with the keyring (WithKeyring) whose
// current key is current.
func (s *Store) RewrapKeys(ctx context.Context, current string) (int, error) {
	if !s.Sealed() {
		return 0, ErrKeyringRequired
	}
	kek := s.seal.kek
	moved := 0
	err := s.backend.Update(ctx, func(tx WriteTx) error {
		raw := tx.Get(BucketMeta, keyRootKey)
		var w keyring.WrappedKey
		if err := w.UnmarshalBinary(raw); err != nil {
			return fmt.Errorf("the stored root secret: %w", err)
		}
		if w.KeyID == current {
			return nil
		}
		moved++
		return rewrapInto(ctx, tx, kek, BucketMeta, keyRootKey, w)
	})
	if err != nil {
		return 0, err
	}
	var after []byte
	for {
		var n int
		var last []byte
		err := s.backend.Update(ctx, func(tx WriteTx) error {
			n, last = 0, nil
			type entry struct {
				key []byte
				w   keyring.WrappedKey
			}
			var todo []entry
			err := tx.Scan(BucketCaseKeys, after, func(k, v []byte) (bool, error) {
				if n == migrationBatch {
					return false, nil
				}
				n++
				last = append(bytes.Clone(k), 0)
				var w keyring.WrappedKey
				if err := w.UnmarshalBinary(v); err != nil {
					return false, fmt.Errorf("the data key of case %s: %w", k, err)
				}
				if w.KeyID != current {
					todo = append(todo, entry{bytes.Clone(k), w})
				}
				return true, nil
			})
			if err != nil {
				return err
			}
			for _, e := range todo {
				if err := rewrapInto(ctx, tx, kek, BucketCaseKeys, e.key, e.w); err != nil {
					return fmt.Errorf("the data key of case %s: %w", e.key, err)
				}
			}
			moved += len(todo)
			return nil
		})
		if err != nil {
			return moved, err
		}
		if n < migrationBatch {
			return moved, nil
		}
		after = last
	}
}

func rewrapInto(ctx context.Context, tx WriteTx, kek keyring.KeyEncryptionKey, b Bucket, key []byte, w keyring.WrappedKey) error {
	nw, err := keyring.Rewrap(ctx, kek, w)
	if err != nil {
		return err
	}
	raw, err := nw.MarshalBinary()
	if err != nil {
		return err
	}
	return tx.Put(b, key, raw)
}

// migrationCursor is where MigrateToSealed stands, kept in the meta bucket
// while it runs: the phase (a bucket) and the last key it sealed there.
type migrationCursor struct {
	Phase int    `json:"phase"`
	After []byte `json:"after,omitempty"`
}

// sealingPhases are MigrateToSealed's steps, in order: each seals every
// plain record of one bucket. Cases come first: sealing a case gives it
// the data key its bodies, payloads and outbox entries are sealed with.
var sealingPhases = []struct {
	bucket Bucket
	seal   func(tx WriteTx, s *sealer, k, v []byte) error
}{
	{BucketCases, sealCaseForMigration},
	{BucketMessageBodies, sealMessageBodyForMigration},
	{BucketAuditPayload, sealAuditPayloadForMigration},
	{BucketOutbox, sealOutboxForMigration},
	{BucketWebSessions, sealWebSessionForMigration},
}

// MigrationProgress reports MigrateToSealed's progress: the bucket it is
// sealing and how many of its records it has visited so far.
type MigrationProgress func(bucket Bucket, visited int)

// MigrateToSealed encrypts, in place, a store written before encryption at
// rest: it records the keyring's check and a new root secret, then seals
// every case record, message body, audit payload, outbox entry and web
// session, re-keys the requester index with the root's keyed hash, and
// finally drops the plain store's index key. It works in transactions of
// migrationBatch records and records where it stands after each, so an
// interrupted run resumes where it stopped when run again; a store
// already sealed is left as it is. Until it finishes, Open with a keyring
// refuses the store (ErrNotMigrated).
func MigrateToSealed(ctx context.Context, b Backend, keys Keyring, progress MigrationProgress) error {
	if _, err := Open(ctx, b); err != nil { // brings the schema up to date; never seals
		return err
	}
	var st sealingState
	if err := b.View(ctx, func(tx ReadTx) (err error) {
		st, err = readSealingState(tx)
		return err
	}); err != nil {
		return err
	}
	if st.check != nil {
		if err := keys.Verify(*st.check); err != nil {
			return err
		}
		if !st.migrating {
			return nil
		}
	}
	fresh, err := makeFreshRoot(ctx, keys)
	if err != nil {
		return err
	}
	var root *keyring.Root
	err = b.Update(ctx, func(tx WriteTx) error {
		st, err := readSealingState(tx)
		if err != nil {
			return err
		}
		if root, err = openOrMakeRoot(ctx, tx, keys, st.root, fresh); err != nil {
			return err
		}
		if err := storeCheck(tx, keys, st.check); err != nil {
			return err
		}
		if st.migrating {
			return nil
		}
		raw, _ := json.Marshal(migrationCursor{})
		return tx.Put(BucketMeta, keySealingMigration, raw)
	})
	if err != nil {
		return err
	}
	s := newSealer(keys, root)
	for {
		done, err := migrateBatch(ctx, b, s, progress)
		if err != nil || done {
			return err
		}
	}
}

// migrateBatch seals up to migrationBatch records where the cursor
// stands, in one transaction, and says whether the migration is done.
func migrateBatch(ctx context.Context, b Backend, s *sealer, progress MigrationProgress) (done bool, err error) {
	var (
		phase   Bucket
		visited int
	)
	err = b.Update(ctx, func(plainTx WriteTx) error {
		tx := sealingWriteTx{plainTx, ctx, s}
		var cur migrationCursor
		if err := json.Unmarshal(tx.Get(BucketMeta, keySealingMigration), &cur); err != nil {
			return fmt.Errorf("the migration's progress record is corrupt: %w", err)
		}
		if cur.Phase >= len(sealingPhases) {
			done = true
			if err := tx.Delete(BucketMeta, keyRequesterKey); err != nil {
				return err
			}
			return tx.Delete(BucketMeta, keySealingMigration)
		}
		p := sealingPhases[cur.Phase]
		phase = p.bucket
		type record struct{ k, v []byte }
		var batch []record
		start := cur.After
		if start != nil {
			start = append(bytes.Clone(start), 0)
		}
		err := tx.Scan(p.bucket, start, func(k, v []byte) (bool, error) {
			if len(batch) == migrationBatch {
				return false, nil
			}
			batch = append(batch, record{bytes.Clone(k), bytes.Clone(v)})
			return true, nil
		})
		if err != nil {
			return err
		}
		for _, r := range batch {
			if bytes.HasPrefix(r.v, sealedMagic) {
				continue // sealed by an earlier run, or written sealed since
			}
			if err := p.seal(tx, s, r.k, r.v); err != nil {
				return err
			}
		}
		visited = len(batch)
		next := migrationCursor{Phase: cur.Phase}
		if len(batch) < migrationBatch {
			next.Phase++
		} else {
			next.After = batch[len(batch)-1].k
		}
		raw, err := json.Marshal(next)
		if err != nil {
			return err
		}
		return tx.Put(BucketMeta, keySealingMigration, raw)
	})
	if err == nil && progress != nil && phase != "" {
		progress(phase, visited)
	}
	return done, err
}

func sealCaseForMigration(tx WriteTx, s *sealer, k, v []byte) error {
	id := string(k)
	c, err := decodePlainCase(id, v)
	if err != nil {
		return err
	}
	legacy, err := legacyRequesterHasher(tx)
	if err != nil {
		return err
	}
	raw, err := encodeCase(tx, c)
	if err != nil {
		return err
	}
	if err := tx.Put(BucketCases, k, raw); err != nil {
		return err
	}
	return syncIndexes(tx, requesterEntries(c, legacy), requesterEntries(c, s.requesterTerms))
}

func sealMessageBodyForMigration(tx WriteTx, _ *sealer, k, v []byte) error {
	i := bytes.IndexByte(k, '/')
	if i < 0 {
		return fmt.Errorf("message body key of %d bytes is corrupt", len(k))
	}
	sealed, err := sealForCase(tx, string(k[:i]), messageBodyField(string(k[i+1:])), v)
	if err != nil {
		return err
	}
	return tx.Put(BucketMessageBodies, k, sealed)
}

func sealAuditPayloadForMigration(tx WriteTx, _ *sealer, k, v []byte) error {
	raw := tx.Get(BucketAudit, k)
	e, err := decodeEvent(raw)
	if err != nil {
		return fmt.Errorf("decode audit event for payload: %w", err)
	}
	sealed, err := sealAuditPayload(tx, e, v)
	if err != nil {
		return err
	}
	return tx.Put(BucketAuditPayload, k, sealed)
}

func sealOutboxForMigration(tx WriteTx, _ *sealer, k, v []byte) error {
	e, err := decodeOutbox(tx, k, v)
	if err != nil {
		return err
	}
	return PutOutbox(tx, e) // under the same key: e.Due came from it
}

func sealWebSessionForMigration(tx WriteTx, _ *sealer, k, v []byte) error {
	sealed, err := sealWithRoot(tx, webSessionKeyOf, string(k), webSessionField, v)
	if err != nil {
		return err
	}
	return tx.Put(BucketWebSessions, k, sealed)
}
