package store

import "fmt"

// Staff accounts are few (one per member of the privacy team), so lookups
// by email scan them rather than keep a second index that could disagree
// with the records. The records are encoded by internal/users, which the
// store does not import, so the account rules stay in one place.

// GetUser returns a copy of the record of the user with the given id, or
// ErrNotFound.
func GetUser(tx ReadTx, id string) ([]byte, error) {
	raw := tx.Get(BucketUsers, []byte(id))
	if raw == nil {
		return nil, fmt.Errorf("user %q: %w", id, ErrNotFound)
	}
	return append([]byte(nil), raw...), nil
}

// PutUser writes the record of the user with the given id, replacing any
// earlier one.
func PutUser(tx WriteTx, id string, record []byte) error {
	if id == "" {
		return fmt.Errorf("a user record needs an id")
	}
	return tx.Put(BucketUsers, []byte(id), record)
}

// EachUser visits every user record in id order. The record is valid only
// during the call.
func EachUser(tx ReadTx, fn func(id string, record []byte) error) error {
	return tx.Scan(BucketUsers, nil, func(k, v []byte) (bool, error) {
		return true, fn(string(k), v)
	})
}

// StaffName returns the remembered display name of an actor, or "".
func StaffName(tx ReadTx, actor string) string {
	return string(tx.Get(BucketStaffNames, []byte(actor)))
}

// PutStaffName remembers the display name of an actor without a local
// account.
func PutStaffName(tx WriteTx, actor, name string) error {
	if actor == "" || name == "" {
		return fmt.Errorf("a staff name needs an actor and a name")
	}
	return tx.Put(BucketStaffNames, []byte(actor), []byte(name))
}

// EachStaffName visits every remembered name in actor order.
func EachStaffName(tx ReadTx, fn func(actor, name string) error) error {
	return tx.Scan(BucketStaffNames, nil, func(k, v []byte) (bool, error) {
		return true, fn(string(k), string(v))
	})
}

var keySetupSecret = []byte("setup_secret")

// SetupSecret returns the stored record of the one-time link that creates
// the first administrator (encoded by internal/accounts), or nil.
func SetupSecret(tx ReadTx) []byte {
	if raw := tx.Get(BucketMeta, keySetupSecret); raw != nil {
		return append([]byte(nil), raw...)
	}
	return nil
}

// PutSetupSecret stores the record of the first-administrator link,
// replacing any earlier one.
func PutSetupSecret(tx WriteTx, record []byte) error {
	return tx.Put(BucketMeta, keySetupSecret, record)
}

// DeleteSetupSecret removes it, so its link works no more.
func DeleteSetupSecret(tx WriteTx) error { return tx.Delete(BucketMeta, keySetupSecret) }
