package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// The staff outbox holds emails to staff (the daily digest) waiting to be
// sent. It is apart from the case outbox because a case letter is a case
// message — its body, delivery state and audit events belong to one case
// and its correspondence log, evidence bundle and API — while a staff
// email belongs to no case, must appear in none of those, and carries its
// whole body itself, so sending it reads nothing else. Keys are laid out
// as the case outbox's are: big-endian due time in Unix milliseconds, then
// the email's id.

// StaffEmail is one email to a member of staff waiting to be sent. ID is
// its idempotency key (the Message-ID of every attempt); Attempts counts
// the tries that failed.
type StaffEmail struct {
	Due      time.Time `json:"-"`
	ID       string    `json:"id"`
	To       string    `json:"to"`
	Subject  string    `json:"subject"`
	Text     string    `json:"text"`
	HTML     string    `json:"html,omitempty"`
	Attempts int       `json:"attempts,omitempty"`
}

// PutStaffEmail queues e to be sent at e.Due.
func PutStaffEmail(tx WriteTx, e StaffEmail) error {
	if e.ID == "" || e.To == "" {
		return errors.New("a staff email needs an id and an address")
	}
	raw, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode staff email %s: %w", e.ID, err)
	}
	return tx.Put(BucketStaffOutbox, outboxKey(e.Due, e.ID), raw)
}

// DeleteStaffEmail takes e off the queue.
func DeleteStaffEmail(tx WriteTx, e StaffEmail) error {
	return tx.Delete(BucketStaffOutbox, outboxKey(e.Due, e.ID))
}

// StaffEmailHeld reports whether e is still queued as it was read: one
// another transaction has since sent or re-keyed is not.
func StaffEmailHeld(tx ReadTx, e StaffEmail) bool {
	return tx.Get(BucketStaffOutbox, outboxKey(e.Due, e.ID)) != nil
}

// DueStaffEmails returns up to limit emails due at or before now, earliest
// first; with a zero now, every queued email.
func DueStaffEmails(tx ReadTx, now time.Time, limit int) ([]StaffEmail, error) {
	var end []byte
	if !now.IsZero() {
		end = binary.BigEndian.AppendUint64(nil, uint64(max(now.UnixMilli(), 0)))
	}
	var due []StaffEmail
	err := tx.Scan(BucketStaffOutbox, nil, func(k, v []byte) (bool, error) {
		if len(due) == limit || len(k) <= 8 || (end != nil && bytes.Compare(k[:8], end) > 0) {
			return false, nil
		}
		var e StaffEmail
		if err := json.Unmarshal(v, &e); err != nil {
			return false, fmt.Errorf("decode staff email %s: %w", k[8:], err)
		}
		e.Due = time.UnixMilli(int64(binary.BigEndian.Uint64(k[:8]))).UTC()
		due = append(due, e)
		return true, nil
	})
	return due, err
}

// The digest log remembers, per staff account, the last date (YYYY-MM-DD,
// UK) a daily digest was made for it, written in the transaction that
// queues that digest, so no restart or change of leader makes a second.

// DigestMadeOn is the last date a digest was made for the account, or "".
func DigestMadeOn(tx ReadTx, account string) string {
	return string(tx.Get(BucketDigests, []byte(account)))
}

// PutDigestMadeOn records that the account's digest for date is made.
func PutDigestMadeOn(tx WriteTx, account, date string) error {
	if account == "" || len(date) != len(time.DateOnly) {
		return fmt.Errorf("a digest record needs an account and a date, not %q and %q", account, date)
	}
	return tx.Put(BucketDigests, []byte(account), []byte(date))
}
