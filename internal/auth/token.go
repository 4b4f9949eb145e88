package auth

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
)

// TokenPrefix starts every token, so a leaked one is easy to recognise (and
// for secret scanners to find).
const TokenPrefix = "rd_"

// tokenBytes is the entropy of a token: 256 bits.
const tokenBytes = 32

// tokenEncoding is RFC 4648 base32 in lower case without padding: letters
// a–z and digits 2–7, so no 0/O or 1/l/I confusion, and nothing that needs
// escaping in a header, a URL or a shell.
var tokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// tokenLen is the length of a well-formed token.
var tokenLen = len(TokenPrefix) + tokenEncoding.EncodedLen(tokenBytes)

// NewToken reads 32 bytes from random (crypto/rand.Reader outside tests) and
// returns the token to hand to its holder, once, and the hash to store.
//
// The token is stored only as its SHA-256. A slow password hash (bcrypt,
// argon2) exists to make guessing low-entropy passwords expensive; a token of
// 256 random bits cannot be guessed however fast the hash is, so a plain
// SHA-256 is as safe, and it lets the server find a token by its hash in one
// indexed read on every request.
func NewToken(random io.Reader) (plaintext string, hash []byte, err error) {
	raw := make([]byte, tokenBytes)
	if _, err := io.ReadFull(random, raw); err != nil {
		return "", nil, fmt.Errorf("generate token: %w", err)
	}
	plaintext = TokenPrefix + tokenEncoding.EncodeToString(raw)
	return plaintext, HashToken(plaintext), nil
}

// HashToken returns the form a token is stored and looked up in.
func HashToken(plaintext string) []byte {
	sum := sha256.Sum256([]byte(plaintext))
	return sum[:]
}

// WellFormed reports whether s has the shape of a token NewToken makes, so
// garbage is turned away without a store lookup.
func WellFormed(s string) bool {
	// The base32 decoder skips line breaks, so it alone would pass a token
	// with one in place of a letter.
	if len(s) != tokenLen || !strings.HasPrefix(s, TokenPrefix) || strings.ContainsAny(s, "\r\n") {
		return false
	}
	_, err := tokenEncoding.DecodeString(s[len(TokenPrefix):])
	return err == nil
}

// TokenID is the short public id of the token with the given hash: the first
// 12 hex digits (48 bits) of its hash. It names the token in listings, logs
// and revocations, and reveals nothing usable about the token itself.
func TokenID(hash []byte) string {
	h := hex.EncodeToString(hash)
	if len(h) > 12 {
		h = h[:12]
	}
	return h
}

// Token is the stored record of an API token. It never holds the token
// itself: the store keys it by the token's hash.
type Token struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Role      Role       `json:"role"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	Revoked   bool       `json:"revoked,omitempty"`
	// CreatedBy is the audit actor who created the token ("user:…",
	// "cli:…"); empty for tokens made before it was kept.
	CreatedBy string `json:"created_by,omitempty"`
	// LastUsed is when the token last authenticated a call, to the
	// resolution the tokens use case keeps; nil if never, or not since it
	// was kept.
	LastUsed *time.Time `json:"last_used,omitempty"`
	// RequestID is the client's request id of the call that created the
	// token, if it sent one, and RequestDigest a hash of that call's
	// name, role and lifetime: a second create with the same id is then
	// told apart as a retry or a reuse with another body (tokens.Create).
	RequestID     string `json:"request_id,omitempty"`
	RequestDigest string `json:"request_digest,omitempty"`
}

// Usable returns nil if the token may be used at now, or ErrTokenRevoked or
// ErrTokenExpired.
func (t Token) Usable(now time.Time) error {
	switch {
	case t.Revoked:
		return ErrTokenRevoked
	case t.ExpiresAt != nil && !now.Before(*t.ExpiresAt):
		return ErrTokenExpired
	case !t.Role.IsStaff():
		return fmt.Errorf("%w: it carries no staff role", ErrUnknownToken)
	}
	return nil
}

// maxNameLen bounds a token's name, which is recorded as the audit actor.
const maxNameLen = 64

// ValidateTokenName checks a token's name: 1 to 64 letters, digits and
// . _ - @, so the audit actor "token:NAME" is unambiguous and printable.
func ValidateTokenName(name string) error {
	if name == "" {
		return fmt.Errorf("a token needs a name (who or what holds it, e.g. alice or case-importer)")
	}
	if len(name) > maxNameLen {
		return fmt.Errorf("token name is %d bytes; the limit is %d", len(name), maxNameLen)
	}
	for _, c := range name {
		if !unicode.IsLetter(c) && !unicode.IsDigit(c) && !strings.ContainsRune("._-@", c) {
			return fmt.Errorf("token name %q: use only letters, digits and . _ - @", name)
		}
	}
	return nil
}
