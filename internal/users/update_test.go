package users

import (
	"errors"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// team is three enabled accounts, one of each role, plus a disabled
// administrator, who does not count as someone able to manage accounts.
func team() []User {
	return []User{
		{ID: "a00000000001", Name: "Ada Admin", Role: auth.RoleAdmin},
		{ID: "c00000000001", Name: "Casey Worker", Role: auth.RoleCaseworker},
		{ID: "v00000000001", Name: "Vera Viewer", Role: auth.RoleViewer},
		{ID: "d00000000001", Name: "Dee Gone", Role: auth.RoleAdmin, Disabled: true},
	}
}

func withSecondAdmin() []User {
	return append(team(), User{ID: "a00000000002", Name: "Bea Admin", Role: auth.RoleAdmin})
}

// outcome names what Apply or CheckDisable returned, for the tables.
func outcome(err error) string {
	var (
		invalid *fault.InvalidArgument
		refused *fault.FailedPrecondition
	)
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &invalid):
		return "invalid " + invalid.Violations[0].Field
	case errors.As(err, &refused):
		return "refused"
	}
	return "error " + err.Error()
}

func TestUpdateRules(t *testing.T) {
	const (
		ada  = "user:a00000000001"
		bea  = "user:a00000000002"
		cli  = "cli:ops"
		role = "role"
		flag = "password_change_required"
	)
	for _, tt := range []struct {
		name    string
		all     []User
		target  string
		by      string
		up      Update
		want    string
		changed bool
	}{
		{"promote a caseworker", team(), "c00000000001", ada, Update{Paths: []string{role}, Role: auth.RoleAdmin}, "ok", true},
		{"demote a caseworker", team(), "c00000000001", ada, Update{Paths: []string{role}, Role: auth.RoleViewer}, "ok", true},
		{"the same role again changes nothing", team(), "c00000000001", ada, Update{Paths: []string{role}, Role: auth.RoleCaseworker}, "ok", false},
		{"not to a role staff can hold", team(), "c00000000001", ada, Update{Paths: []string{role}, Role: auth.RolePublic}, "invalid role", false},
		{"not to no role", team(), "c00000000001", ada, Update{Paths: []string{role}, Role: auth.RoleNone}, "invalid role", false},
		{"not your own role, even with another admin", withSecondAdmin(), "a00000000001", ada, Update{Paths: []string{role}, Role: auth.RoleCaseworker}, "refused", false},
		{"not the last enabled admin, from the CLI", team(), "a00000000001", cli, Update{Paths: []string{role}, Role: auth.RoleViewer}, "refused", false},
		{"an admin demotes another while one remains", withSecondAdmin(), "a00000000001", bea, Update{Paths: []string{role}, Role: auth.RoleCaseworker}, "ok", true},
		{"your own role unchanged is no change", team(), "a00000000001", ada, Update{Paths: []string{role}, Role: auth.RoleAdmin}, "ok", false},
		{"require a new password", team(), "c00000000001", ada, Update{Paths: []string{flag}, PasswordChangeRequired: true}, "ok", true},
		{"require your own new password", team(), "a00000000001", ada, Update{Paths: []string{flag}, PasswordChangeRequired: true}, "ok", true},
		{"withdraw a requirement never made", team(), "c00000000001", ada, Update{Paths: []string{flag}}, "ok", false},
		{"both fields at once", withSecondAdmin(), "a00000000002", ada, Update{Paths: []string{role, flag}, Role: auth.RoleViewer, PasswordChangeRequired: true}, "ok", true},
		{"a refused role leaves the flag alone too", team(), "a00000000001", ada, Update{Paths: []string{flag, role}, Role: auth.RoleViewer, PasswordChangeRequired: true}, "refused", false},
		{"nothing named", team(), "c00000000001", ada, Update{}, "invalid update_mask", false},
		{"a field that is not updatable", team(), "c00000000001", ada, Update{Paths: []string{"disabled"}}, "invalid update_mask", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			all := tt.all
			var u *User
			for i := range all {
				if all[i].ID == tt.target {
					u = &all[i]
				}
			}
			before := *u
			changed, err := tt.up.Apply(u, tt.by, all)
			if got := outcome(err); got != tt.want || changed != tt.changed {
				t.Fatalf("Apply = changed %v, %s; want changed %v, %s", changed, got, tt.changed, tt.want)
			}
			if err != nil && *u != before {
				t.Errorf("a refused update changed the account: %+v → %+v", before, *u)
			}
			if err == nil && changed == (*u == before) {
				t.Errorf("Apply says changed=%v, but the account went %+v → %+v", changed, before, *u)
			}
		})
	}
}

func TestCheckDisable(t *testing.T) {
	for _, tt := range []struct {
		name   string
		target string
		by     string
		want   string
	}{
		{"a caseworker", "c00000000001", "user:a00000000001", "ok"},
		{"not your own account", "c00000000001", "user:c00000000001", "refused"},
		{"the last administrator, from the command line", "a00000000001", "cli:ops", "ok"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			all := team()
			for i := range all {
				if all[i].ID == tt.target {
					if got := outcome(CheckDisable(&all[i], tt.by)); got != tt.want {
						t.Fatalf("CheckDisable = %s, want %s", got, tt.want)
					}
					return
				}
			}
			t.Fatalf("no account %s", tt.target)
		})
	}
}

func TestUnlock(t *testing.T) {
	now := time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
	l := Lockout{FreeAttempts: 2, FirstLock: time.Minute, MaxLock: time.Hour}
	u := User{ID: "c00000000001"}
	for range 3 {
		l.CountAttempt(&u, now)
	}
	if !u.Locked(now) {
		t.Fatal("three failures with two free did not lock the account")
	}
	if !u.Unlock() || u.Locked(now) || u.Failures != 0 {
		t.Fatalf("after Unlock: locked %v, %d failures; want open, none", u.Locked(now), u.Failures)
	}
	if u.Unlock() {
		t.Error("unlocking an open account reports a change")
	}
	l.CountAttempt(&u, now)
	if u.Locked(now) || !u.Unlock() {
		t.Error("one failure, not yet a lock, is not forgotten by Unlock")
	}
}
