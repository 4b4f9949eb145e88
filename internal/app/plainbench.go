package app

import (
	"context"
	"errors"
)

// personalDataAtRest says how the store keeps personal data.
type personalDataAtRest int

const (
	// sealedAtRest is every server's: sealed under the keyring (New).
	sealedAtRest personalDataAtRest = iota
	// plainForBench keeps personal data in clear, for NewPlainForBench.
	plainForBench
)

// NewPlainForBench is New over a store that keeps personal data in clear,
// so that `rightsdesk dev bench` can measure, in the same run, what
// encryption at rest costs CreateCase (issue 15 asks for the figure with
// and without it). It exists for that measurement alone: no flag, setting
// or environment variable reaches it, `serve` calls New, which refuses to
// start without a keyring, and TestOnlyTheBenchStartsAPlainServer fails if
// any package but internal/bench calls it. A store it writes is plain; a
// server later started on it with a keyring refuses it (store.ErrNotMigrated)
// rather than serving or mixing clear and sealed records.
func NewPlainForBench(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Keyring != nil {
		return nil, errors.New("a plain store is opened without a keyring: leave Config.Keyring empty")
	}
	return newApp(ctx, cfg, plainForBench)
}
