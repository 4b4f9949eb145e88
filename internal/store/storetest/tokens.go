package storetest

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

func testTokens(t *testing.T, h Harness) {
	b, dir := open(t, h)
	s, err := store.Open(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	expires := created.Add(720 * time.Hour)
	hashOf := func(s string) []byte { sum := sha256.Sum256([]byte(s)); return sum[:] }
	tokens := []struct {
		hash []byte
		tok  auth.Token
	}{
		// Stored in an order that is neither creation nor key order.
		{hashOf("carol"), auth.Token{ID: "cccccccccccc", Name: "carol", Role: auth.RoleViewer, CreatedAt: created.Add(2 * time.Hour)}},
		{hashOf("alice"), auth.Token{ID: "aaaaaaaaaaaa", Name: "alice", Role: auth.RoleAdmin, CreatedAt: created, ExpiresAt: &expires}},
		{hashOf("bob"), auth.Token{ID: "bbbbbbbbbbbb", Name: "bob", Role: auth.RoleCaseworker, CreatedAt: created.Add(time.Hour)}},
	}
	for _, tt := range tokens {
		if err := s.Update(ctx, func(tx store.WriteTx) error { return store.PutToken(tx, tt.hash, &tt.tok) }); err != nil {
			t.Fatalf("PutToken(%s): %v", tt.tok.Name, err)
		}
	}

	view := func(fn func(tx store.ReadTx) error) {
		t.Helper()
		if err := s.View(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	var got *auth.Token
	view(func(tx store.ReadTx) (err error) { got, err = store.TokenByHash(tx, hashOf("alice")); return err })
	if got.ID != "aaaaaaaaaaaa" || got.Role != auth.RoleAdmin || !got.CreatedAt.Equal(created) || got.ExpiresAt == nil || !got.ExpiresAt.Equal(expires) || got.Revoked {
		t.Fatalf("TokenByHash(alice) = %+v", got)
	}
	view(func(tx store.ReadTx) error {
		if _, err := store.TokenByHash(tx, hashOf("mallory")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown hash: got %v, want ErrNotFound", err)
		}
		return nil
	})

	var list []auth.Token
	view(func(tx store.ReadTx) (err error) { list, err = store.ListTokens(tx); return err })
	var names []string
	for _, tok := range list {
		names = append(names, tok.Name)
	}
	if len(names) != 3 || names[0] != "alice" || names[1] != "bob" || names[2] != "carol" {
		t.Fatalf("ListTokens = %v, want alice, bob, carol (oldest first)", names)
	}

	// An id another token has is refused; rewriting a token under its own
	// hash is not.
	dup := auth.Token{ID: "bbbbbbbbbbbb", Name: "bob2", Role: auth.RoleViewer, CreatedAt: created}
	if err := s.Update(ctx, func(tx store.WriteTx) error { return store.PutToken(tx, hashOf("bob2"), &dup) }); !errors.Is(err, store.ErrTokenIDTaken) {
		t.Errorf("PutToken with a taken id: got %v, want ErrTokenIDTaken", err)
	}
	same := tokens[2].tok
	if err := s.Update(ctx, func(tx store.WriteTx) error { return store.PutToken(tx, hashOf("bob"), &same) }); err != nil {
		t.Errorf("rewriting a token under its own hash: %v", err)
	}
	for name, bad := range map[string]func(tx store.WriteTx) error{
		"short hash": func(tx store.WriteTx) error {
			return store.PutToken(tx, []byte("short"), &auth.Token{ID: "x", Name: "x", Role: auth.RoleViewer})
		},
		"no id": func(tx store.WriteTx) error {
			return store.PutToken(tx, hashOf("x"), &auth.Token{Name: "x", Role: auth.RoleViewer})
		},
		"no role": func(tx store.WriteTx) error { return store.PutToken(tx, hashOf("x"), &auth.Token{ID: "x", Name: "x"}) },
	} {
		if err := s.Update(ctx, bad); err == nil {
			t.Errorf("PutToken with %s was stored", name)
		}
	}

	if err := s.Update(ctx, func(tx store.WriteTx) error { _, _, err := store.RevokeToken(tx, "bbbbbbbbbbbb"); return err }); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, func(tx store.WriteTx) error { _, _, err := store.RevokeToken(tx, "bbbbbbbbbbbb"); return err }); err != nil {
		t.Errorf("revoking twice: %v", err)
	}
	if err := s.Update(ctx, func(tx store.WriteTx) error { _, _, err := store.RevokeToken(tx, "000000000000"); return err }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoking an unknown id: got %v, want ErrNotFound", err)
	}

	// Revocation is durable and touches only its token.
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b = h.Open(t, dir)
	t.Cleanup(func() { _ = b.Close() })
	if s, err = store.Open(ctx, b); err != nil {
		t.Fatal(err)
	}
	view(func(tx store.ReadTx) (err error) { list, err = store.ListTokens(tx); return err })
	for _, tok := range list {
		if tok.Revoked != (tok.Name == "bob") {
			t.Errorf("after reopen %s revoked = %v", tok.Name, tok.Revoked)
		}
	}
	view(func(tx store.ReadTx) (err error) { got, err = store.TokenByHash(tx, hashOf("bob")); return err })
	if !got.Revoked || got.Role != auth.RoleCaseworker {
		t.Errorf("TokenByHash(bob) after revoke = %+v", got)
	}
}

// PutTestTokens stores one usable, never-expiring token per staff role in s,
// each named after its role, and returns the tokens by role: for end-to-end
// tests that call protected RPCs. Put them before the server opens the
// database, or through the server's own store.
func PutTestTokens(t testing.TB, s *store.Store) map[auth.Role]string {
	t.Helper()
	out := map[auth.Role]string{}
	err := s.Update(t.Context(), func(tx store.WriteTx) error {
		for _, role := range auth.StaffRoles {
			plaintext, hash, err := auth.NewToken(rand.Reader)
			if err != nil {
				return err
			}
			tok := auth.Token{ID: auth.TokenID(hash), Name: role.String(), Role: role, CreatedAt: time.Unix(0, 0).UTC()}
			if err := store.PutToken(tx, hash, &tok); err != nil {
				return err
			}
			out[role] = plaintext
		}
		return nil
	})
	if err != nil {
		t.Fatalf("put test tokens: %v", err)
	}
	return out
}

func testStaffNames(t *testing.T, h Harness) {
	s := openStore(t, h)
	for _, n := range [][2]string{{"oidc:zed", "Zed"}, {"oidc:amy", "Amy"}, {"oidc:zed", "Zed Renamed"}} {
		if err := s.Update(ctx, func(tx store.WriteTx) error { return store.PutStaffName(tx, n[0], n[1]) }); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Update(ctx, func(tx store.WriteTx) error { return store.PutStaffName(tx, "", "Nobody") }); err == nil {
		t.Error("a name without an actor was stored")
	}
	_ = s.View(ctx, func(tx store.ReadTx) error {
		var got [][2]string
		if err := store.EachStaffName(tx, func(actor, name string) error { got = append(got, [2]string{actor, name}); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0] != [2]string{"oidc:amy", "Amy"} || got[1] != [2]string{"oidc:zed", "Zed Renamed"} {
			t.Errorf("EachStaffName = %v, want amy then zed with the newer name", got)
		}
		if store.StaffName(tx, "oidc:amy") != "Amy" || store.StaffName(tx, "oidc:nobody") != "" {
			t.Error("StaffName does not read back what was stored")
		}
		return nil
	})
}
