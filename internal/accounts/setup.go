package accounts

import (
	"cmp"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/users"
)

// A new installation has no administrator, and so nobody who could make
// one in the browser. At start the server asks SetupLink for a secret; while
// no administrator exists it gets one, valid for SetupLifetime and for one
// use, prints it as a link, and whoever opens it creates the first
// administrator with FirstAdministrator. Only the secret's SHA-256 is
// stored (with its expiry), so a copy of the database opens nothing.

// SetupLifetime is how long a set-up link works after the server printed it.
const SetupLifetime = time.Hour

var setupEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

type setupRecord struct {
	Hash    []byte    `json:"hash"`
	Expires time.Time `json:"expires"`
}

// errSetupRefused is the one answer for a link that is wrong, used or
// expired, so the page cannot be used to tell them apart.
var errSetupRefused = &fault.FailedPrecondition{Subject: "setup", Description: "this set-up link has expired or has already been used; restart the server for a new one (it prints one only while there is no administrator)"}

// SetupLink returns a fresh secret for the first-administrator link and
// when it expires, replacing any earlier one, or "" when an administrator
// exists and none is needed.
func (d *Directory) SetupLink(ctx context.Context) (secret string, expires time.Time, err error) {
	raw := make([]byte, 32)
	if _, err := io.ReadFull(d.random, raw); err != nil {
		return "", time.Time{}, fmt.Errorf("set-up secret: %w", err)
	}
	secret = setupEncoding.EncodeToString(raw)
	sum := sha256.Sum256([]byte(secret))
	expires = d.clock.Now().UTC().Add(SetupLifetime).Truncate(time.Second)
	rec, err := json.Marshal(setupRecord{Hash: sum[:], Expires: expires})
	if err != nil {
		return "", time.Time{}, err
	}
	err = d.store.Update(ctx, func(tx store.WriteTx) error {
		admin, err := anAdministrator(tx)
		if err != nil || admin {
			secret = ""
			return err
		}
		return store.PutSetupSecret(tx, rec)
	})
	if err != nil || secret == "" {
		return "", time.Time{}, err
	}
	return secret, expires, nil
}

// CheckSetupLink reports whether the secret opens the set-up page now, so
// the page can say at once that a link is dead instead of after the form.
func (d *Directory) CheckSetupLink(ctx context.Context, secret string) error {
	return d.store.View(ctx, func(tx store.ReadTx) error { return d.checkSetup(tx, secret) })
}

func (d *Directory) checkSetup(tx store.ReadTx, secret string) error {
	raw := store.SetupSecret(tx)
	admin, err := anAdministrator(tx)
	if raw == nil || admin || err != nil {
		return cmp.Or(err, error(errSetupRefused))
	}
	var rec setupRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return fmt.Errorf("decode the set-up secret: %w", err)
	}
	sum := sha256.Sum256([]byte(secret))
	if subtle.ConstantTimeCompare(sum[:], rec.Hash) != 1 || !d.clock.Now().Before(rec.Expires) {
		return errSetupRefused
	}
	return nil
}

// FirstAdministrator creates an administrator account through the set-up
// link and spends the link, in one transaction: it works once, before the
// link expires, and only while no administrator exists.
func (d *Directory) FirstAdministrator(ctx context.Context, secret string, in users.NewUser) (*users.User, error) {
	in.Role, in.By = auth.RoleAdmin, "setup-link"
	rec, err := d.newRecord(in)
	if err != nil {
		return nil, err
	}
	err = d.store.Update(ctx, func(tx store.WriteTx) error {
		if err := d.checkSetup(tx, secret); err != nil {
			return err
		}
		if err := store.DeleteSetupSecret(tx); err != nil {
			return err
		}
		return d.insert(tx, rec, in.By)
	})
	if err != nil {
		return nil, err
	}
	return &rec.User, nil
}

// anAdministrator reports whether an enabled administrator account exists,
// after which no set-up link is offered or honoured.
func anAdministrator(tx store.ReadTx) (bool, error) {
	admin, err := find(tx, func(r *record) bool { return r.Role == auth.RoleAdmin && !r.Disabled })
	return admin != nil, err
}
