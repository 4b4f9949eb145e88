package users

import (
	"slices"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// UpdatablePaths are the fields of an account an administrator may change
// with Update; the password, the disabled state and the lockout have their
// own operations.
var UpdatablePaths = []string{"role", "password_change_required"}

// Update is an administrator's change to someone's account: the fields
// named in Paths are copied from Role and PasswordChangeRequired.
type Update struct {
	Paths []string
	Role  auth.Role
	// PasswordChangeRequired sends the user to choose a new password at
	// their next sign-in, and on their next page if they are signed in;
	// false withdraws the request.
	PasswordChangeRequired bool
}

// Apply makes the change to u on behalf of by (an audit actor, "user:…" or
// "cli:…"), given every account, and reports whether anything changed. Two
// rules keep the workspace manageable:
//   - nobody changes their own role: a slip that demotes an administrator
//     would leave them unable to undo it, and a promotion by one's own hand
//     is no check at all;
//   - the last enabled administrator stays one, or nobody could manage the
//     accounts from the browser again.
func (up Update) Apply(u *User, by string, all []User) (changed bool, err error) {
	if len(up.Paths) == 0 {
		return false, fault.Invalid("update_mask", "name the fields to update: %s", strings.Join(UpdatablePaths, ", "))
	}
	for _, path := range up.Paths {
		if !slices.Contains(UpdatablePaths, path) {
			return false, fault.Invalid("update_mask", "%q cannot be updated; updatable fields: %s", path, strings.Join(UpdatablePaths, ", "))
		}
	}
	next := *u
	if slices.Contains(up.Paths, "role") {
		if err := checkRole(u, up.Role, by, all); err != nil {
			return false, err
		}
		if next.Role != up.Role {
			next.Role = up.Role
			next.EndSessions()
		}
	}
	if slices.Contains(up.Paths, "password_change_required") {
		next.PasswordChangeRequired = up.PasswordChangeRequired
	}
	changed = next != *u
	*u = next
	return changed, nil
}

func checkRole(u *User, role auth.Role, by string, all []User) error {
	switch {
	case !role.IsStaff():
		return fault.Invalid("role", "must be viewer, caseworker or admin")
	case role == u.Role:
		return nil
	case u.Actor() == by:
		return &fault.FailedPrecondition{Subject: subject(u), Description: "you cannot change your own role; ask another administrator"}
	case u.Role == auth.RoleAdmin && lastAdmin(u, all):
		return &fault.FailedPrecondition{Subject: subject(u), Description: u.Name + " is the only active administrator, so they keep the role; make someone else an administrator first"}
	}
	return nil
}

// CheckDisable says why by may not disable u, or nil: nobody disables
// their own account, which, were they the last administrator, would lock
// everyone out of managing accounts in the browser. Disabling the last
// administrator from the command line or with an API token stays possible,
// for an account that must stop at once; the server then prints a set-up
// link for a new first administrator at its next start.
func CheckDisable(u *User, by string) error {
	if u.Actor() == by {
		return &fault.FailedPrecondition{Subject: subject(u), Description: "you cannot disable your own account; ask another administrator"}
	}
	return nil
}

// Disable stops the account signing in and ends its sessions, after
// CheckDisable's rule, and reports whether it was enabled. Ending the
// sessions as well as setting the flag matters: a password reset enables
// the account again, and a session stolen before it was disabled must not
// come back to life then.
func (u *User) Disable(by string) (changed bool, err error) {
	if err := CheckDisable(u, by); err != nil {
		return false, err
	}
	if u.Disabled {
		return false, nil
	}
	u.Disabled = true
	u.EndSessions()
	return true, nil
}

// lastAdmin reports whether u is the only enabled administrator among all.
func lastAdmin(u *User, all []User) bool {
	return !slices.ContainsFunc(all, func(o User) bool { return o.ID != u.ID && o.Role == auth.RoleAdmin && !o.Disabled })
}

// Unlock lets the account be tried again at once, forgetting its failed
// attempts, and reports whether it was locked or had failures to forget.
// Setting a new password unlocks too, but an administrator who knows the
// owner simply mistyped should not have to invent a password and pass it on.
func (u *User) Unlock() bool {
	changed := u.Failures != 0 || !u.LockedUntil.IsZero()
	u.Failures, u.LockedUntil = 0, time.Time{}
	return changed
}

func subject(u *User) string { return "users/" + u.ID }
