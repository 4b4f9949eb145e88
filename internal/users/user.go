package users

import (
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// User is a staff account. It never holds the password or its hash: those
// stay inside the accounts use case, which stores them beside it.
type User struct {
	ID       string    `json:"id"` // 12 hex digits; stable, so the audit trail never needs the email
	Email    string    `json:"email"`
	Name     string    `json:"name"`
	Role     auth.Role `json:"role"`
	Disabled bool      `json:"disabled,omitempty"`
	Created  time.Time `json:"created"`
	// Failures counts sign-ins in a row that failed, or are still being
	// checked; LockedUntil is when the account may be tried again.
	Failures    int       `json:"failures,omitempty"`
	LockedUntil time.Time `json:"locked_until,omitzero"`
	LastSignIn  time.Time `json:"last_sign_in,omitzero"`
	// PasswordChangeRequired sends the user to choose a new password
	// before anything else; changing it clears the flag.
	PasswordChangeRequired bool `json:"password_change_required,omitempty"`
	// CredentialVersion counts the changes that end every session of the
	// account (see EndSessions); a session remembers the version it began
	// with and works only while the account still has it.
	CredentialVersion uint64 `json:"credential_version,omitempty"`
	// SecondFactorSince is when the account set up two-step verification;
	// zero when it has none. The secret stays inside the accounts use case.
	SecondFactorSince time.Time `json:"second_factor_since,omitzero"`
}

// HasSecondFactor reports whether the account has two-step verification.
func (u *User) HasSecondFactor() bool { return !u.SecondFactorSince.IsZero() }

// EndSessions ends every session of the account, and every credential
// derived from a session such as the calendar feed, by moving its
// credential version on. The accounts use case calls it, in the same
// transaction, for each change after which whoever held a session can no
// longer be assumed to be the account's owner with the account's rights: a
// new password (chosen or set by an administrator), a new role, disabling,
// and an administrator's "end all sessions". Unlocking and requiring a new
// password do not: the credential and the rights stay the same.
func (u *User) EndSessions() { u.CredentialVersion++ }

// SessionValid reports whether a session that began at the given
// credential version still works: the account is enabled and nothing has
// ended its sessions since.
func (u *User) SessionValid(version uint64) bool {
	return !u.Disabled && version == u.CredentialVersion
}

// Actor is how the user is recorded in the audit trail and as a case's
// assignee: "user:" + id, beside API tokens' "token:" + name.
func (u *User) Actor() string { return "user:" + u.ID }

// Locked reports whether sign-ins are refused at now after failures.
func (u *User) Locked(now time.Time) bool { return now.Before(u.LockedUntil) }

// Refusal is why a sign-in to the account is refused at now before any
// credential is checked (ErrDisabled, ErrLocked), or nil.
func (u *User) Refusal(now time.Time) error {
	switch {
	case u.Disabled:
		return ErrDisabled
	case u.Locked(now):
		return ErrLocked
	}
	return nil
}

// NewUser is an account to create.
type NewUser struct {
	Email    string
	Name     string
	Role     auth.Role
	Password string
	// By is who creates the account ("user:…", "cli:…"), for the audit trail.
	By string
	// RequestID is the client's id for the call (AIP-155), "" for none: a
	// second call with it creates no second account.
	RequestID string
}

// maxNameLen bounds a user's display name.
const maxNameLen = 200

// Validate checks an account to create, field by field.
func (in NewUser) Validate() error {
	var v []fault.FieldViolation
	add := func(field, format string, args ...any) {
		v = append(v, fault.FieldViolation{Field: field, Description: fmt.Sprintf(format, args...)})
	}
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
		add("email", "%q is not an email address", in.Email)
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		add("name", "is required: the name colleagues know the user by")
	} else if problem := cases.LineProblem(name, maxNameLen); problem != "" {
		add("name", "%s", problem)
	}
	if !in.Role.IsStaff() {
		add("role", "must be viewer, caseworker or admin")
	}
	if problem := CheckPassword(in.Password, in.Email, in.Name); problem != "" {
		add("password", "%s", problem)
	}
	if len(v) > 0 {
		return &fault.InvalidArgument{Violations: v}
	}
	return nil
}

// SameEmail compares addresses as people type them: staff addresses are
// case-insensitive in practice, and one account per address is the rule.
func SameEmail(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}
