package users_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/users"
)

// A staff name is held to the same rule as a requester's: no control
// characters, none that reorder how it displays, within its length.
func TestNewUserNames(t *testing.T) {
	for _, tt := range []struct {
		name string
		ok   bool
	}{
		{"Ada Lovelace", true},
		{"Zoë Ó Briain-Nakamura", true},
		{"محمد علي", true}, // right-to-left script is a name, not a trick
		{"", false},
		{"   ", false},
		{"Ada\nLovelace", false},
		{"Ada\x00", false},
		{"Ada\x7f", false},
		{"Ada\u0085Lovelace", false}, // C1: next line
		{"Ada \u202Egpj.exe", false}, // right-to-left override
		{"\u202ALovelace", false},    // left-to-right embedding
		{"Ada\u2066Lovelace\u2069", false},
		{"Ada\u200E", false},
		{"Ada\u200F", false},
		{"Ada\u061C", false},
		{strings.Repeat("n", 201), false},
	} {
		in := users.NewUser{Email: "ada@example.org", Name: tt.name, Role: auth.RoleViewer, Password: "correct horse battery staple"}
		err := in.Validate()
		var bad *fault.InvalidArgument
		switch {
		case tt.ok && err != nil:
			t.Errorf("name %q: %v; want it accepted", tt.name, err)
		case !tt.ok && (!errors.As(err, &bad) || len(bad.Violations) != 1 || bad.Violations[0].Field != "name"):
			t.Errorf("name %q: %v; want one violation of name", tt.name, err)
		}
	}
}
