package keyring

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
)

// KeySize is the length of every key this package makes: AES-256.
const KeySize = 32

// envelopeVersion is the first byte of every sealed field. A new algorithm
// gets a new version; Open refuses versions it does not know rather than
// guess.
const envelopeVersion = 1

// Overhead is what Seal adds to a plaintext: the version byte, the 96-bit
// random nonce and the 128-bit GCM tag.
const Overhead = 1 + 12 + 16

var (
	// ErrMalformed means bytes given to Open, Unwrap or a decoder are not
	// in any format this package writes (too short, unknown version).
	ErrMalformed = errors.New("keyring: malformed ciphertext")
	// ErrAuthentication means a ciphertext did not open: it was altered,
	// sealed under another key, or sealed for another record or field.
	ErrAuthentication = errors.New("keyring: ciphertext does not open with this key and associated data (altered, another key, or another record or field)")
)

// DataKey is one case's key: AES-256-GCM with a random 96-bit nonce per
// Seal. A data key must seal fewer than 2^32 values (the bound for random
// nonces); a case is rewritten far fewer times than that.
//
// A DataKey is safe for concurrent use.
type DataKey struct {
	raw  []byte
	aead cipher.AEAD
}

// NewDataKey makes a fresh random data key.
func NewDataKey() *DataKey {
	raw := make([]byte, KeySize)
	rand.Read(raw) // never fails: it would crash the program first
	return mustDataKey(raw)
}

// mustDataKey is DataKeyFrom for keys of the right size, which AES and GCM
// cannot refuse.
func mustDataKey(raw []byte) *DataKey {
	k, err := DataKeyFrom(raw)
	if err != nil {
		panic("keyring: a key of the right size was refused: " + err.Error())
	}
	return k
}

// DataKeyFrom makes a data key from its raw bytes (for instance, as
// unwrapped). The bytes are copied.
func DataKeyFrom(raw []byte) (*DataKey, error) {
	if len(raw) != KeySize {
		return nil, fmt.Errorf("keyring: a data key is %d bytes, not %d", KeySize, len(raw))
	}
	raw = append([]byte(nil), raw...)
	aead, err := newRandomNonceGCM(raw)
	if err != nil {
		return nil, err
	}
	return &DataKey{raw: raw, aead: aead}, nil
}

func newRandomNonceGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	return aead, nil
}

// Seal encrypts plaintext and returns the envelope:
//
//	version (1 byte, 1) | nonce (12 bytes) | ciphertext | tag (16 bytes)
//
// ad is authenticated but not stored: Open needs the same ad. Build it with
// AssociatedData so that the ciphertext belongs to one record's one field.
// An empty plaintext still gives a full envelope (Overhead bytes), so an
// empty value cannot be told apart from a short one by its absence.
func (k *DataKey) Seal(plaintext, ad []byte) []byte {
	out := make([]byte, 1, Overhead+len(plaintext))
	out[0] = envelopeVersion
	return k.aead.Seal(out, nil, plaintext, ad)
}

// Open checks and decrypts an envelope from Seal with the same ad. A wrong
// key, ad or any changed byte is ErrAuthentication; bytes that are not an
// envelope are ErrMalformed. It never panics, whatever it is given.
func (k *DataKey) Open(envelope, ad []byte) ([]byte, error) {
	if len(envelope) < Overhead {
		return nil, fmt.Errorf("%w: %d bytes, an envelope has at least %d", ErrMalformed, len(envelope), Overhead)
	}
	if envelope[0] != envelopeVersion {
		return nil, fmt.Errorf("%w: envelope version %d (this build reads %d)", ErrMalformed, envelope[0], envelopeVersion)
	}
	plain, err := k.aead.Open(nil, nil, envelope[1:], ad)
	if err != nil {
		return nil, ErrAuthentication
	}
	return plain, nil
}

// Format and LogValue keep the key out of logs and error messages.
func (k DataKey) Format(f fmt.State, _ rune) { formatRedacted(f, "DataKey") }
func (k DataKey) LogValue() slog.Value       { return slog.StringValue("[redacted]") }

func formatRedacted(f fmt.State, what string) {
	fmt.Fprintf(f, "keyring.%s[redacted]", what)
}

// AssociatedData binds a sealed value to the record it belongs to (a case
// id, a session id) and the field within it ("requester", "note/3"): a
// ciphertext copied to another record or field then fails to open. The
// encoding is unambiguous (each part length-prefixed, after a label naming
// this use), so no two different (record, field) pairs give the same bytes.
func AssociatedData(record, field string) []byte {
	const label = "rightsdesk/field/v1"
	b := make([]byte, 0, len(label)+2*binary.MaxVarintLen64+len(record)+len(field))
	b = append(b, label...)
	b = binary.AppendUvarint(b, uint64(len(record)))
	b = append(b, record...)
	b = binary.AppendUvarint(b, uint64(len(field)))
	return append(b, field...)
}
