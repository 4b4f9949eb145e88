package tokens_test

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/tokens"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

var ctx = context.Background()

// start is the tests' clock at the beginning; it has a fraction of a
// second, which token times drop.
var start = time.Date(2026, 3, 2, 9, 0, 0, 500_000_000, time.UTC)

func newService(t *testing.T) (*tokens.Service, *clock.Manual, *store.Store) {
	t.Helper()
	st := caseworktest.OpenStore(t, t.TempDir())
	clk := clock.NewManual(start)
	return tokens.New(st, clk, crand.Reader), clk, st
}

func mustCreate(t *testing.T, s *tokens.Service, in usecase.NewToken) *usecase.CreatedToken {
	t.Helper()
	if in.By == "" {
		in.By = "cli:test"
	}
	created, err := s.Create(ctx, in)
	if err != nil {
		t.Fatalf("Create(%+v): %v", in, err)
	}
	return created
}

// events returns the audit events about the token with the given id.
func events(t *testing.T, st *store.Store, id string) []audit.Event {
	t.Helper()
	var out []audit.Event
	err := st.View(ctx, func(tx store.ReadTx) (err error) {
		out, _, err = store.CaseEvents(tx, audit.TokenSubject(id))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCreate(t *testing.T) {
	s, _, st := newService(t)
	created := mustCreate(t, s, usecase.NewToken{Name: "case-importer", Role: auth.RoleCaseworker, Lifetime: 30 * 24 * time.Hour, By: "token:ops"})

	if !auth.WellFormed(created.Plaintext) {
		t.Fatalf("plaintext %q is not a well-formed token", created.Plaintext)
	}
	tok := created.Token
	second := start.Truncate(time.Second)
	if tok.ID != auth.TokenID(auth.HashToken(created.Plaintext)) || tok.Name != "case-importer" || tok.Role != auth.RoleCaseworker ||
		!tok.CreatedAt.Equal(second) || tok.ExpiresAt == nil || !tok.ExpiresAt.Equal(second.Add(30*24*time.Hour)) || tok.Revoked {
		t.Fatalf("created record = %+v", tok)
	}
	if forever := mustCreate(t, s, usecase.NewToken{Name: "forever", Role: auth.RoleViewer}); forever.Token.ExpiresAt != nil {
		t.Errorf("a token without a lifetime expires at %v", forever.Token.ExpiresAt)
	}

	p, err := s.Authenticate(ctx, created.Plaintext)
	if err != nil || p != (auth.Principal{Name: "case-importer", TokenID: tok.ID, Role: auth.RoleCaseworker}) {
		t.Fatalf("Authenticate(new token) = %+v, %v", p, err)
	}

	evs := events(t, st, tok.ID)
	if len(evs) != 1 || evs[0].Action != "token.created" || evs[0].Actor != "token:ops" || evs[0].After["role"] != "caseworker" || evs[0].After["name"] != "case-importer" {
		t.Fatalf("audit events = %+v, want one token.created by token:ops", evs)
	}
	hash := hex.EncodeToString(auth.HashToken(created.Plaintext))
	for k, v := range evs[0].After {
		if strings.Contains(v, created.Plaintext) || strings.Contains(v, hash) {
			t.Errorf("the audit event's %s holds the token or its hash", k)
		}
	}
}

func TestCreateRefusesBadInput(t *testing.T) {
	s, _, st := newService(t)
	for _, tt := range []struct {
		in     usecase.NewToken
		fields []string
	}{
		{usecase.NewToken{Name: "", Role: auth.RoleViewer}, []string{"name"}},
		{usecase.NewToken{Name: strings.Repeat("a", 65), Role: auth.RoleViewer}, []string{"name"}},
		{usecase.NewToken{Name: "alice smith", Role: auth.RoleViewer}, []string{"name"}},
		{usecase.NewToken{Name: "alice", Role: auth.RolePublic}, []string{"role"}},
		{usecase.NewToken{Name: "alice", Role: auth.RoleNone}, []string{"role"}},
		{usecase.NewToken{Name: "alice", Role: auth.RoleViewer, Lifetime: -time.Second}, []string{"lifetime"}},
		{usecase.NewToken{Name: "", Role: auth.Role(9), Lifetime: -time.Hour}, []string{"name", "role", "lifetime"}},
	} {
		_, err := s.Create(ctx, tt.in)
		var invalid *fault.InvalidArgument
		if !errors.As(err, &invalid) {
			t.Errorf("Create(%+v) = %v, want InvalidArgument", tt.in, err)
			continue
		}
		var fields []string
		for _, v := range invalid.Violations {
			fields = append(fields, v.Field)
		}
		if !slices.Equal(fields, tt.fields) {
			t.Errorf("Create(%+v) names %v, want %v", tt.in, fields, tt.fields)
		}
	}
	if list, err := s.List(ctx); err != nil || len(list) != 0 {
		t.Fatalf("after refused creates, List = %v, %v; want nothing stored", list, err)
	}
	if res, err := casework.VerifyChain(ctx, st); err != nil || res.Events != 0 {
		t.Fatalf("after refused creates the chain has %d events (%v); want none", res.Events, err)
	}
}

func TestListIsOldestFirstThenByID(t *testing.T) {
	s, clk, _ := newService(t)
	first := mustCreate(t, s, usecase.NewToken{Name: "zed", Role: auth.RoleAdmin})
	clk.Advance(time.Hour)
	var sameSecond []string
	for _, name := range []string{"bob", "amy", "cat"} {
		sameSecond = append(sameSecond, mustCreate(t, s, usecase.NewToken{Name: name, Role: auth.RoleViewer}).Token.ID)
	}
	slices.Sort(sameSecond)
	clk.Advance(time.Minute)
	last := mustCreate(t, s, usecase.NewToken{Name: "aaa", Role: auth.RoleViewer})

	list, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tok := range list {
		got = append(got, tok.ID)
	}
	want := append(append([]string{first.Token.ID}, sameSecond...), last.Token.ID)
	if !slices.Equal(got, want) {
		t.Fatalf("List ids = %v, want %v (by creation time, then id)", got, want)
	}
}

func TestRevokeIsImmediateIdempotentAndAudited(t *testing.T) {
	s, clk, st := newService(t)
	created := mustCreate(t, s, usecase.NewToken{Name: "alice", Role: auth.RoleCaseworker})
	other := mustCreate(t, s, usecase.NewToken{Name: "bob", Role: auth.RoleCaseworker})
	clk.Advance(time.Minute)

	for i := range 2 {
		tok, err := s.Revoke(ctx, created.Token.ID, "token:ops")
		if err != nil || tok == nil || !tok.Revoked || tok.ID != created.Token.ID || tok.Name != "alice" {
			t.Fatalf("Revoke #%d = %+v, %v", i+1, tok, err)
		}
		if _, err := s.Authenticate(ctx, created.Plaintext); !errors.Is(err, auth.ErrTokenRevoked) {
			t.Fatalf("Authenticate after revoke #%d = %v, want ErrTokenRevoked", i+1, err)
		}
	}
	if _, err := s.Authenticate(ctx, other.Plaintext); err != nil {
		t.Fatalf("revoking alice's token stopped bob's: %v", err)
	}
	list, err := s.List(ctx)
	revokedByName := map[string]bool{}
	for _, tok := range list {
		revokedByName[tok.Name] = tok.Revoked
	}
	if err != nil || len(list) != 2 || !revokedByName["alice"] || revokedByName["bob"] {
		t.Fatalf("List after revoking = %+v, %v; want alice's revoked, bob's not", list, err)
	}

	evs := events(t, st, created.Token.ID)
	var actions []string
	for _, e := range evs {
		actions = append(actions, e.Action+" by "+e.Actor+" revoked="+e.After["revoked"])
	}
	want := []string{"token.created by cli:test revoked=false", "token.revoked by token:ops revoked=true"} // the second revoke changed nothing
	if !slices.Equal(actions, want) {
		t.Fatalf("audit events %q, want %q", actions, want)
	}
	if !evs[1].Time.Equal(start.Add(time.Minute)) {
		t.Errorf("the revocation is recorded at %v, want %v", evs[1].Time, start.Add(time.Minute))
	}
	if res, err := casework.VerifyChain(ctx, st); err != nil || res.Events != 3 {
		t.Fatalf("VerifyChain = %+v, %v; want an intact chain of 3 events (two creations, one revocation)", res, err)
	}

	_, err = s.Revoke(ctx, "000000000000", "token:ops")
	var notFound *fault.NotFound
	if !errors.As(err, &notFound) || notFound.Name != "tokens/000000000000" {
		t.Fatalf("Revoke(unknown) = %v, want NotFound naming tokens/000000000000", err)
	}
}

func TestAuthenticateRefusesUnknownRevokedAndExpiredTokens(t *testing.T) {
	s, clk, _ := newService(t)
	unknown, _, err := auth.NewToken(crand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, plaintext := range []string{unknown, "", "garbage"} {
		if p, err := s.Authenticate(ctx, plaintext); !errors.Is(err, auth.ErrUnknownToken) || p != (auth.Principal{}) {
			t.Errorf("Authenticate(%q) = %+v, %v; want ErrUnknownToken", plaintext, p, err)
		}
	}

	hour := mustCreate(t, s, usecase.NewToken{Name: "temp", Role: auth.RoleViewer, Lifetime: time.Hour})
	clk.Advance(59 * time.Minute)
	if _, err := s.Authenticate(ctx, hour.Plaintext); err != nil {
		t.Fatalf("a token one minute before it expires: %v", err)
	}
	clk.Advance(time.Minute)
	if p, err := s.Authenticate(ctx, hour.Plaintext); !errors.Is(err, auth.ErrTokenExpired) || p != (auth.Principal{}) {
		t.Fatalf("a token at its expiry = %+v, %v; want ErrTokenExpired", p, err)
	}

	revoked := mustCreate(t, s, usecase.NewToken{Name: "gone", Role: auth.RoleAdmin})
	if _, err := s.Revoke(ctx, revoked.Token.ID, "cli:test"); err != nil {
		t.Fatal(err)
	}
	if p, err := s.Authenticate(ctx, revoked.Plaintext); !errors.Is(err, auth.ErrTokenRevoked) || p != (auth.Principal{}) {
		t.Fatalf("a revoked token = %+v, %v; want ErrTokenRevoked", p, err)
	}
}

// A token's record says who made it and when it was last used, the use
// written at most once a minute however often it is presented.
func TestCreatorAndLastUse(t *testing.T) {
	s, clk, st := newService(t)
	created := mustCreate(t, s, usecase.NewToken{Name: "importer", Role: auth.RoleCaseworker, By: "user:0123456789ab"})
	lastUsed := func() *time.Time {
		t.Helper()
		list, err := s.List(ctx)
		if err != nil || len(list) != 1 {
			t.Fatalf("List = %v, %v", list, err)
		}
		if list[0].CreatedBy != "user:0123456789ab" {
			t.Errorf("created by %q, want user:0123456789ab", list[0].CreatedBy)
		}
		return list[0].LastUsed
	}
	if at := lastUsed(); at != nil {
		t.Fatalf("a token never presented was last used at %v", at)
	}
	events := func() uint64 {
		res, err := casework.VerifyChain(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		return res.Events
	}
	before := events()

	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if _, err := s.Authenticate(ctx, created.Plaintext); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	first := start.Truncate(time.Second)
	if at := lastUsed(); at == nil || !at.Equal(first) {
		t.Fatalf("after 16 calls at once, last used %v, want %v", at, first)
	}
	clk.Advance(tokens.UseResolution / 2)
	if _, err := s.Authenticate(ctx, created.Plaintext); err != nil {
		t.Fatal(err)
	}
	if at := lastUsed(); !at.Equal(first) {
		t.Errorf("a call within the resolution moved last use to %v", at)
	}
	clk.Advance(tokens.UseResolution)
	if _, err := s.Authenticate(ctx, created.Plaintext); err != nil {
		t.Fatal(err)
	}
	if at, want := lastUsed(), clk.Now().Truncate(time.Second); !at.Equal(want) {
		t.Errorf("a call after the resolution: last used %v, want %v", at, want)
	}
	if after := events(); after != before {
		t.Errorf("noting use appended %d audit events; it is not a change to the token", after-before)
	}
	if _, err := s.Revoke(ctx, created.Token.ID, "cli:test"); err != nil {
		t.Fatal(err)
	}
	clk.Advance(tokens.UseResolution)
	if _, err := s.Authenticate(ctx, created.Plaintext); !errors.Is(err, auth.ErrTokenRevoked) {
		t.Fatalf("a revoked token: %v", err)
	}
	list, _ := s.List(ctx)
	if !list[0].Revoked {
		t.Error("noting a use undid the revocation")
	}
}
