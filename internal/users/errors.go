package users

import (
	"errors"

	"github.com/rightsdesk/rightsdesk/internal/auth"
)

// Why a sign-in failed. They are for logs and tests; SignInError decides
// what the person is told.
var (
	ErrBadCredentials = errors.New("unknown email or wrong password")
	ErrDisabled       = errors.New("account disabled")
	ErrLocked         = errors.New("account locked after repeated failures")
	// ErrSingleSignOnRequired is a right password for an account that may
	// not sign in with one (PasswordSignInAllowed).
	ErrSingleSignOnRequired = errors.New("single sign-on is required and the account is not an administrator's")
)

// PasswordSignInAllowed is the "require single sign-on" rule: while it is
// required, a local account signs in with its password only if it is an
// administrator's — the break-glass way in when the identity provider is
// down or misconfigured, and one the default second-factor policy
// (SecondFactorAdmins) makes use a second factor. Everyone else signs in
// through the provider.
func PasswordSignInAllowed(role auth.Role, requireSingleSignOn bool) bool {
	return !requireSingleSignOn || role == auth.RoleAdmin
}

// SignInError is a refused sign-in. Its message is the same whatever the
// reason, as the OWASP Authentication Cheat Sheet advises, so the form
// cannot be used to learn which addresses have accounts, which are disabled
// or which a guesser has locked. Reason says which, for logs.
type SignInError struct {
	Reason error
	// UserID is the account the address belongs to, "" for an address with
	// none: for the log, which names accounts by id, never by address.
	UserID string
}

func (e *SignInError) Error() string {
	return "the email address or password is not right, or the account is locked for a while after too many attempts"
}

func (e *SignInError) Unwrap() error { return e.Reason }
