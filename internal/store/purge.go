package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
)

// PurgeCase is the single purge primitive: retention (the daily run) and
// erasure (a request about Rightsdesk's own data) both destroy a case's
// personal data through it, in the caller's one transaction:
//
//   - the case's data key is deleted from BucketCaseKeys, which
//     crypto-shreds everything sealed under it wherever a copy survives
//     (freed pages, backups, documents in the blob store);
//   - the record is replaced by a tombstone: the clear skeleton
//     (clearCaseFields: state, dates, notices, rights, clock), the outcome
//     and extension without their free text, and the Purged marker, stored
//     unsealed so it reads without any key: statistics and the dashboard
//     still count it;
//   - its requester index entries (and any other index entry the tombstone
//     no longer implies) are removed, its message bodies, outbox entries and
//     audit payloads deleted (the audit events stay: their hashes never
//     covered the payloads, so the chain still verifies);
//   - the case is entered in BucketPurgedFiles, so its documents in the
//     blob store, which live outside the transaction, are removed after the
//     commit (PendingFileRemovals, FilesRemoved); a crash between the two
//     leaves only ciphertext whose key is gone, and the next run removes it.
//
// Web sessions belong to no case in the store (a session is found by its
// secret id alone) and expire within hours, long before any retention
// period ends, so there is none to delete.
//
// It returns the tombstone. A case already purged is ErrAlreadyPurged and
// nothing is written.
func PurgeCase(tx WriteTx, caseID string, purged cases.Purged, now time.Time) (*cases.Case, error) {
	c, err := GetCase(tx, caseID)
	if err != nil {
		return nil, err
	}
	if c.Purged != nil {
		return nil, fmt.Errorf("case %s: %w", caseID, ErrAlreadyPurged)
	}
	before, err := IndexOf(tx, c)
	if err != nil {
		return nil, err
	}
	tomb, err := tombstone(c, purged, now)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(tomb)
	if err != nil {
		return nil, fmt.Errorf("encode the tombstone of case %s: %w", caseID, err)
	}
	if err := tx.Put(BucketCases, []byte(caseID), caseEncoder.EncodeAll(raw, nil)); err != nil {
		return nil, err
	}
	after, err := IndexOf(tx, tomb)
	if err != nil {
		return nil, err
	}
	if err := syncIndexes(tx, before, after); err != nil {
		return nil, err
	}
	for _, step := range []func(WriteTx, string) error{deleteMessageBodies, deleteOutboxEntries, deleteAuditPayloads} {
		if err := step(tx, caseID); err != nil {
			return nil, fmt.Errorf("purge case %s: %w", caseID, err)
		}
	}
	if err := tx.Delete(BucketCaseKeys, []byte(caseID)); err != nil {
		return nil, err
	}
	if _, s := sealerOf(tx); s != nil && s.dataKeys != nil {
		s.dataKeys.forget(caseID)
	}
	if err := tx.Put(BucketPurgedFiles, []byte(caseID), nil); err != nil {
		return nil, err
	}
	return tomb, nil
}

// ErrAlreadyPurged is PurgeCase on a tombstone.
var ErrAlreadyPurged = errors.New("the case was already purged")

// tombstone keeps of c only what clearCaseFields keeps readable, and the
// outcome and extension without the words staff wrote in them.
func tombstone(c *cases.Case, purged cases.Purged, now time.Time) (*cases.Case, error) {
	plain, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	skeleton, _, err := splitCase(plain)
	if err != nil {
		return nil, err
	}
	var t cases.Case
	if err := json.Unmarshal(skeleton, &t); err != nil {
		return nil, err
	}
	if c.Outcome != nil {
		t.Outcome = &cases.Outcome{Kind: c.Outcome.Kind, RefusalReason: c.Outcome.RefusalReason,
			ClosedOn: c.Outcome.ClosedOn, OnTime: c.Outcome.OnTime, DuplicateOf: c.Outcome.DuplicateOf}
	}
	if c.Extension != nil { // counted by the dashboard; its reason is staff's words
		t.Extension = &cases.Extension{GrantedOn: c.Extension.GrantedOn, Months: c.Extension.Months}
	}
	t.Purged = &purged
	t.Version++
	t.Updated = now
	return &t, nil
}

// deleteByPrefix deletes every key of b that starts with prefix.
func deleteByPrefix(tx WriteTx, b Bucket, prefix []byte) error {
	var keys [][]byte
	err := tx.Scan(b, prefix, func(k, _ []byte) (bool, error) {
		if !bytes.HasPrefix(k, prefix) {
			return false, nil
		}
		keys = append(keys, bytes.Clone(k))
		return true, nil
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := tx.Delete(b, k); err != nil {
			return err
		}
	}
	return nil
}

func deleteMessageBodies(tx WriteTx, caseID string) error {
	return deleteByPrefix(tx, BucketMessageBodies, []byte(caseID+"/"))
}

// deleteOutboxEntries removes the case's queued letters. The outbox is
// keyed by time, so it is read whole; it holds only what is waiting to be
// sent, which is short.
func deleteOutboxEntries(tx WriteTx, caseID string) error {
	var keys [][]byte
	err := tx.Scan(BucketOutbox, nil, func(k, v []byte) (bool, error) {
		id, err := outboxCaseID(v)
		if err != nil {
			return false, fmt.Errorf("outbox entry %x: %w", k, err)
		}
		if id == caseID {
			keys = append(keys, bytes.Clone(k))
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := tx.Delete(BucketOutbox, k); err != nil {
			return err
		}
	}
	return nil
}

// outboxCaseID reads the case an outbox entry belongs to without opening
// it: a sealed entry carries the id in clear in front (PutOutbox).
func outboxCaseID(v []byte) (string, error) {
	if !bytes.HasPrefix(v, sealedMagic) {
		var e OutboxEntry
		if err := json.Unmarshal(v, &e); err != nil {
			return "", err
		}
		return e.CaseID, nil
	}
	rest := v[len(sealedMagic):]
	n, size := binary.Uvarint(rest)
	if size <= 0 || n > uint64(len(rest)-size) {
		return "", errDamagedRecord
	}
	return string(rest[size : size+int(n)]), nil
}

func deleteAuditPayloads(tx WriteTx, caseID string) error {
	prefix := []byte(caseID + "/")
	var seqs [][]byte
	err := tx.Scan(BucketCaseEvents, prefix, func(k, _ []byte) (bool, error) {
		if !bytes.HasPrefix(k, prefix) {
			return false, nil
		}
		seqs = append(seqs, bytes.Clone(k[len(prefix):]))
		return true, nil
	})
	if err != nil {
		return err
	}
	for _, seq := range seqs {
		if err := tx.Delete(BucketAuditPayload, seq); err != nil {
			return err
		}
	}
	return nil
}

// PendingFileRemovals returns up to limit purged cases whose documents may
// still be in the blob store, oldest id first.
func PendingFileRemovals(tx ReadTx, limit int) ([]string, error) {
	var ids []string
	err := tx.Scan(BucketPurgedFiles, nil, func(k, _ []byte) (bool, error) {
		if len(ids) == limit {
			return false, nil
		}
		ids = append(ids, string(k))
		return true, nil
	})
	return ids, err
}

// FilesRemoved records that every document of a purged case is gone from
// the blob store.
func FilesRemoved(tx WriteTx, caseID string) error {
	return tx.Delete(BucketPurgedFiles, []byte(caseID))
}

// forget drops a case's unwrapped data key from memory once it is
// destroyed in the store.
func (c *dataKeyCache) forget(caseID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byID[caseID]; ok {
		c.order.Remove(e)
		delete(c.byID, caseID)
	}
}

// keyRetentionRanOn holds the date (YYYY-MM-DD) of the last finished daily
// retention run, so a restart or a new leader does not run it twice.
var keyRetentionRanOn = []byte("retention_ran_on")

// RetentionRanOn returns the date of the last finished retention run, or
// "".
func RetentionRanOn(tx ReadTx) (string, error) {
	return string(tx.Get(BucketMeta, keyRetentionRanOn)), nil
}

// SetRetentionRanOn records that the retention run of date is finished.
func SetRetentionRanOn(tx WriteTx, date string) error {
	return tx.Put(BucketMeta, keyRetentionRanOn, []byte(date))
}
