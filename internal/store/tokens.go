package store

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/rightsdesk/rightsdesk/internal/auth"
)

// ErrTokenIDTaken is returned by PutToken when another token already has the
// record's public id; the caller generates a new token and tries again.
var ErrTokenIDTaken = errors.New("another token already has this id")

// PutToken writes a token record under the SHA-256 of the token, replacing
// the record stored under that hash. Token ids stay unique, so that
// `tokens revoke ID` always names exactly one token.
func PutToken(tx WriteTx, hash []byte, t *auth.Token) error {
	if len(hash) != sha256.Size {
		return fmt.Errorf("token key is %d bytes, want a %d-byte SHA-256", len(hash), sha256.Size)
	}
	if t.ID == "" || t.Name == "" {
		return fmt.Errorf("token %q: an id and a name are required", t.ID)
	}
	other, err := findToken(tx, t.ID)
	if err != nil {
		return err
	}
	if other != nil && string(other) != string(hash) {
		return fmt.Errorf("token %q: %w", t.ID, ErrTokenIDTaken)
	}
	raw, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("encode token %q: %w", t.ID, err)
	}
	return tx.Put(BucketTokens, hash, raw)
}

// TokenByHash reads the token whose SHA-256 is hash; ErrNotFound if none.
func TokenByHash(tx ReadTx, hash []byte) (*auth.Token, error) {
	raw := tx.Get(BucketTokens, hash)
	if raw == nil {
		return nil, fmt.Errorf("token: %w", ErrNotFound)
	}
	return decodeToken(raw)
}

// ListTokens returns every token record, oldest first.
func ListTokens(tx ReadTx) ([]auth.Token, error) {
	var out []auth.Token
	err := tx.Scan(BucketTokens, nil, func(_, v []byte) (bool, error) {
		t, err := decodeToken(v)
		if err != nil {
			return false, err
		}
		out = append(out, *t)
		return true, nil
	})
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, err
}

// RevokeToken marks the token with the given public id revoked and returns
// it, and whether this call revoked it: revoking a revoked token writes
// nothing and is not an error. ErrNotFound if no token has the id.
func RevokeToken(tx WriteTx, id string) (t *auth.Token, changed bool, err error) {
	key, err := findToken(tx, id)
	if err != nil {
		return nil, false, err
	}
	if key == nil {
		return nil, false, fmt.Errorf("token %q: %w", id, ErrNotFound)
	}
	if t, err = decodeToken(tx.Get(BucketTokens, key)); err != nil || t.Revoked {
		return t, false, err
	}
	t.Revoked = true
	raw, err := json.Marshal(t)
	if err != nil {
		return nil, false, fmt.Errorf("encode token %q: %w", id, err)
	}
	return t, true, tx.Put(BucketTokens, key, raw)
}

// findToken returns a copy of the key of the token with the given id, or
// nil. Tokens are few (one per person or tool), so a scan is cheap, and it
// avoids a second index that could disagree with the records.
func findToken(tx ReadTx, id string) ([]byte, error) {
	var key []byte
	err := tx.Scan(BucketTokens, nil, func(k, v []byte) (bool, error) {
		var rec struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(v, &rec); err != nil {
			return false, fmt.Errorf("decode token: %w", err)
		}
		if rec.ID == id {
			key = append([]byte(nil), k...)
			return false, nil
		}
		return true, nil
	})
	return key, err
}

func decodeToken(raw []byte) (*auth.Token, error) {
	var t auth.Token
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, fmt.Errorf("decode token: %w", err)
	}
	return &t, nil
}
