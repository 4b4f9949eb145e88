package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"
)

// A create that carries a client request id (AIP-155) keeps what a retry
// needs to be answered, under the request id: the case it opened, which
// is how CaseIDByRequestID finds it (since schema version 8 there is no
// other request-id index); a fingerprint of the request, so a different
// request under the same id is refused rather than taken for a retry; and
// the status token the create gave out, so a retry whose first answer was
// lost gets it again (it is shown nowhere else). Fingerprint and token are
// sealed with the case's data key, so the token is never stored in clear
// and purging the case destroys them with it; the case id stays clear, as
// the case's own skeleton keeps its request id. The token is kept apart,
// in BucketReplayTokens under its creation time, so that DropReplayTokens
// removes the old ones without reading the rest. How long a token may be
// given again is the use case's rule; this file only keeps what it
// decides on.

// RequestReplay is what a create under a request id left for its retries.
type RequestReplay struct {
	CaseID string
	// Fingerprint identifies the request (a SHA-256 of its canonical form).
	Fingerprint []byte
	// StatusToken is the token the create gave out.
	StatusToken string
	Created     time.Time
}

// storedReplay is a RequestReplay as stored, its fingerprint sealed under
// the case's data key; the token is in BucketReplayTokens.
type storedReplay struct {
	CaseID      string    `json:"case"`
	Fingerprint []byte    `json:"fingerprint"`
	Created     time.Time `json:"created"`
}

// replayTokenKey is where a create's status token waits: big-endian
// creation time in Unix milliseconds, then the request id, so that the
// oldest come first.
func replayTokenKey(created time.Time, requestID string) []byte {
	return append(binary.BigEndian.AppendUint64(nil, uint64(created.UnixMilli())), requestID...)
}

// Fields the replay's seals are bound to, so one cannot pass for another.
const (
	fieldReplayFingerprint = "request_replay.fingerprint"
	fieldReplayToken       = "request_replay.status_token"
)

// PutRequestReplay keeps r for retries of the create under requestID, in
// the create's transaction.
func PutRequestReplay(tx WriteTx, requestID string, r RequestReplay) error {
	fingerprint, err := sealForCase(tx, r.CaseID, fieldReplayFingerprint, r.Fingerprint)
	if err != nil {
		return err
	}
	token, err := sealForCase(tx, r.CaseID, fieldReplayToken, []byte(r.StatusToken))
	if err != nil {
		return err
	}
	raw, err := encodeReplay(storedReplay{CaseID: r.CaseID, Fingerprint: fingerprint, Created: r.Created.UTC()})
	if err != nil {
		return err
	}
	if err := tx.Put(BucketRequestReplays, []byte(requestID), raw); err != nil {
		return err
	}
	return tx.Put(BucketReplayTokens, replayTokenKey(r.Created, requestID), token)
}

// CaseIDByRequestID resolves a client's request id to the case its
// create opened, or ErrNotFound.
func CaseIDByRequestID(tx ReadTx, requestID string) (string, error) {
	s, err := storedReplayOf(tx, requestID)
	if err != nil {
		return "", err
	}
	return s.CaseID, nil
}

func storedReplayOf(tx ReadTx, requestID string) (storedReplay, error) {
	if requestID == "" {
		return storedReplay{}, ErrNotFound
	}
	raw := tx.Get(BucketRequestReplays, []byte(requestID))
	if raw == nil {
		return storedReplay{}, ErrNotFound
	}
	s, err := decodeReplay(raw)
	if err != nil {
		return storedReplay{}, fmt.Errorf("request replay: %w", err)
	}
	return s, nil
}

// GetRequestReplay reads what the create under requestID kept for its
// retries, or ErrNotFound when it kept nothing: no create used requestID,
// or one did before replays were kept, whose record names its case alone
// (requestIDsInReplays).
func GetRequestReplay(tx ReadTx, requestID string) (*RequestReplay, error) {
	s, err := storedReplayOf(tx, requestID)
	if err != nil {
		return nil, err
	}
	if len(s.Fingerprint) == 0 {
		return nil, ErrNotFound
	}
	fingerprint, err := openForCase(tx, s.CaseID, fieldReplayFingerprint, s.Fingerprint)
	if err != nil {
		return nil, fmt.Errorf("request replay of case %s: %w", s.CaseID, err)
	}
	r := &RequestReplay{CaseID: s.CaseID, Fingerprint: fingerprint, Created: s.Created}
	if sealed := tx.Get(BucketReplayTokens, replayTokenKey(s.Created, requestID)); sealed != nil {
		token, err := openForCase(tx, s.CaseID, fieldReplayToken, sealed)
		if err != nil {
			return nil, fmt.Errorf("request replay of case %s: %w", s.CaseID, err)
		}
		r.StatusToken = string(token)
	}
	return r, nil
}

// DropReplayTokens deletes, oldest first, at most limit of the status
// tokens kept for creates made at or before until, and says how many it
// deleted; fewer than limit means none that old is left. The fingerprints
// stay, so a different request under an old request id is still refused.
func DropReplayTokens(tx WriteTx, until time.Time, limit int) (int, error) {
	end := binary.BigEndian.AppendUint64(nil, uint64(until.UnixMilli()+1))
	var old [][]byte
	err := tx.Scan(BucketReplayTokens, nil, func(k, _ []byte) (bool, error) {
		if bytes.Compare(k, end) >= 0 || len(old) == limit {
			return false, nil
		}
		old = append(old, bytes.Clone(k))
		return true, nil
	})
	if err != nil {
		return 0, err
	}
	for _, k := range old {
		if err := tx.Delete(BucketReplayTokens, k); err != nil {
			return 0, err
		}
	}
	return len(old), nil
}

// replayLayout marks a replay record in its binary layout: this byte, the
// creation time in Unix nanoseconds (big-endian), the case id's length in
// one byte and the case id, then the sealed fingerprint. It takes about
// half the room of the JSON records written before it, which start with
// '{' and still read.
const replayLayout = 1

func encodeReplay(s storedReplay) ([]byte, error) {
	if len(s.CaseID) > 255 {
		return nil, fmt.Errorf("request replay: a case id of %d bytes", len(s.CaseID))
	}
	raw := binary.BigEndian.AppendUint64([]byte{replayLayout}, uint64(s.Created.UnixNano()))
	raw = append(append(raw, byte(len(s.CaseID))), s.CaseID...)
	return append(raw, s.Fingerprint...), nil
}

func decodeReplay(raw []byte) (storedReplay, error) {
	var s storedReplay
	if len(raw) > 0 && raw[0] == '{' {
		return s, json.Unmarshal(raw, &s)
	}
	if len(raw) < 10 || raw[0] != replayLayout || len(raw) < 10+int(raw[9]) {
		return s, fmt.Errorf("a malformed record of %d bytes", len(raw))
	}
	s.Created = time.Unix(0, int64(binary.BigEndian.Uint64(raw[1:9]))).UTC()
	end := 10 + int(raw[9])
	s.CaseID, s.Fingerprint = string(raw[10:end]), bytes.Clone(raw[end:])
	return s, nil
}

// bucketRequestIDs is the request-id index of schema versions up to 7:
// client request id → case id, the case id a create's replay record holds
// under the same key.
const bucketRequestIDs Bucket = "idx_request_id"

// requestIDsInReplays (schema version 8) empties bucketRequestIDs into
// BucketRequestReplays, which CaseIDByRequestID reads since: an entry
// whose create kept a replay record is deleted; one from a create made
// before replays were kept becomes a record naming its case alone, which
// GetRequestReplay reads as no replay kept, as it did before. It writes
// each batch after its scan stops, and scans on from the batch's last key,
// as indexEveryCase does, so no backend writes to a bucket it iterates.
func requestIDsInReplays(tx WriteTx) error {
	const batch = 1000
	var start []byte
	for {
		var keys, ids [][]byte
		err := tx.Scan(bucketRequestIDs, start, func(k, v []byte) (bool, error) {
			keys, ids = append(keys, bytes.Clone(k)), append(ids, bytes.Clone(v))
			return len(keys) < batch, nil
		})
		if err != nil {
			return err
		}
		for i, k := range keys {
			if tx.Get(BucketRequestReplays, k) == nil {
				raw, err := encodeReplay(storedReplay{CaseID: string(ids[i]), Created: time.Unix(0, 0).UTC()})
				if err != nil {
					return err
				}
				if err := tx.Put(BucketRequestReplays, k, raw); err != nil {
					return err
				}
			}
			if err := tx.Delete(bucketRequestIDs, k); err != nil {
				return err
			}
		}
		if len(keys) < batch {
			return nil
		}
		start = append(keys[len(keys)-1], 0)
	}
}
