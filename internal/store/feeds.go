package store

import (
	"crypto/sha256"
	"fmt"
)

// Calendar feed tokens are secrets in a URL that a calendar app polls
// without signing in. Like API tokens they are random and long, so they are
// stored as their SHA-256 alone: a copy of the database does not hand out
// working feed URLs. Each owner has at most one token, so issuing a new one
// revokes the old.

// PutFeedToken makes hash the owner's only feed token.
func PutFeedToken(tx WriteTx, owner string, hash []byte) error {
	if len(hash) != sha256.Size {
		return fmt.Errorf("feed token key is %d bytes, want a %d-byte SHA-256", len(hash), sha256.Size)
	}
	if owner == "" {
		return fmt.Errorf("a feed token needs an owner")
	}
	if err := DeleteFeedTokens(tx, owner); err != nil {
		return err
	}
	return tx.Put(BucketFeedTokens, hash, []byte(owner))
}

// FeedTokenOwner returns the owner of the feed token with the given hash, or
// ErrNotFound.
func FeedTokenOwner(tx ReadTx, hash []byte) (string, error) {
	owner := tx.Get(BucketFeedTokens, hash)
	if owner == nil {
		return "", fmt.Errorf("feed token: %w", ErrNotFound)
	}
	return string(owner), nil
}

// DeleteFeedTokens revokes the owner's feed token, if any. Owners are staff
// members, few enough to scan.
func DeleteFeedTokens(tx WriteTx, owner string) error {
	var keys [][]byte
	err := tx.Scan(BucketFeedTokens, nil, func(k, v []byte) (bool, error) {
		if string(v) == owner {
			keys = append(keys, append([]byte(nil), k...))
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := tx.Delete(BucketFeedTokens, k); err != nil {
			return err
		}
	}
	return nil
}
