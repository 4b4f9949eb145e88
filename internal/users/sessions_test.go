package users

import (
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/auth"
)

// Which changes to an account end its sessions: those after which whoever
// holds a session may no longer be the owner, or no longer has the rights
// the session was opened with.
func TestWhichChangesEndSessions(t *testing.T) {
	const ada = "user:a00000000001"
	locked := func(u *User) { u.Failures, u.LockedUntil = 7, time.Date(2026, 3, 10, 11, 0, 0, 0, time.UTC) }
	for _, tt := range []struct {
		name   string
		before func(*User)
		change func(*User) error
		ends   bool
	}{
		{"a new role", nil, func(u *User) error {
			_, err := Update{Paths: []string{"role"}, Role: auth.RoleViewer}.Apply(u, ada, team())
			return err
		}, true},
		{"the same role again", nil, func(u *User) error {
			_, err := Update{Paths: []string{"role"}, Role: auth.RoleCaseworker}.Apply(u, ada, team())
			return err
		}, false},
		{"requiring a new password", nil, func(u *User) error {
			_, err := Update{Paths: []string{"password_change_required"}, PasswordChangeRequired: true}.Apply(u, ada, team())
			return err
		}, false},
		{"disabling", nil, func(u *User) error { _, err := u.Disable(ada); return err }, true},
		{"disabling a disabled account again", func(u *User) { u.Disabled = true }, func(u *User) error { _, err := u.Disable(ada); return err }, false},
		{"disabling refused: your own account", nil, func(u *User) error { _, err := u.Disable(u.Actor()); return err }, false},
		{"unlocking: the password stays the same", locked, func(u *User) error { u.Unlock(); return nil }, false},
		{"ending all sessions", nil, func(u *User) error { u.EndSessions(); return nil }, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			u := User{ID: "c00000000001", Name: "Casey Worker", Role: auth.RoleCaseworker, CredentialVersion: 3}
			if tt.before != nil {
				tt.before(&u)
			}
			wasValid := u.SessionValid(3)
			_ = tt.change(&u) // refusals are TestUpdateRules's and TestCheckDisable's; here only their effect counts
			ended := wasValid && !u.SessionValid(3)
			if ended != tt.ends {
				t.Fatalf("a session begun at version 3 ended = %v, want %v (account now %+v)", ended, tt.ends, u)
			}
			// Moving the version on, not just the disabled flag, is what
			// keeps the session dead once a new password enables the
			// account again.
			if moved := u.CredentialVersion != 3; moved != tt.ends {
				t.Errorf("credential version moved = %v, want %v", moved, tt.ends)
			}
			if tt.ends && !u.SessionValid(u.CredentialVersion) && !u.Disabled {
				t.Error("a session begun after the change does not work")
			}
		})
	}
}

func TestSessionValid(t *testing.T) {
	for _, tt := range []struct {
		name    string
		user    User
		version uint64
		want    bool
	}{
		{"the account's version", User{CredentialVersion: 2}, 2, true},
		{"an account from before versions, a session from before versions", User{}, 0, true},
		{"an older version", User{CredentialVersion: 2}, 1, false},
		{"a newer version than the account's (a restored backup)", User{CredentialVersion: 2}, 3, false},
		{"a disabled account, even at its version", User{CredentialVersion: 2, Disabled: true}, 2, false},
	} {
		if got := tt.user.SessionValid(tt.version); got != tt.want {
			t.Errorf("%s: SessionValid(%d) = %v, want %v", tt.name, tt.version, got, tt.want)
		}
	}
}
