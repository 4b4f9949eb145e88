package auth_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/auth"
)

func TestRoleIncludes(t *testing.T) {
	roles := []auth.Role{auth.RoleNone, auth.RolePublic, auth.RoleViewer, auth.RoleCaseworker, auth.RoleAdmin, auth.Role(99)}
	want := map[[2]auth.Role]bool{}
	ordered := []auth.Role{auth.RolePublic, auth.RoleViewer, auth.RoleCaseworker, auth.RoleAdmin}
	for i, have := range ordered {
		for _, need := range ordered[:i+1] {
			want[[2]auth.Role{have, need}] = true
		}
	}
	for _, have := range roles {
		for _, need := range roles {
			if got := have.Includes(need); got != want[[2]auth.Role{have, need}] {
				t.Errorf("%v.Includes(%v) = %v, want %v", have, need, got, !got)
			}
		}
	}
}

func TestParseAndFormatRoles(t *testing.T) {
	tests := []struct {
		in      string
		want    auth.Role
		wantErr bool
	}{
		{"viewer", auth.RoleViewer, false},
		{"caseworker", auth.RoleCaseworker, false},
		{"admin", auth.RoleAdmin, false},
		{" Admin ", auth.RoleAdmin, false},
		{"public", auth.RoleNone, true},
		{"none", auth.RoleNone, true},
		{"", auth.RoleNone, true},
		{"root", auth.RoleNone, true},
	}
	for _, tt := range tests {
		got, err := auth.ParseRole(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseRole(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), "viewer, caseworker or admin") {
			t.Errorf("ParseRole(%q) error %q does not list the roles", tt.in, err)
		}
	}
	for _, r := range auth.StaffRoles {
		back, err := auth.ParseRole(r.String())
		if err != nil || back != r {
			t.Errorf("round trip of %v = %v, %v", r, back, err)
		}
	}
	for r, want := range map[auth.Role]string{auth.RoleNone: "none", auth.RolePublic: "public", auth.Role(7): "Role(7)"} {
		if r.String() != want {
			t.Errorf("Role(%d).String() = %q, want %q", int(r), r.String(), want)
		}
	}
	if _, err := auth.RolePublic.MarshalText(); err == nil {
		t.Error("the public role was marshalled onto a token")
	}
}

func TestNewTokenFormatAndHash(t *testing.T) {
	shape := regexp.MustCompile(`^rd_[a-z2-7]{52}$`)
	seen := map[string]bool{}
	for range 100 {
		tok, hash, err := auth.NewToken(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if !shape.MatchString(tok) || !auth.WellFormed(tok) {
			t.Fatalf("token %q does not have the rd_ + 52 base32 shape", tok)
		}
		if sum := sha256.Sum256([]byte(tok)); !bytes.Equal(hash, sum[:]) || !bytes.Equal(auth.HashToken(tok), hash) {
			t.Fatalf("hash of %q is not its SHA-256", tok)
		}
		if seen[tok] {
			t.Fatalf("token %q generated twice", tok)
		}
		seen[tok] = true
		if id := auth.TokenID(hash); len(id) != 12 || strings.Contains(tok, id) {
			t.Fatalf("TokenID = %q: want 12 hex digits that are not part of the token", id)
		}
	}
}

func TestNewTokenIsDeterministicInItsRandomness(t *testing.T) {
	zeros := bytes.Repeat([]byte{0}, 32)
	tok, _, err := auth.NewToken(bytes.NewReader(zeros))
	if err != nil || tok != "rd_"+strings.Repeat("a", 52) {
		t.Fatalf("NewToken(zeros) = %q, %v", tok, err)
	}
	if _, _, err := auth.NewToken(bytes.NewReader(zeros[:31])); err == nil {
		t.Fatal("NewToken accepted 31 random bytes")
	}
	if _, _, err := auth.NewToken(iotest.ErrReader(errors.New("entropy exhausted"))); err == nil {
		t.Fatal("NewToken ignored a read error")
	}
}

func TestWellFormed(t *testing.T) {
	good, _, _ := auth.NewToken(rand.Reader)
	for tok, want := range map[string]bool{
		good:                            true,
		"":                              false,
		"rd_":                           false,
		strings.ToUpper(good):           false,
		"xx_" + good[3:]:                false,
		good + "a":                      false,
		good[:len(good)-1]:              false,
		good[:len(good)-1] + "1":        false, // 1 is not in the alphabet
		"rd_" + strings.Repeat("!", 52): false,
		// base32 decoding skips line breaks, so these once passed
		good[:40] + "\n" + good[41:]: false,
		good[:40] + "\r" + good[41:]: false,
	} {
		if got := auth.WellFormed(tok); got != want {
			t.Errorf("WellFormed(%q) = %v, want %v", tok, got, want)
		}
	}
}

func TestTokenUsable(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Second), now.Add(time.Hour)
	tests := []struct {
		name string
		tok  auth.Token
		want error
	}{
		{"no expiry", auth.Token{Role: auth.RoleViewer}, nil},
		{"expires later", auth.Token{Role: auth.RoleAdmin, ExpiresAt: &future}, nil},
		{"expired", auth.Token{Role: auth.RoleAdmin, ExpiresAt: &past}, auth.ErrTokenExpired},
		{"expires exactly now", auth.Token{Role: auth.RoleAdmin, ExpiresAt: &now}, auth.ErrTokenExpired},
		{"revoked", auth.Token{Role: auth.RoleAdmin, Revoked: true}, auth.ErrTokenRevoked},
		{"revoked and expired", auth.Token{Role: auth.RoleAdmin, Revoked: true, ExpiresAt: &past}, auth.ErrTokenRevoked},
		{"no staff role", auth.Token{Role: auth.RolePublic}, auth.ErrUnknownToken},
	}
	for _, tt := range tests {
		if err := tt.tok.Usable(now); !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("%s: Usable = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestTokenJSON(t *testing.T) {
	exp := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	in := auth.Token{ID: "0123456789ab", Name: "alice", Role: auth.RoleCaseworker, CreatedAt: exp.Add(-time.Hour), ExpiresAt: &exp}
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"role":"caseworker"`) || strings.Contains(string(raw), "revoked") {
		t.Fatalf("JSON %s: want the role by name and no revoked field while false", raw)
	}
	var out auth.Token
	if err := json.Unmarshal(raw, &out); err != nil || out.Role != in.Role || !out.ExpiresAt.Equal(exp) || out.Name != "alice" {
		t.Fatalf("round trip = %+v, %v", out, err)
	}
	if err := json.Unmarshal([]byte(`{"role":"superuser"}`), &out); err == nil {
		t.Fatal("an unknown stored role was accepted")
	}
}

func TestValidateTokenName(t *testing.T) {
	for name, ok := range map[string]bool{
		"alice":                  true,
		"case-importer_2.svc@hq": true,
		"":                       false,
		"two words":              false,
		"line\nbreak":            false,
		strings.Repeat("a", 64):  true,
		strings.Repeat("a", 65):  false,
		"token:alice":            false,
	} {
		if err := auth.ValidateTokenName(name); (err == nil) != ok {
			t.Errorf("ValidateTokenName(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}

func TestPrincipal(t *testing.T) {
	ctx := context.Background()
	if _, ok := auth.FromContext(ctx); ok {
		t.Fatal("a bare context has a principal")
	}
	p := auth.Principal{Name: "alice", TokenID: "0123456789ab", Role: auth.RoleViewer}
	got, ok := auth.FromContext(auth.WithPrincipal(ctx, p))
	if !ok || got != p || got.Actor() != "token:alice" || !got.Authenticated() {
		t.Fatalf("FromContext = %+v, %v; actor %q", got, ok, got.Actor())
	}
	if pub := auth.Public(); pub.Actor() != "public" || pub.Authenticated() || pub.Role != auth.RolePublic {
		t.Fatalf("Public() = %+v, actor %q", pub, pub.Actor())
	}
}

func TestErrorMessagesDoNotTellFailuresApart(t *testing.T) {
	msg := func(reason error) string { return (&auth.UnauthenticatedError{Reason: reason}).Error() }
	generic := msg(auth.ErrNoToken)
	for _, reason := range []error{auth.ErrMalformedToken, auth.ErrUnknownToken, auth.ErrTokenRevoked} {
		if msg(reason) != generic {
			t.Errorf("%v gives %q; want the same message as a missing token, %q", reason, msg(reason), generic)
		}
		if !errors.Is(&auth.UnauthenticatedError{Reason: reason}, reason) {
			t.Errorf("UnauthenticatedError does not unwrap to %v", reason)
		}
	}
	if !strings.Contains(generic, "Bearer") {
		t.Errorf("message %q does not say how to authenticate", generic)
	}
	if m := msg(auth.ErrTokenExpired); m == generic || !strings.Contains(m, "expired") {
		t.Errorf("expired message %q should say the token expired", m)
	}
	denied := (&auth.PermissionDeniedError{Method: "rightsdesk.v1.CaseService/ReopenCase", Need: auth.RoleAdmin, Have: auth.RoleViewer}).Error()
	if !strings.Contains(denied, "admin role") || !strings.Contains(denied, "viewer") {
		t.Errorf("permission message %q should name the role needed and held", denied)
	}
}
