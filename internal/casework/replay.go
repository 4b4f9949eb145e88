package casework

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/leader"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// StatusTokenReplay is how long after a create a retry of it (same
// request id, same request) is given the case's status token again. The
// token is the requester's key to the status page and is shown nowhere
// else, so a client whose first answer was lost needs it; after an hour a
// retry is no longer a lost answer but a second look, and gets the case
// without it.
const StatusTokenReplay = time.Hour

// requestFingerprint identifies a create request: the SHA-256 of its
// canonical form (encoding/json, which writes struct fields in their
// declared order and map keys sorted), taken as the client sent it,
// before any default is filled in.
func requestFingerprint(req cases.NewCase) ([]byte, error) {
	canonical, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("fingerprint the request: %w", err)
	}
	sum := sha256.Sum256(canonical)
	return sum[:], nil
}

// retriedCreate answers a create whose request id an earlier create used:
// nil when none did; the earlier case, with its status token within
// StatusTokenReplay, when the request is the same; a *fault.RequestReused
// naming the case when it differs. A case created before fingerprints
// were kept, or purged since (its key, which sealed them, is gone), is
// given back as a retry without a token, as it was before.
func (s *Service) retriedCreate(tx store.ReadTx, requestID string, fingerprint []byte) (*usecase.CreateResult, error) {
	existing, err := existingRequest(tx, requestID)
	if existing == nil || err != nil {
		return nil, err
	}
	result := &usecase.CreateResult{Case: existing}
	if existing.Purged != nil {
		return result, nil
	}
	replay, err := store.GetRequestReplay(tx, requestID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return result, nil
	case err != nil:
		return nil, err
	case subtle.ConstantTimeCompare(replay.Fingerprint, fingerprint) != 1:
		return nil, &fault.RequestReused{RequestID: requestID, Name: existing.Name(),
			Detail: "that request opened case " + existing.Reference}
	case s.clock.Now().Sub(replay.Created) < StatusTokenReplay:
		result.StatusToken = replay.StatusToken
	}
	return result, nil
}

// replaySweepBatch bounds the tokens one sweep transaction deletes, so the
// sweep never holds a commit long.
const replaySweepBatch = 500

// SweepReplayTokens deletes the status tokens kept for retries of creates
// once StatusTokenReplay has passed since their create — a retry no longer
// gets them, so keeping them only keeps a secret longer than needed — in
// batches, one transaction each, and says how many it deleted.
func (s *Service) SweepReplayTokens(ctx context.Context, tx Transactor) (int, error) {
	expired := s.clock.Now().Add(-StatusTokenReplay) // and older: see retriedCreate
	total := 0
	for {
		var n int
		err := tx.Update(ctx, func(wtx store.WriteTx) (err error) {
			n, err = store.DropReplayTokens(wtx, expired, replaySweepBatch)
			return err
		})
		total += n
		if err != nil || n < replaySweepBatch {
			return total, err
		}
	}
}

// ReplayTokenJob sweeps expired status tokens (SweepReplayTokens) every
// poll, on the leader.
func (s *Service) ReplayTokenJob(poll time.Duration) leader.Job {
	return leader.Job{Name: "replay-token-sweep", Run: func(ctx context.Context, lead *leader.Lead) error {
		for {
			if _, err := s.SweepReplayTokens(ctx, lead); err != nil {
				return err
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(poll):
			}
		}
	}}
}
