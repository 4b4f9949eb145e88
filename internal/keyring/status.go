package keyring

import (
	"errors"
	"fmt"
	"maps"
	"slices"
)

// KeyStatus is one key-encryption key as `keys status` shows it: the
// keyring's view, and how many stored keys it wraps.
type KeyStatus struct {
	KeyInfo
	// Wraps is how many stored wrapped keys (data keys and the root) name
	// this key, as the caller counted them.
	Wraps int
	// Missing means the store has keys wrapped with it but the keyring does
	// not hold it: those keys cannot be unwrapped.
	Missing bool
}

// CanRetire reports whether the key may be retired now: not current, and
// wrapping nothing.
func (k KeyStatus) CanRetire() bool {
	return !k.Current && !k.Retired && !k.Missing && k.Wraps == 0
}

// CanRemove reports whether the key may be removed from the keyring now,
// as far as the store is concerned: retired, and wrapping nothing. Backups
// made before its retirement may still need it.
func (k KeyStatus) CanRemove() bool { return k.Retired && k.Wraps == 0 }

// Status is the keyring seen against a store.
type Status struct {
	Keys []KeyStatus // the keyring's keys oldest first, then any missing ones by id
}

// Status combines the keyring with wraps, the caller's count of stored
// wrapped keys per key id (the root secret included). Keys the store uses
// and the keyring lacks are listed as Missing.
func (r *Keyring) Status(wraps map[string]int) Status {
	var s Status
	for _, info := range r.Keys() {
		s.Keys = append(s.Keys, KeyStatus{KeyInfo: info, Wraps: wraps[info.ID]})
	}
	for _, id := range slices.Sorted(maps.Keys(wraps)) {
		if r.key(id) == nil && wraps[id] > 0 {
			s.Keys = append(s.Keys, KeyStatus{KeyInfo: KeyInfo{ID: id}, Wraps: wraps[id], Missing: true})
		}
	}
	return s
}

// Rotated reports whether every stored key is wrapped with the current key:
// nothing is left for Rewrap to move.
func (s Status) Rotated() bool {
	return !slices.ContainsFunc(s.Keys, func(k KeyStatus) bool { return !k.Current && k.Wraps > 0 })
}

// Err says which stored keys cannot be unwrapped with this keyring — those
// wrapped with a missing key (ErrUnknownKey) or a retired one
// (ErrRetiredKey) — or nil when all can. A server should refuse to start on
// it rather than fail case by case.
func (s Status) Err() error {
	var errs []error
	for _, k := range s.Keys {
		switch {
		case k.Wraps == 0:
		case k.Missing:
			errs = append(errs, fmt.Errorf("%w: %d stored keys are wrapped with %q", ErrUnknownKey, k.Wraps, k.ID))
		case k.Retired:
			errs = append(errs, fmt.Errorf("%w: %d stored keys are wrapped with %q", ErrRetiredKey, k.Wraps, k.ID))
		}
	}
	return errors.Join(errs...)
}
