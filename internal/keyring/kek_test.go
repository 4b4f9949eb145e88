package keyring_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"fmt"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/keyring"
)

// remoteKEK stands for a cloud KMS or Vault transit: the key never leaves
// it, its ids look nothing like the keyring's, and it can fail.
type remoteKEK struct {
	id   string
	aead cipher.AEAD
	down error
}

func newRemoteKEK(t testing.TB, id string) *remoteKEK {
	block, err := aes.NewCipher(material(20))
	if err != nil {
		t.Fatal(err)
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		t.Fatal(err)
	}
	return &remoteKEK{id: id, aead: aead}
}

func (k *remoteKEK) Wrap(_ context.Context, dataKey []byte) ([]byte, string, error) {
	if k.down != nil {
		return nil, "", k.down
	}
	return k.aead.Seal(nil, nil, dataKey, []byte(k.id)), k.id, nil
}

func (k *remoteKEK) Unwrap(_ context.Context, wrapped []byte, keyID string) ([]byte, error) {
	if k.down != nil {
		return nil, k.down
	}
	if keyID != k.id {
		return nil, fmt.Errorf("%w: %s", keyring.ErrUnknownKey, keyID)
	}
	return k.aead.Open(nil, nil, wrapped, []byte(keyID))
}

// Everything above the KeyEncryptionKey interface works with a provider
// other than the keyring, and passes its failures on.
func TestAnotherProviderWorksWithEveryHelper(t *testing.T) {
	kms := newRemoteKEK(t, "arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
	k := keyring.NewDataKey()
	w, err := keyring.WrapDataKey(ctx, kms, k)
	if err != nil {
		t.Fatal(err)
	}
	b, err := w.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var stored keyring.WrappedKey
	if err := stored.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	back, err := keyring.UnwrapDataKey(ctx, kms, stored)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := back.Open(k.Seal([]byte("x"), nil), nil); err != nil {
		t.Fatalf("the key unwrapped by the provider is not the key: %v", err)
	}
	root, wrappedRoot, err := keyring.NewRoot(ctx, kms)
	if err != nil {
		t.Fatal(err)
	}
	again, err := keyring.OpenRoot(ctx, kms, wrappedRoot)
	if err != nil || !bytes.Equal(again.Hasher("p").Sum(nil), root.Hasher("p").Sum(nil)) {
		t.Fatalf("OpenRoot through the provider: %v", err)
	}

	// Moving from the local keyring to the provider is a rewrap through a
	// provider that unwraps with one and wraps with the other.
	local := newKeyring(t)
	wl, err := keyring.WrapDataKey(ctx, local, k)
	if err != nil {
		t.Fatal(err)
	}
	moved, err := keyring.Rewrap(ctx, migration{from: local, to: kms}, wl)
	if err != nil || moved.KeyID != kms.id {
		t.Fatalf("Rewrap from the keyring to the provider = %+v, %v", moved, err)
	}
	if _, err := keyring.UnwrapDataKey(ctx, kms, moved); err != nil {
		t.Fatal(err)
	}

	kms.down = errors.New("kms: service unavailable")
	for name, f := range map[string]func() error{
		"WrapDataKey":   func() error { _, err := keyring.WrapDataKey(ctx, kms, k); return err },
		"UnwrapDataKey": func() error { _, err := keyring.UnwrapDataKey(ctx, kms, w); return err },
		"Rewrap":        func() error { _, err := keyring.Rewrap(ctx, kms, w); return err },
		"Rewrap's wrap": func() error { _, err := keyring.Rewrap(ctx, migration{from: local, to: kms}, wl); return err },
		"NewRoot":       func() error { _, _, err := keyring.NewRoot(ctx, kms); return err },
		"OpenRoot":      func() error { _, err := keyring.OpenRoot(ctx, kms, wrappedRoot); return err },
	} {
		if err := f(); !errors.Is(err, kms.down) {
			t.Errorf("%s with the provider down = %v", name, err)
		}
	}
}

// migration unwraps with one provider and wraps with another.
type migration struct{ from, to keyring.KeyEncryptionKey }

func (m migration) Wrap(ctx context.Context, dataKey []byte) ([]byte, string, error) {
	return m.to.Wrap(ctx, dataKey)
}

func (m migration) Unwrap(ctx context.Context, wrapped []byte, keyID string) ([]byte, error) {
	return m.from.Unwrap(ctx, wrapped, keyID)
}
