package keyring

import (
	"bytes"
	"context"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// Keyring is the local KeyEncryptionKey: key-encryption keys held in
// memory, read from a file (LoadFile) or the environment (FromEnv). One is
// current and wraps every new data key; the others only unwrap, so that
// what they wrapped can be read and re-wrapped; a retired one does neither
// until it is removed (or un-retired by editing the file).
//
// A Keyring never changes: Rotate, Retire and Remove return a new one, so
// a server can swap keyrings while others use the old one.
type Keyring struct {
	current string
	keys    []*kek // in the order of the file, oldest first
}

// kek is one key-encryption key. The material itself never touches data:
// HKDF derives a wrapping key and a check value from it, so that neither
// use says anything about the other.
type kek struct {
	id        string
	created   time.Time // zero when the source does not say (a bare key)
	retired   bool
	retiredAt time.Time
	material  []byte
	wrap      cipher.AEAD
	check     []byte
}

const (
	labelWrapKey    = "rightsdesk/kek/wrap/v1"
	labelCheckValue = "rightsdesk/kek/check/v1"
	labelKeyID      = "rightsdesk/kek/id/v1"
	labelWrapAD     = "rightsdesk/wrap/v1"
)

// checkValueSize is long enough that two different keys never share a
// check value by chance, and short because it is all a Check stores.
const checkValueSize = 16

// wrapVersion is the first byte of a wrapped key.
const wrapVersion = 1

func newKEK(id string, material []byte, created time.Time) (*kek, error) {
	if len(material) != KeySize {
		return nil, fmt.Errorf("keyring: key %q is %d bytes; a key-encryption key is %d random bytes", id, len(material), KeySize)
	}
	material = bytes.Clone(material)
	wrapKey := derive(material, labelWrapKey, KeySize)
	aead, err := newRandomNonceGCM(wrapKey)
	if err != nil {
		return nil, err
	}
	return &kek{id: id, created: created, material: material, wrap: aead, check: derive(material, labelCheckValue, checkValueSize)}, nil
}

// derive is HKDF-SHA-256 with no salt: the secrets it derives from are
// uniformly random keys already.
func derive(secret []byte, label string, n int) []byte {
	k, err := hkdf.Key(sha256.New, secret, nil, label, n)
	if err != nil {
		panic("keyring: HKDF refused a fixed, valid length: " + err.Error())
	}
	return k
}

// bareKeyID names a key that came without an id (a bare key in a file or
// the environment) after the key itself, so the same key always has the
// same id and another key a different one.
func bareKeyID(material []byte) string {
	return "kek-" + hex.EncodeToString(derive(material, labelKeyID, 6))
}

// NewKeyring makes a keyring with one fresh key, created at now: what
// `keys init` writes.
func NewKeyring(now time.Time) (*Keyring, error) {
	r, _, err := (&Keyring{}).Rotate(now)
	return r, err
}

// Current is the id of the key that wraps new data keys.
func (r *Keyring) Current() string { return r.current }

// KeyInfo describes one key-encryption key, without its material.
type KeyInfo struct {
	ID        string
	Created   time.Time // zero if the source did not say
	Current   bool
	Retired   bool
	RetiredAt time.Time
}

// Keys describes the keyring's keys, oldest first.
func (r *Keyring) Keys() []KeyInfo {
	out := make([]KeyInfo, len(r.keys))
	for i, k := range r.keys {
		out[i] = KeyInfo{ID: k.id, Created: k.created, Current: k.id == r.current, Retired: k.retired, RetiredAt: k.retiredAt}
	}
	return out
}

func (r *Keyring) key(id string) *kek {
	i := slices.IndexFunc(r.keys, func(k *kek) bool { return k.id == id })
	if i < 0 {
		return nil
	}
	return r.keys[i]
}

func (r *Keyring) ids() string {
	ids := make([]string, len(r.keys))
	for i, k := range r.keys {
		ids[i] = k.id
	}
	return strings.Join(ids, ", ")
}

// Wrap encrypts dataKey under the current key:
//
//	version (1 byte, 1) | nonce (12 bytes) | encrypted key | tag (16 bytes)
//
// with the key's id as associated data.
func (r *Keyring) Wrap(_ context.Context, dataKey []byte) ([]byte, string, error) {
	k := r.key(r.current)
	if k == nil {
		return nil, "", errors.New("keyring: the keyring has no current key")
	}
	out := make([]byte, 1, 1+k.wrap.Overhead()+len(dataKey))
	out[0] = wrapVersion
	return k.wrap.Seal(out, nil, dataKey, wrapAD(k.id)), k.id, nil
}

// Unwrap decrypts what Wrap returned with the key named keyID, current or
// not, unless that key is retired.
func (r *Keyring) Unwrap(_ context.Context, wrapped []byte, keyID string) ([]byte, error) {
	k := r.key(keyID)
	switch {
	case k == nil:
		return nil, fmt.Errorf("%w: %q (it holds %s)", ErrUnknownKey, keyID, r.ids())
	case k.retired:
		return nil, fmt.Errorf("%w: %q wrapped this key but was retired; un-retire it in the keyring file and rotate again to move what it wrapped", ErrRetiredKey, keyID)
	case len(wrapped) < 1+k.wrap.Overhead() || wrapped[0] != wrapVersion:
		return nil, fmt.Errorf("%w: not a wrapped key", ErrMalformed)
	}
	raw, err := k.wrap.Open(nil, nil, wrapped[1:], wrapAD(k.id))
	if err != nil {
		return nil, ErrAuthentication
	}
	return raw, nil
}

func wrapAD(keyID string) []byte { return append([]byte(labelWrapAD+"\x00"), keyID...) }

// Rotate returns a keyring with a fresh key, created at now, as its current
// key; the previous current key stays, to unwrap until everything it
// wrapped has been re-wrapped (Rewrap), and is then retired. It returns the
// new key's id.
func (r *Keyring) Rotate(now time.Time) (*Keyring, string, error) {
	material := make([]byte, KeySize)
	rand.Read(material) // never fails: it would crash the program first
	suffix := make([]byte, 4)
	var id string
	for id == "" || r.key(id) != nil {
		rand.Read(suffix)
		id = "kek-" + now.UTC().Format("20060102") + "-" + hex.EncodeToString(suffix)
	}
	k, err := newKEK(id, material, now.UTC())
	if err != nil {
		return nil, "", err
	}
	return &Keyring{current: id, keys: append(slices.Clone(r.keys), k)}, id, nil
}

// Retire returns a keyring in which key id no longer unwraps. wraps is the
// caller's count of stored keys still wrapped with it: only a key that
// wraps nothing, and is not current, can be retired.
func (r *Keyring) Retire(id string, now time.Time, wraps int) (*Keyring, error) {
	k := r.key(id)
	switch {
	case k == nil:
		return nil, fmt.Errorf("%w: %q (it holds %s)", ErrUnknownKey, id, r.ids())
	case id == r.current:
		return nil, fmt.Errorf("keyring: %q is the current key; rotate to a new key before retiring it", id)
	case wraps > 0:
		return nil, fmt.Errorf("keyring: %d stored keys are still wrapped with %q; re-wrap them under the current key before retiring it", wraps, id)
	case k.retired:
		return r, nil
	}
	retired := *k
	retired.retired, retired.retiredAt = true, now.UTC()
	return r.replace(k, &retired), nil
}

// Remove returns a keyring without key id, which must be retired and wrap
// nothing. Its material is then gone from the keyring: a backup made while
// it still wrapped keys cannot be restored without an older copy of the
// keyring. Remove it once no backup that needs it is kept.
func (r *Keyring) Remove(id string, wraps int) (*Keyring, error) {
	k := r.key(id)
	switch {
	case k == nil:
		return nil, fmt.Errorf("%w: %q (it holds %s)", ErrUnknownKey, id, r.ids())
	case !k.retired:
		return nil, fmt.Errorf("keyring: retire %q before removing it", id)
	case wraps > 0:
		return nil, fmt.Errorf("keyring: %d stored keys are still wrapped with %q, which cannot be removed", wraps, id)
	}
	return &Keyring{current: r.current, keys: slices.DeleteFunc(slices.Clone(r.keys), func(x *kek) bool { return x == k })}, nil
}

func (r *Keyring) replace(old, new *kek) *Keyring {
	keys := slices.Clone(r.keys)
	keys[slices.Index(keys, old)] = new
	return &Keyring{current: r.current, keys: keys}
}

// Format and LogValue keep key material out of logs: a keyring shows its
// key ids only.
func (r Keyring) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "keyring.Keyring{current: %s, keys: %s}", r.current, r.ids())
}

func (r Keyring) LogValue() slog.Value {
	return slog.GroupValue(slog.String("current", r.current), slog.String("keys", r.ids()))
}

// Check records which key-encryption keys a store was used with, as a key
// check value for each: a keyed hash of a fixed label, which shows whether
// a key is the same key without revealing anything of it. The caller
// stores it (Keyring.Check) and calls Keyring.Verify at start, before
// anything is read or written.
type Check struct {
	Version int        `json:"version"`
	Keys    []KeyCheck `json:"keys"`
}

// KeyCheck is one key's id and check value.
type KeyCheck struct {
	ID    string `json:"id"`
	Value []byte `json:"value"`
}

const checkVersion = 1

// ErrWrongKeyring means the keyring is not the one the store was used with.
var ErrWrongKeyring = errors.New("keyring: this is not the keyring this store was used with")

// Check returns the check values of every key in the keyring, by id.
func (r *Keyring) Check() Check {
	c := Check{Version: checkVersion, Keys: make([]KeyCheck, len(r.keys))}
	for i, k := range r.keys {
		c.Keys[i] = KeyCheck{ID: k.id, Value: bytes.Clone(k.check)}
	}
	slices.SortFunc(c.Keys, func(a, b KeyCheck) int { return strings.Compare(a.ID, b.ID) })
	return c
}

// Equal reports whether two checks record the same keys: the caller stores
// Keyring.Check again when it differs from the stored one (after a
// rotation, a retirement or a removal).
func (c Check) Equal(o Check) bool {
	return c.Version == o.Version && slices.EqualFunc(c.Keys, o.Keys, func(a, b KeyCheck) bool {
		return a.ID == b.ID && bytes.Equal(a.Value, b.Value)
	})
}

// Verify compares the keyring with the check a store keeps. It is the same
// keyring, or a later one of the same line (rotated, with retired keys
// removed), when at least one key is in both and every key in both has the
// same check value; anything else is ErrWrongKeyring, naming the keys.
// Verify says nothing of whether every wrapped key can be unwrapped: that is
// Status, from the caller's counts.
func (r *Keyring) Verify(stored Check) error {
	if stored.Version != checkVersion {
		return fmt.Errorf("keyring: the store's key check is version %d; this build reads version %d", stored.Version, checkVersion)
	}
	if len(stored.Keys) == 0 {
		return errors.New("keyring: the store's key check names no key")
	}
	var same, differ, storedIDs []string
	for _, sc := range stored.Keys {
		storedIDs = append(storedIDs, sc.ID)
		k := r.key(sc.ID)
		switch {
		case k == nil:
		case hmac.Equal(k.check, sc.Value):
			same = append(same, sc.ID)
		default:
			differ = append(differ, sc.ID)
		}
	}
	switch {
	case len(differ) > 0:
		return fmt.Errorf("%w: its key %s has the same id as the store's but is a different key", ErrWrongKeyring, strings.Join(differ, ", "))
	case len(same) == 0:
		return fmt.Errorf("%w: the store was used with %s; the keyring holds %s", ErrWrongKeyring, strings.Join(storedIDs, ", "), r.ids())
	}
	return nil
}
