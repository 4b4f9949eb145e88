package keyring

import (
	"context"
	"errors"
	"fmt"
)

// KeyEncryptionKey wraps and unwraps data keys. A Keyring (a file or the
// environment) is one; a cloud KMS or Vault's transit engine can be
// another, by sending the two calls to the service.
type KeyEncryptionKey interface {
	// Wrap encrypts a data key under the current key-encryption key and
	// says which key that is.
	Wrap(ctx context.Context, dataKey []byte) (wrapped []byte, keyID string, err error)
	// Unwrap decrypts what Wrap returned, given the id Wrap named. A key
	// the provider does not hold is ErrUnknownKey; one taken out of use,
	// ErrRetiredKey; wrapped bytes that do not open, ErrAuthentication.
	Unwrap(ctx context.Context, wrapped []byte, keyID string) ([]byte, error)
}

var (
	// ErrUnknownKey means a wrapped key names a key-encryption key the
	// keyring does not hold: the keyring is incomplete or not this store's.
	ErrUnknownKey = errors.New("keyring: the key-encryption key is not in the keyring")
	// ErrRetiredKey means a wrapped key names a retired key-encryption key.
	ErrRetiredKey = errors.New("keyring: the key-encryption key is retired")
)

// WrappedKey is what the caller stores in place of a data key: the key
// encrypted under a key-encryption key, and that key's id. Deleting it
// destroys the data key (see the package documentation on crypto-shredding).
type WrappedKey struct {
	KeyID   string `json:"kek"`
	Wrapped []byte `json:"wrapped"`
}

// WrapDataKey wraps k under kek's current key.
func WrapDataKey(ctx context.Context, kek KeyEncryptionKey, k *DataKey) (WrappedKey, error) {
	wrapped, id, err := kek.Wrap(ctx, k.raw)
	if err != nil {
		return WrappedKey{}, err
	}
	return WrappedKey{KeyID: id, Wrapped: wrapped}, nil
}

// UnwrapDataKey recovers the data key w wraps.
func UnwrapDataKey(ctx context.Context, kek KeyEncryptionKey, w WrappedKey) (*DataKey, error) {
	raw, err := kek.Unwrap(ctx, w.Wrapped, w.KeyID)
	if err != nil {
		return nil, err
	}
	return DataKeyFrom(raw)
}

// Rewrap moves a wrapped key to kek's current key-encryption key, leaving
// the data key — and so everything sealed under it — unchanged. Rotation
// calls it for every stored wrapped key; a key already under the current
// KEK (Keyring.Current) needs no rewrap.
func Rewrap(ctx context.Context, kek KeyEncryptionKey, w WrappedKey) (WrappedKey, error) {
	raw, err := kek.Unwrap(ctx, w.Wrapped, w.KeyID)
	if err != nil {
		return WrappedKey{}, err
	}
	wrapped, id, err := kek.Wrap(ctx, raw)
	if err != nil {
		return WrappedKey{}, err
	}
	return WrappedKey{KeyID: id, Wrapped: wrapped}, nil
}

// wrappedKeyVersion is the first byte of MarshalBinary's encoding.
const wrappedKeyVersion = 1

// maxKeyIDLength bounds a key id: long enough for a KMS key's ARN.
const maxKeyIDLength = 255

// MarshalBinary encodes w compactly, for a caller that keeps wrapped keys
// in a bucket of their own rather than inside a JSON record:
//
//	version (1 byte, 1) | id length (1 byte) | id | wrapped bytes
func (w WrappedKey) MarshalBinary() ([]byte, error) {
	if w.KeyID == "" || len(w.KeyID) > maxKeyIDLength {
		return nil, fmt.Errorf("keyring: a key id is 1 to %d bytes, not %d", maxKeyIDLength, len(w.KeyID))
	}
	if len(w.Wrapped) == 0 {
		return nil, errors.New("keyring: nothing wrapped")
	}
	b := make([]byte, 0, 2+len(w.KeyID)+len(w.Wrapped))
	b = append(b, wrappedKeyVersion, byte(len(w.KeyID)))
	b = append(b, w.KeyID...)
	return append(b, w.Wrapped...), nil
}

// UnmarshalBinary decodes what MarshalBinary wrote; anything else is
// ErrMalformed. It never panics, and copies what it keeps.
func (w *WrappedKey) UnmarshalBinary(b []byte) error {
	if len(b) < 2 || b[0] != wrappedKeyVersion {
		return fmt.Errorf("%w: not a wrapped key", ErrMalformed)
	}
	n := int(b[1])
	if n == 0 || len(b) <= 2+n {
		return fmt.Errorf("%w: wrapped key of %d bytes with a key id of %d", ErrMalformed, len(b), n)
	}
	*w = WrappedKey{KeyID: string(b[2 : 2+n]), Wrapped: append([]byte(nil), b[2+n:]...)}
	return nil
}
