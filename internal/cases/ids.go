package cases

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/oklog/ulid/v2"
)

// referenceAlphabet leaves out characters people confuse when reading a
// reference aloud or copying it from paper: 0/O, 1/I/L, U/V.
const referenceAlphabet = "23456789ABCDEFGHJKMNPQRSTWXYZ"

// NewID returns a time-ordered case id.
func NewID(now time.Time, random io.Reader) (string, error) {
	id, err := ulid.New(ulid.Timestamp(now), random)
	if err != nil {
		return "", fmt.Errorf("new case id: %w", err)
	}
	return id.String(), nil
}

// NewReference returns a public reference such as RD-7K3M-Q9XP.
func NewReference(random io.Reader) (string, error) {
	var b strings.Builder
	b.WriteString("RD-")
	buf := make([]byte, 1)
	for n := 0; n < 8; {
		if _, err := io.ReadFull(random, buf); err != nil {
			return "", fmt.Errorf("new reference: %w", err)
		}
		// Rejection sampling keeps every character equally likely.
		if int(buf[0]) >= 256-256%len(referenceAlphabet) {
			continue
		}
		if n == 4 {
			b.WriteByte('-')
		}
		b.WriteByte(referenceAlphabet[int(buf[0])%len(referenceAlphabet)])
		n++
	}
	return b.String(), nil
}

// NormaliseReference accepts what a person types — any case, spaces or
// missing dashes — and returns the canonical RD-XXXX-XXXX form, or the input
// upper-cased when it cannot be a reference.
func NormaliseReference(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	compact := b.String()
	if len(compact) != 10 || !strings.HasPrefix(compact, "RD") {
		return strings.ToUpper(strings.TrimSpace(s))
	}
	return "RD-" + compact[2:6] + "-" + compact[6:]
}

// NewStatusToken returns the secret for the public status page and the hash
// to store. The token has 160 bits of entropy, so a plain hash is enough.
func NewStatusToken(random io.Reader) (token string, hash []byte, err error) {
	raw := make([]byte, 20)
	if _, err := io.ReadFull(random, raw); err != nil {
		return "", nil, fmt.Errorf("new status token: %w", err)
	}
	token = strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw))
	return token, HashStatusToken(token), nil
}

// HashStatusToken is what is stored for a status token, and what a typed
// code is compared by once normalised.
func HashStatusToken(token string) []byte {
	sum := sha256.Sum256([]byte(NormaliseStatusCode(token)))
	return sum[:]
}

// NormaliseStatusCode accepts a status code as a person types or copies it —
// in any case, split into groups by spaces, hyphens or line breaks — and
// returns the code itself: lower case, separators gone. Nothing else is
// changed, so a mistyped character still fails to match.
func NormaliseStatusCode(code string) string {
	return strings.Map(func(r rune) rune {
		if isDash(r) || unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, code)
}

// isDash reports the hyphens and dashes people and word processors put
// between groups: hyphen-minus, hyphen, non-breaking hyphen, en dash and
// minus sign.
func isDash(r rune) bool {
	return r == '-' || r == '\u2010' || r == '\u2011' || r == '\u2013' || r == '\u2212'
}

// statusCodeGroup is how many characters GroupStatusCode puts together.
const statusCodeGroup = 4

// GroupStatusCode shows a status code for reading and copying: upper case
// in groups of four, e.g. "ABCD EFGH …". The spaces are separators
// NormaliseStatusCode drops, so the code works typed either way.
func GroupStatusCode(code string) string {
	code = strings.ToUpper(NormaliseStatusCode(code))
	var b strings.Builder
	for i, r := range []rune(code) {
		if i > 0 && i%statusCodeGroup == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// StatusTokenMatches compares in constant time.
func (c *Case) StatusTokenMatches(token string) bool {
	return subtle.ConstantTimeCompare(HashStatusToken(token), c.StatusTokenHash) == 1
}
