package keyring

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"hash"
	"log/slog"
	"sync"
)

// Root is the installation's secret, made once and stored wrapped like a
// data key. Keyed hashes and installation-wide keys are derived from it
// with HKDF and a purpose label, so each use has its own key and none
// reveals another. Wrapping it (rather than deriving from a key-encryption
// key) lets the KEK rotate — or move to a KMS that never lets a key out —
// without changing a single hash in the indexes.
type Root struct {
	secret []byte
}

// NewRoot makes a fresh root secret and wraps it under kek: the caller
// stores the WrappedKey once, when the store is first encrypted, and
// re-wraps it on rotation like every data key.
func NewRoot(ctx context.Context, kek KeyEncryptionKey) (*Root, WrappedKey, error) {
	secret := make([]byte, KeySize)
	rand.Read(secret) // never fails: it would crash the program first
	wrapped, id, err := kek.Wrap(ctx, secret)
	if err != nil {
		return nil, WrappedKey{}, err
	}
	return &Root{secret: secret}, WrappedKey{KeyID: id, Wrapped: wrapped}, nil
}

// OpenRoot unwraps the stored root secret.
func OpenRoot(ctx context.Context, kek KeyEncryptionKey, w WrappedKey) (*Root, error) {
	secret, err := kek.Unwrap(ctx, w.Wrapped, w.KeyID)
	if err != nil {
		return nil, fmt.Errorf("keyring: unwrapping the installation's root secret: %w", err)
	}
	if len(secret) != KeySize {
		return nil, fmt.Errorf("keyring: the installation's root secret is %d bytes, not %d", len(secret), KeySize)
	}
	return &Root{secret: secret}, nil
}

// labels for what the root derives; the purpose follows, so that a hasher
// and a data key with the same purpose still have different keys.
const (
	labelHasher  = "rightsdesk/root/hash/v1/"
	labelDataKey = "rightsdesk/root/data-key/v1/"
)

// Hasher returns the keyed hash for one purpose ("requester-term",
// "status-code"): HMAC-SHA-256 under HKDF(root, label + purpose). Different
// purposes give unrelated hashes of the same input, so an index for one
// cannot be joined with another. Normalising the input (case, spaces) is
// the caller's: the hasher hashes the bytes it is given.
func (r *Root) Hasher(purpose string) *Hasher {
	if purpose == "" {
		panic("keyring: a hasher needs a purpose")
	}
	key := derive(r.secret, labelHasher+purpose, sha256.Size)
	return &Hasher{pool: sync.Pool{New: func() any { return hmac.New(sha256.New, key) }}}
}

// DataKey returns the installation-wide data key for one purpose (for
// example "web-session", to seal session answers that belong to no case
// yet). It is the same key at every start, and changes only with the root.
func (r *Root) DataKey(purpose string) *DataKey {
	if purpose == "" {
		panic("keyring: a derived data key needs a purpose")
	}
	return mustDataKey(derive(r.secret, labelDataKey+purpose, KeySize))
}

// Format and LogValue keep the secret out of logs.
func (r Root) Format(f fmt.State, _ rune) { formatRedacted(f, "Root") }
func (r Root) LogValue() slog.Value       { return slog.StringValue("[redacted]") }

// Hasher computes keyed hashes for one purpose; it is safe for concurrent
// use.
type Hasher struct {
	pool sync.Pool // of hash.Hash keyed for the purpose: HMAC set-up is half the cost of a short input
}

// SumSize is the length of a Hasher's sum.
const SumSize = sha256.Size

// Sum returns the keyed hash of normalised.
func (h *Hasher) Sum(normalised []byte) []byte {
	mac := h.pool.Get().(hash.Hash)
	defer h.pool.Put(mac)
	mac.Reset()
	mac.Write(normalised)
	return mac.Sum(make([]byte, 0, SumSize))
}

// Equal reports, in constant time, whether sum is the hash of normalised:
// how a stored status code is checked without being kept.
func (h *Hasher) Equal(sum, normalised []byte) bool {
	return hmac.Equal(sum, h.Sum(normalised))
}

// Format and LogValue keep the hashing key out of logs.
func (h *Hasher) Format(f fmt.State, _ rune) { formatRedacted(f, "Hasher") }
func (h *Hasher) LogValue() slog.Value       { return slog.StringValue("[redacted]") }
