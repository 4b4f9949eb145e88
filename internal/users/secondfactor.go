package users

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/rightsdesk/rightsdesk/internal/auth"
)

// SecondFactorPolicy says which local accounts must use two-step
// verification (an authenticator app's time-based codes, RFC 6238) after
// their password. Accounts that sign in through single sign-on are left to
// the identity provider's own second factor.
type SecondFactorPolicy int

const (
	// SecondFactorAdmins requires it of administrators and lets everyone
	// else choose: the default, since an administrator's account can
	// create accounts and read every case.
	SecondFactorAdmins SecondFactorPolicy = iota
	// SecondFactorEveryone requires it of every local account.
	SecondFactorEveryone
	// SecondFactorOptional requires it of no one, for an organisation whose
	// staff sign in through single sign-on with its own second factor and
	// keep local accounts only for emergencies.
	SecondFactorOptional
)

// ParseSecondFactorPolicy reads the --second-factor flag's value.
func ParseSecondFactorPolicy(s string) (SecondFactorPolicy, error) {
	switch s {
	case "admins":
		return SecondFactorAdmins, nil
	case "everyone":
		return SecondFactorEveryone, nil
	case "optional":
		return SecondFactorOptional, nil
	}
	return 0, fmt.Errorf("second factor policy %q: want admins, everyone or optional", s)
}

func (p SecondFactorPolicy) String() string {
	return [...]string{"admins", "everyone", "optional"}[p]
}

// Requires reports whether the account must have two-step verification
// before it may do anything but set it up.
func (p SecondFactorPolicy) Requires(u *User) bool {
	switch p {
	case SecondFactorEveryone:
		return true
	case SecondFactorAdmins:
		return u.Role.Includes(auth.RoleAdmin)
	}
	return false
}

// TOTP parameters: the ones every authenticator app supports (SHA-1, six
// digits, 30-second steps). A code is accepted one step either side of now,
// for clocks that drift and people who type slowly.
const (
	totpPeriod  = 30
	totpDigits  = otp.DigitsSix
	totpSkew    = 1
	secretBytes = 20 // RFC 4226's recommended 160 bits
)

// RecoveryCodeCount is how many single-use recovery codes an account gets,
// for when its authenticator is lost; each holds recoveryBytes of
// randomness, spelt in recoveryChars base32 characters.
const (
	RecoveryCodeCount = 10
	recoveryBytes     = 15 // 120 bits
	recoveryChars     = recoveryBytes * 8 / 5
)

// SecondFactor is an account's enrolled two-step verification. It is a
// credential: like the password hash it stays inside the accounts use case.
type SecondFactor struct {
	Secret string `json:"secret"` // base32, as authenticator apps take it
	Since  time.Time
	// LastStep is the time step of the last code accepted, so a code seen
	// over someone's shoulder cannot be used again.
	LastStep int64 `json:"last_step"`
	// RecoveryHashes are the SHA-256 of the unused recovery codes: each
	// carries 120 random bits, beyond the 112 that make a fast unsalted
	// hash as safe as a slow salted one (OWASP ASVS 5.0, 6.5.2), so a
	// plain hash keeps them from anyone who reads the database.
	RecoveryHashes []string `json:"recovery_hashes"`
}

// Enrolment is a second factor being set up: the secret is shown (as a QR
// code and as text) and becomes the account's only once a code made from it
// is typed back.
type Enrolment struct {
	Secret string
	// URL is the otpauth:// address the QR code carries.
	URL string
}

// NewEnrolment makes a fresh secret for the account, read from random.
func NewEnrolment(issuer, account string, random io.Reader) (Enrolment, error) {
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: issuer, AccountName: account, Period: totpPeriod, SecretSize: secretBytes,
		Digits: totpDigits, Algorithm: otp.AlgorithmSHA1, Rand: random,
	})
	if err != nil {
		return Enrolment{}, fmt.Errorf("two-step verification secret: %w", err)
	}
	return EnrolmentOf(issuer, account, key.Secret()), nil
}

// EnrolmentOf is the enrolment of a secret made earlier, to show again.
func EnrolmentOf(issuer, account, secret string) Enrolment {
	q := url.Values{
		"secret": {secret}, "issuer": {issuer}, "period": {strconv.Itoa(totpPeriod)},
		"digits": {totpDigits.String()}, "algorithm": {otp.AlgorithmSHA1.String()},
	}
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + issuer + ":" + account, RawQuery: q.Encode()}
	return Enrolment{Secret: secret, URL: u.String()}
}

// CodeStep returns the time step of the code if it is valid for secret at
// now and newer than lastStep, found false otherwise. Every candidate step
// is computed and compared in constant time, so the answer takes as long
// whichever step (if any) matched.
func CodeStep(secret, code string, now time.Time, lastStep int64) (step int64, found bool) {
	code = withoutSeparators(code)
	if len(code) != int(totpDigits) {
		return 0, false
	}
	nowStep := now.Unix() / totpPeriod
	for s := nowStep - totpSkew; s <= nowStep+totpSkew; s++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*totpPeriod, 0), totp.ValidateOpts{
			Period: totpPeriod, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1,
		})
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && s > lastStep && !found {
			step, found = s, true
		}
	}
	return step, found
}

// recoveryEncoding spells recovery codes in lower-case base32, which has no
// 0, 1 or 8 to mistake for o, l or b, in six groups of four.
var recoveryEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewRecoveryCodes returns RecoveryCodeCount fresh codes, to show once,
// and their hashes, to keep.
func NewRecoveryCodes(random io.Reader) (codes, hashes []string, err error) {
	for range RecoveryCodeCount {
		raw := make([]byte, recoveryBytes)
		if _, err := io.ReadFull(random, raw); err != nil {
			return nil, nil, fmt.Errorf("recovery code: %w", err)
		}
		s := recoveryEncoding.EncodeToString(raw)
		groups := make([]string, 0, len(s)/4)
		for i := 0; i < len(s); i += 4 {
			groups = append(groups, s[i:i+4])
		}
		code := strings.Join(groups, "-")
		codes = append(codes, code)
		hashes = append(hashes, hashRecoveryCode(code))
	}
	return codes, hashes, nil
}

// hashRecoveryCode hashes a recovery code as typed, ignoring case, spaces
// and dashes.
func hashRecoveryCode(code string) string {
	sum := sha256.Sum256([]byte(withoutSeparators(strings.ToLower(code))))
	return hex.EncodeToString(sum[:])
}

// LooksLikeRecoveryCode tells a recovery code from an authenticator's
// six digits, so one box can take either.
func LooksLikeRecoveryCode(code string) bool {
	return len(withoutSeparators(code)) == recoveryChars
}

// withoutSeparators drops the dashes and spaces people type inside codes.
func withoutSeparators(code string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, code)
}

// Check accepts an authenticator code or an unused recovery code, updating
// the factor (the last step, or the spent recovery code) when it is
// accepted. recovery says a recovery code was spent.
func (f *SecondFactor) Check(code string, now time.Time) (ok, recovery bool) {
	if LooksLikeRecoveryCode(code) {
		h := hashRecoveryCode(code)
		for i, kept := range f.RecoveryHashes {
			if subtle.ConstantTimeCompare([]byte(kept), []byte(h)) == 1 {
				f.RecoveryHashes = append(f.RecoveryHashes[:i:i], f.RecoveryHashes[i+1:]...)
				return true, true
			}
		}
		return false, false
	}
	step, found := CodeStep(f.Secret, code, now, f.LastStep)
	if found {
		f.LastStep = step
	}
	return found, false
}
