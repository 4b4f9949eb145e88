package users

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// FuzzUpdateMask applies an administrator's update with any mask and role
// to any account of the team, by any member. A refusal is an
// InvalidArgument (about update_mask exactly when a path is not updatable
// or none is named) or a FailedPrecondition, and leaves the account as it
// was. An accepted update sets what it names, ends the sessions when the
// role changed, and never changes one's own role or leaves the team
// without an enabled administrator.
func FuzzUpdateMask(f *testing.F) {
	f.Add("role", int8(auth.RoleViewer), uint8(0), uint8(4), false)
	f.Add("role", int8(auth.RoleAdmin), uint8(1), uint8(0), true)
	f.Add("role,password_change_required", int8(auth.RoleCaseworker), uint8(4), uint8(0), true)
	f.Add("password_change_required", int8(0), uint8(2), uint8(2), true)
	f.Add("", int8(auth.RoleViewer), uint8(1), uint8(0), false)
	f.Add("role,name", int8(auth.RoleViewer), uint8(1), uint8(0), false)
	f.Add("role", int8(99), uint8(1), uint8(0), false)
	f.Fuzz(func(t *testing.T, mask string, role int8, target, by uint8, change bool) {
		all := withSecondAdmin()
		if target%2 == 1 {
			all = team() // Ada is the only enabled administrator
		}
		u := &all[int(target)%len(all)]
		before := *u
		var paths []string
		if mask != "" {
			paths = strings.Split(mask, ",")
		}
		up := Update{Paths: paths, Role: auth.Role(role), PasswordChangeRequired: change}
		actor := all[int(by)%len(all)].Actor()
		changed, err := up.Apply(u, actor, all)
		unknown := len(paths) == 0 || slices.ContainsFunc(paths, func(p string) bool { return !slices.Contains(UpdatablePaths, p) })
		if err != nil {
			var (
				invalid *fault.InvalidArgument
				refused *fault.FailedPrecondition
			)
			switch {
			case *u != before || changed:
				t.Fatalf("a refused update changed the account: %+v -> %+v", before, *u)
			case errors.As(err, &invalid):
				if (invalid.Violations[0].Field == "update_mask") != unknown {
					t.Fatalf("mask %q: %v", mask, err)
				}
			case !errors.As(err, &refused) || unknown:
				t.Fatalf("mask %q: %v (%T)", mask, err, err)
			}
			return
		}
		if unknown {
			t.Fatalf("mask %q is accepted", mask)
		}
		roleChanged := u.Role != before.Role
		switch {
		case changed != (*u != before):
			t.Fatalf("changed = %v, but %+v -> %+v", changed, before, *u)
		case slices.Contains(paths, "role") && u.Role != auth.Role(role):
			t.Fatalf("role %v asked, %v set", auth.Role(role), u.Role)
		case slices.Contains(paths, "password_change_required") && u.PasswordChangeRequired != change:
			t.Fatal("password_change_required was not set as asked")
		case roleChanged && u.CredentialVersion == before.CredentialVersion:
			t.Fatal("a role change leaves the account's sessions open")
		case roleChanged && actor == u.Actor():
			t.Fatal("an administrator changed their own role")
		case !slices.ContainsFunc(all, func(o User) bool { return o.Role == auth.RoleAdmin && !o.Disabled }):
			t.Fatal("no enabled administrator is left")
		}
	})
}
