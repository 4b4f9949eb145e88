package users

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// Params are argon2id's cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over the memory
	Threads uint8
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams is the first argon2id configuration the OWASP Password
// Storage Cheat Sheet recommends (19 MiB, 2 passes, 1 lane), with a 128-bit
// salt and a 256-bit hash. One sign-in costs tens of milliseconds and 19 MiB
// here, which a privacy team's handful of sign-ins a day can afford and a
// guesser with a stolen database cannot.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Bounds on parameters read back from a stored hash, so a corrupted or
// planted record cannot make one sign-in allocate gigabytes or spin for
// minutes.
const (
	maxMemory  = 1 << 20 // 1 GiB in KiB
	maxTime    = 16
	maxThreads = 16
	minSalt    = 8
	maxSalt    = 64
	minKey     = 16
	maxKey     = 64
)

// ErrMalformedHash is a stored password hash that is not an argon2id PHC
// string this package can check.
var ErrMalformedHash = errors.New("malformed argon2id password hash")

// b64 is the PHC string format's base64: standard alphabet, no padding.
var b64 = base64.RawStdEncoding

// HashPassword returns the password's argon2id hash as a PHC string,
// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>", with a fresh salt read
// from random.
func HashPassword(password string, p Params, random io.Reader) (string, error) {
	if p.Time < 1 || p.Threads < 1 || p.SaltLen < minSalt || p.KeyLen < minKey {
		return "", fmt.Errorf("argon2id parameters %+v are below the minimum", p)
	}
	salt := make([]byte, p.SaltLen)
	if _, err := io.ReadFull(random, salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey(normalisePassword(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return encode(p, salt, key), nil
}

func encode(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// normalisePassword applies NFKC, as NIST SP 800-63B advises, so a password
// typed on another keyboard or operating system, which may compose accents
// differently, still matches.
func normalisePassword(password string) []byte {
	return []byte(norm.NFKC.String(password))
}

// VerifyPassword reports whether password is the one encoded was made from,
// comparing in constant time. The error is ErrMalformedHash when encoded
// cannot be checked.
func VerifyPassword(encoded, password string) (bool, error) {
	p, salt, key, err := decode(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey(normalisePassword(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// Current reports whether encoded was made with exactly these parameters;
// a hash that is not is replaced at the next successful sign-in.
func (p Params) Current(encoded string) bool {
	got, _, _, err := decode(encoded)
	return err == nil && got == p
}

func decode(encoded string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return p, nil, nil, fmt.Errorf("%w: want $argon2id$v=%d$m=…,t=…,p=…$salt$hash", ErrMalformedHash, argon2.Version)
	}
	var threads uint32
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &threads); err != nil {
		return p, nil, nil, fmt.Errorf("%w: parameters %q", ErrMalformedHash, parts[3])
	}
	if salt, err = b64.DecodeString(parts[4]); err != nil {
		return p, nil, nil, fmt.Errorf("%w: salt is not base64", ErrMalformedHash)
	}
	if key, err = b64.DecodeString(parts[5]); err != nil {
		return p, nil, nil, fmt.Errorf("%w: hash is not base64", ErrMalformedHash)
	}
	if threads < 1 || threads > maxThreads || p.Memory < 8*threads || p.Memory > maxMemory || p.Time < 1 || p.Time > maxTime ||
		len(salt) < minSalt || len(salt) > maxSalt || len(key) < minKey || len(key) > maxKey {
		return p, nil, nil, fmt.Errorf("%w: parameters out of range in %q", ErrMalformedHash, parts[3])
	}
	p.Threads, p.SaltLen, p.KeyLen = uint8(threads), uint32(len(salt)), uint32(len(key))
	if encode(p, salt, key) != encoded {
		// Only the canonical spelling is accepted, so one password has one
		// stored form and Sscanf's leniency (signs, leading zeros, trailing
		// text) lets nothing odd through.
		return p, nil, nil, fmt.Errorf("%w: not in canonical form", ErrMalformedHash)
	}
	return p, salt, key, nil
}

// Password rules, after NFKC: long enough that guessing is hopeless even
// without symbols or mixed case (NCSC and NIST both favour length over
// composition rules), and short enough that hashing stays cheap.
const (
	MinPasswordLength = 12   // characters
	MaxPasswordBytes  = 1024 // bytes
)

// CheckPassword says what is wrong with a new password, or "" when nothing
// is. avoid lists values the password must not be, such as the email.
func CheckPassword(password string, avoid ...string) string {
	n := norm.NFKC.String(password)
	switch {
	case utf8.RuneCountInString(n) < MinPasswordLength:
		return fmt.Sprintf("must be at least %d characters; a few unrelated words make a good one", MinPasswordLength)
	case len(n) > MaxPasswordBytes:
		return fmt.Sprintf("must be at most %d bytes", MaxPasswordBytes)
	case strings.TrimSpace(n) == "":
		return "must not be only spaces"
	}
	for _, a := range avoid {
		if a != "" && strings.EqualFold(strings.TrimSpace(n), strings.TrimSpace(a)) {
			return "must not be your email address or name"
		}
	}
	if guessable(n, avoid) {
		return "is too easy to guess: it is, or is built like, a password that attackers try first (common words with numbers, names, dates, keyboard runs or repeats); a few unrelated words make a good one"
	}
	return ""
}

// MinPasswordGuesses is how many guesses the strength estimate must put
// between an attacker and a new password: zxcvbn's "very unguessable"
// (score 4), the level it recommends where a stolen hash could be attacked
// offline.
const MinPasswordGuesses = 1e10

// strengthPrefix bounds the characters the estimate reads: its matching
// grows with the square of the length, and a password whose first 64
// characters are hard to guess is hard to guess.
const strengthPrefix = 64

// guessable reports whether password is one of, or built like, the
// passwords in the breach-derived frequency lists and patterns (dictionary
// words with substitutions, keyboard walks, repeats, sequences, dates) that
// the zxcvbn estimator ships with, or is made from the account's own email
// or name or the product's name.
func guessable(password string, avoid []string) bool {
	if r := []rune(password); len(r) > strengthPrefix {
		password = string(r[:strengthPrefix])
	}
	inputs := []string{"rightsdesk", "privacy", "staff"}
	for _, a := range avoid {
		inputs = append(inputs, strings.FieldsFunc(strings.ToLower(a), func(r rune) bool { return r == '@' || r == '.' || r == ' ' })...)
	}
	return zxcvbn.PasswordStrength(password, inputs).Guesses < MinPasswordGuesses
}
