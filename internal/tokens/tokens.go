package tokens

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

var _ usecase.Tokens = (*Service)(nil)

// Service keeps API tokens in the store.
type Service struct {
	store  *store.Store
	clock  clock.Clock
	random io.Reader

	// noted is when this process last wrote each token's last use, so
	// concurrent calls with one token write it once per UseResolution.
	notedMu sync.Mutex
	noted   map[string]time.Time
}

// UseResolution is how finely a token's last use is kept. Its record is
// written at most once per period whatever the call rate, so checking a
// token stays a read on all but one call a minute, and the time shown is
// right to the minute.
const UseResolution = time.Minute

// New returns a Service. random supplies the tokens (crypto/rand.Reader
// outside tests).
func New(st *store.Store, c clock.Clock, random io.Reader) *Service {
	return &Service{store: st, clock: c, random: random, noted: map[string]time.Time{}}
}

func validate(in usecase.NewToken) error {
	var v []fault.FieldViolation
	if err := auth.ValidateTokenName(in.Name); err != nil {
		v = append(v, fault.FieldViolation{Field: "name", Description: err.Error()})
	}
	if !in.Role.IsStaff() {
		v = append(v, fault.FieldViolation{Field: "role", Description: "choose viewer, caseworker or admin"})
	}
	if in.Lifetime < 0 {
		v = append(v, fault.FieldViolation{Field: "lifetime", Description: "want a positive duration, or none for a token that never expires"})
	}
	if len(v) > 0 {
		return &fault.InvalidArgument{Violations: v}
	}
	return nil
}

// tokenIDTries bounds retries when a new token's 48-bit id collides with
// another's, which is all but impossible.
const tokenIDTries = 3

// Create makes a token. Its plaintext is returned once and never stored.
// A call with a request id an earlier create used makes nothing and is
// refused with a fault.RequestReused: a retry (same name, role and
// lifetime) cannot be given the secret again, since only its hash is
// kept, and answering it with the record alone would hand a client that
// lost the first answer a success with no token in it.
func (s *Service) Create(ctx context.Context, in usecase.NewToken) (*usecase.CreatedToken, error) {
	if err := cases.CheckRequestID(in.RequestID); err != nil {
		return nil, err
	}
	if err := validate(in); err != nil {
		return nil, err
	}
	now := s.clock.Now().UTC().Truncate(time.Second)
	tok := auth.Token{Name: in.Name, Role: in.Role, CreatedAt: now, CreatedBy: in.By}
	if in.RequestID != "" {
		tok.RequestID, tok.RequestDigest = in.RequestID, requestDigest(in)
	}
	if in.Lifetime > 0 {
		at := now.Add(in.Lifetime)
		tok.ExpiresAt = &at
	}
	for attempt := 1; ; attempt++ {
		plaintext, hash, err := auth.NewToken(s.random)
		if err != nil {
			return nil, err
		}
		tok.ID = auth.TokenID(hash)
		err = s.store.Update(ctx, func(tx store.WriteTx) error {
			if err := refuseReused(tx, &tok); err != nil {
				return err
			}
			if err := store.PutToken(tx, hash, &tok); err != nil {
				return err
			}
			return appendTokenEvent(tx, &tok, "token.created", in.By, now)
		})
		if errors.Is(err, store.ErrTokenIDTaken) && attempt < tokenIDTries {
			continue
		}
		if err != nil {
			return nil, err
		}
		return &usecase.CreatedToken{Plaintext: plaintext, Token: tok}, nil
	}
}

// requestDigest identifies what a create asks for, so that a second call
// with its request id can be told apart as a retry or a reuse of the id
// for another token. Who sends it is left out: a retry is the same request
// whoever sends it.
func requestDigest(in usecase.NewToken) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%d", in.Name, in.Role, in.Lifetime))
	return hex.EncodeToString(sum[:])
}

// refuseReused refuses to create tok when an earlier token was created
// with its request id. Tokens are few (one per tool or person), so their
// records are scanned rather than indexed by request id; the scan runs in
// the transaction that writes tok, so two concurrent calls with one id
// cannot both create.
func refuseReused(tx store.ReadTx, tok *auth.Token) error {
	if tok.RequestID == "" {
		return nil
	}
	all, err := store.ListTokens(tx)
	if err != nil {
		return err
	}
	for _, t := range all {
		if t.RequestID != tok.RequestID {
			continue
		}
		name := "tokens/" + t.ID
		if t.RequestDigest != tok.RequestDigest {
			return &fault.RequestReused{RequestID: tok.RequestID, Name: name}
		}
		return &fault.RequestReused{RequestID: tok.RequestID, Name: name, Retry: true,
			Detail: "a token is shown only once; if that answer was lost, revoke " + name + " and create another with a new request_id"}
	}
	return nil
}

// List returns every token record, oldest first; never a token itself.
func (s *Service) List(ctx context.Context) (tokens []auth.Token, err error) {
	err = s.store.View(ctx, func(tx store.ReadTx) error {
		tokens, err = store.ListTokens(tx)
		return err
	})
	return tokens, err
}

// Revoke stops the token with the given public id working, from the next
// call on. Revoking a revoked token changes nothing and is not an error.
func (s *Service) Revoke(ctx context.Context, id, by string) (*auth.Token, error) {
	var revoked *auth.Token
	err := s.store.Update(ctx, func(tx store.WriteTx) error {
		t, changed, err := store.RevokeToken(tx, id)
		if errors.Is(err, store.ErrNotFound) {
			return &fault.NotFound{Resource: "token", Name: "tokens/" + id, Detail: "list the tokens to see their ids"}
		}
		if err != nil || !changed {
			revoked = t
			return err
		}
		revoked = t
		return appendTokenEvent(tx, t, "token.revoked", by, s.clock.Now())
	})
	return revoked, err
}

// Authenticate finds the token by its hash and checks it is usable now.
// Looking a token up by its SHA-256 means no secret is ever compared here,
// so there is no secret-dependent comparison to time. It returns auth's
// errors for a token that is unknown, revoked or expired.
func (s *Service) Authenticate(ctx context.Context, plaintext string) (auth.Principal, error) {
	var t *auth.Token
	err := s.store.View(ctx, func(tx store.ReadTx) (err error) {
		t, err = store.TokenByHash(tx, auth.HashToken(plaintext))
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return auth.Principal{}, auth.ErrUnknownToken
	}
	if err != nil {
		return auth.Principal{}, fmt.Errorf("look up token: %w", err)
	}
	now := s.clock.Now()
	if err := t.Usable(now); err != nil {
		return auth.Principal{}, fmt.Errorf("token %s: %w", t.ID, err)
	}
	s.noteUse(ctx, t, auth.HashToken(plaintext), now)
	return auth.Principal{Name: t.Name, TokenID: t.ID, Role: t.Role}, nil
}

// noteUse records that the token t, stored under hash, was used at now,
// unless its record or this process noted a use within UseResolution.
// It is best effort: a token that checks out is never refused because the
// note of its use could not be written (a store that is read-only for a
// while, say), so a failure here is dropped; the next call tries again.
func (s *Service) noteUse(ctx context.Context, t *auth.Token, hash []byte, now time.Time) {
	since := now.Add(-UseResolution)
	if t.LastUsed != nil && t.LastUsed.After(since) {
		return
	}
	s.notedMu.Lock()
	if last, ok := s.noted[t.ID]; ok && last.After(since) {
		s.notedMu.Unlock()
		return
	}
	s.noted[t.ID] = now
	s.notedMu.Unlock()
	at := now.UTC().Truncate(time.Second)
	err := s.store.Update(ctx, func(tx store.WriteTx) error {
		cur, err := store.TokenByHash(tx, hash)
		if err != nil || cur.LastUsed != nil && !cur.LastUsed.Before(at) {
			return err
		}
		cur.LastUsed = &at
		return store.PutToken(tx, hash, cur)
	})
	if err != nil {
		s.notedMu.Lock()
		delete(s.noted, t.ID)
		s.notedMu.Unlock()
	}
}

// appendTokenEvent chains a change to a token: its name, role and state,
// never the token or its hash.
func appendTokenEvent(tx store.WriteTx, t *auth.Token, action, by string, now time.Time) error {
	after := map[string]string{"name": t.Name, "role": t.Role.String(), "revoked": strconv.FormatBool(t.Revoked)}
	if t.ExpiresAt != nil {
		after["expires"] = t.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return store.AppendEvent(tx, &audit.Event{CaseID: audit.TokenSubject(t.ID), Time: now.UTC(), Actor: by, Action: action, After: after}, nil)
}
