package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"time"
)

// Web sessions are keyed by their creation time first, so the expired ones
// are always the oldest keys and pruning never scans a live session. The
// rest of the key is the SHA-256 of the session's secret id: a copy of the
// database (a backup, say) does not hand out cookies that would still work.
func webSessionKey(created time.Time, id []byte) []byte {
	sum := sha256.Sum256(id)
	return append(binary.BigEndian.AppendUint64(nil, uint64(created.Unix())), sum[:]...)
}

// GetWebSession returns a copy of the record stored for the session, or
// ErrNotFound.
func GetWebSession(tx ReadTx, created time.Time, id []byte) ([]byte, error) {
	key := webSessionKey(created, id)
	raw := tx.Get(BucketWebSessions, key)
	if raw == nil {
		return nil, fmt.Errorf("web session: %w", ErrNotFound)
	}
	record, err := openWithRoot(tx, webSessionKeyOf, string(key), webSessionField, raw)
	if err != nil {
		return nil, fmt.Errorf("open web session: %w", err)
	}
	return bytes.Clone(record), nil
}

// webSessionField binds a sealed session record to its key: the answers a
// person gave (and a status code just issued) are sealed under a key
// derived from the root secret, since they belong to no case yet.
const webSessionField = "web-session"

// PutWebSession stores the record of a session, replacing any earlier one.
func PutWebSession(tx WriteTx, created time.Time, id, record []byte) error {
	key := webSessionKey(created, id)
	sealed, err := sealWithRoot(tx, webSessionKeyOf, string(key), webSessionField, record)
	if err != nil {
		return fmt.Errorf("seal web session: %w", err)
	}
	return tx.Put(BucketWebSessions, key, sealed)
}

// DeleteWebSession removes a session's record; removing a missing one is
// not an error.
func DeleteWebSession(tx WriteTx, created time.Time, id []byte) error {
	return tx.Delete(BucketWebSessions, webSessionKey(created, id))
}

// DeleteWebSessionsCreatedBefore removes every session created before the
// cut-off and says how many it removed.
func DeleteWebSessionsCreatedBefore(tx WriteTx, cutoff time.Time) (int, error) {
	end := binary.BigEndian.AppendUint64(nil, uint64(cutoff.Unix()))
	var old [][]byte
	err := tx.Scan(BucketWebSessions, nil, func(k, _ []byte) (bool, error) {
		if bytes.Compare(k[:8], end) >= 0 {
			return false, nil
		}
		old = append(old, append([]byte(nil), k...))
		return true, nil
	})
	if err != nil {
		return 0, err
	}
	for _, k := range old {
		if err := tx.Delete(BucketWebSessions, k); err != nil {
			return 0, err
		}
	}
	return len(old), nil
}

var keyWebSecret = []byte("web_secret")

// WebSecret returns the key the web pages sign their anti-forgery tokens
// with, creating it from random on first use. Keeping it in the database
// means a restart does not invalidate the forms people have open.
func WebSecret(tx WriteTx, random io.Reader) ([]byte, error) {
	if raw := tx.Get(BucketMeta, keyWebSecret); raw != nil {
		if len(raw) != 32 {
			return nil, fmt.Errorf("web secret record is corrupt (%d bytes)", len(raw))
		}
		return append([]byte(nil), raw...), nil
	}
	secret := make([]byte, 32)
	if _, err := io.ReadFull(random, secret); err != nil {
		return nil, fmt.Errorf("new web secret: %w", err)
	}
	return secret, tx.Put(BucketMeta, keyWebSecret, secret)
}
