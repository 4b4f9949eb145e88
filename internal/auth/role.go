package auth

import (
	"fmt"
	"strings"
)

// Role is what a caller may do. Roles are ordered: each includes the ones
// before it, so a caseworker may do whatever a viewer may.
type Role int

const (
	// RoleNone is the zero value: no role. It is never granted and, as a
	// requirement, never satisfied, so a forgotten role fails closed.
	RoleNone Role = iota
	// RolePublic is anyone, without a token.
	RolePublic
	// RoleViewer is staff who may read cases.
	RoleViewer
	// RoleCaseworker is staff who work cases.
	RoleCaseworker
	// RoleAdmin is staff who administer.
	RoleAdmin
)

// StaffRoles are the roles a token may carry, least first.
var StaffRoles = []Role{RoleViewer, RoleCaseworker, RoleAdmin}

var roleNames = map[Role]string{
	RolePublic:     "public",
	RoleViewer:     "viewer",
	RoleCaseworker: "caseworker",
	RoleAdmin:      "admin",
}

// String returns the role's name, e.g. "caseworker".
func (r Role) String() string {
	if name, ok := roleNames[r]; ok {
		return name
	}
	if r == RoleNone {
		return "none"
	}
	return fmt.Sprintf("Role(%d)", int(r))
}

// IsStaff reports whether r is a role a token may carry.
func (r Role) IsStaff() bool { return r >= RoleViewer && r <= RoleAdmin }

// Includes reports whether a caller with role r may call something that
// needs role need. RoleNone neither includes nor is included by anything.
func (r Role) Includes(need Role) bool {
	return r > RoleNone && r <= RoleAdmin && need > RoleNone && need <= RoleAdmin && r >= need
}

// ParseRole parses a staff role name: "viewer", "caseworker" or "admin".
// "public" is not accepted: it is what callers without a token are, never
// something a token carries.
func ParseRole(s string) (Role, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	for _, r := range StaffRoles {
		if roleNames[r] == name {
			return r, nil
		}
	}
	return RoleNone, fmt.Errorf("unknown role %q: want viewer, caseworker or admin", s)
}

// MarshalText implements encoding.TextMarshaler for staff roles, so stored
// tokens read "role":"admin".
func (r Role) MarshalText() ([]byte, error) {
	if !r.IsStaff() {
		return nil, fmt.Errorf("role %s cannot be stored on a token", r)
	}
	return []byte(r.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *Role) UnmarshalText(text []byte) error {
	parsed, err := ParseRole(string(text))
	if err != nil {
		return err
	}
	*r = parsed
	return nil
}
