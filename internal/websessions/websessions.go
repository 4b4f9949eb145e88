package websessions

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/store"
)

// Store keeps web sessions in the store.
type Store struct {
	store  *store.Store
	random io.Reader
}

// New returns a Store. random supplies the signing secret the first time
// one is needed (crypto/rand.Reader outside tests).
func New(st *store.Store, random io.Reader) *Store { return &Store{store: st, random: random} }

// Secret returns the key sessions are signed with, creating it on first use.
func (s *Store) Secret(ctx context.Context) (secret []byte, err error) {
	err = s.store.Update(ctx, func(tx store.WriteTx) error {
		secret, err = store.WebSecret(tx, s.random)
		return err
	})
	return secret, err
}

// Get returns the record of the session, and false when there is none.
func (s *Store) Get(ctx context.Context, created time.Time, id []byte) (record []byte, found bool, err error) {
	err = s.store.View(ctx, func(tx store.ReadTx) error {
		record, err = store.GetWebSession(tx, created, id)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	}
	return record, err == nil, err
}

// Put stores the record of a session and, in the same transaction, deletes
// every session created before expireBefore.
func (s *Store) Put(ctx context.Context, created time.Time, id, record []byte, expireBefore time.Time) error {
	return s.store.Update(ctx, func(tx store.WriteTx) error {
		if _, err := store.DeleteWebSessionsCreatedBefore(tx, expireBefore); err != nil {
			return err
		}
		return store.PutWebSession(tx, created, id, record)
	})
}

// Delete removes the record of a session; removing a missing one is not an
// error.
func (s *Store) Delete(ctx context.Context, created time.Time, id []byte) error {
	return s.store.Update(ctx, func(tx store.WriteTx) error {
		return store.DeleteWebSession(tx, created, id)
	})
}
