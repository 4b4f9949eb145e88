package casework

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

// FeedTokenPrefix starts every calendar feed token, so a leaked feed URL is
// easy to recognise for what it is.
const FeedTokenPrefix = "rdcal_"

var feedEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// IssueFeedToken makes a new secret for owner's calendar feed URL and
// revokes any earlier one. Only its SHA-256 is stored; the token is shown
// once. It has 256 random bits, so it cannot be guessed, and a plain hash is
// enough to keep a copy of the database from yielding working URLs.
func (s *Service) IssueFeedToken(ctx context.Context, owner string) (string, error) {
	if strings.TrimSpace(owner) == "" {
		return "", fault.Invalid("owner", "a calendar feed belongs to someone")
	}
	raw := make([]byte, 32)
	if _, err := io.ReadFull(s.random, raw); err != nil {
		return "", fmt.Errorf("feed token: %w", err)
	}
	token := FeedTokenPrefix + feedEncoding.EncodeToString(raw)
	err := s.store.Update(ctx, func(tx store.WriteTx) error {
		return store.PutFeedToken(tx, owner, hashFeedToken(token))
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// FeedOwner returns whose calendar feed a token opens. An unknown, revoked
// or malformed token is a plain NOT_FOUND.
func (s *Service) FeedOwner(ctx context.Context, token string) (string, error) {
	var owner string
	err := s.store.View(ctx, func(tx store.ReadTx) (err error) {
		owner, err = store.FeedTokenOwner(tx, hashFeedToken(token))
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return "", &fault.NotFound{Resource: "calendar feed"}
	}
	return owner, err
}

// RevokeFeedToken stops owner's calendar feed URL working.
func (s *Service) RevokeFeedToken(ctx context.Context, owner string) error {
	return s.store.Update(ctx, func(tx store.WriteTx) error { return store.DeleteFeedTokens(tx, owner) })
}

func hashFeedToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}
