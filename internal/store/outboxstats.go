package store

import (
	"encoding/binary"
	"time"
)

// OutboxStats is how the letters waiting to be sent stand, for the
// operators' gauges.
type OutboxStats struct {
	// Queued counts the letters waiting (at most the limit asked for).
	Queued int
	// OldestDue is when the earliest waiting letter is due; zero when none
	// waits.
	OldestDue time.Time
	// Undelivered counts the cases with a letter the relay refused for
	// good (at most the limit asked for).
	Undelivered int
	// Capped says a count reached the limit, so the true number may be
	// larger.
	Capped bool
}

// ReadOutboxStats counts up to limit keys of the outbox and of the
// undelivered index, reading keys only (no letter is decoded), so it is
// cheap enough to run on every metrics scrape.
func ReadOutboxStats(tx ReadTx, limit int) (OutboxStats, error) {
	var st OutboxStats
	err := tx.Scan(BucketOutbox, nil, func(k, _ []byte) (bool, error) {
		if st.Queued == 0 && len(k) >= 8 {
			st.OldestDue = time.UnixMilli(int64(binary.BigEndian.Uint64(k[:8]))).UTC()
		}
		st.Queued++
		return st.Queued < limit, nil
	})
	if err != nil {
		return OutboxStats{}, err
	}
	err = tx.Scan(BucketUndelivered, nil, func(_, _ []byte) (bool, error) {
		st.Undelivered++
		return st.Undelivered < limit, nil
	})
	st.Capped = st.Queued >= limit || st.Undelivered >= limit
	return st, err
}
