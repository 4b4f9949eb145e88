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

// The outbox holds the letters waiting to be sent, each written in the
// transaction of the case change that caused it. Its keys are the time the
// letter is next due (big-endian Unix milliseconds, so they sort by time)
// followed by the message id, so the sender reads what is due in order
// with one scan from the start and moves a letter later by re-keying it.

// OutboxEntry is one letter waiting to be sent: the case and message it
// belongs to (the body and address are read from them) and any secrets to
// put into the text (see cases.Secret), kept only here and only until the
// letter is sent or given up.
type OutboxEntry struct {
	Due       time.Time      `json:"-"`
	CaseID    string         `json:"case_id"`
	MessageID string         `json:"message_id"`
	Secrets   []cases.Secret `json:"secrets,omitempty"`
}

func outboxKey(due time.Time, messageID string) []byte {
	return append(binary.BigEndian.AppendUint64(nil, uint64(max(due.UnixMilli(), 0))), messageID...)
}

// PutOutbox queues e to be sent at e.Due.
func PutOutbox(tx WriteTx, e OutboxEntry) error {
	if e.CaseID == "" || e.MessageID == "" {
		return errors.New("an outbox entry needs a case and a message id")
	}
	raw, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode outbox entry: %w", err)
	}
	// The secrets (a status code) are sealed under the case's key; the
	// case id stays readable in front, to find that key.
	if raw, err = sealForCase(tx, e.CaseID, outboxField(e.MessageID), raw); err != nil {
		return fmt.Errorf("seal outbox entry: %w", err)
	}
	if bytes.HasPrefix(raw, sealedMagic) {
		raw = append(binary.AppendUvarint(bytes.Clone(sealedMagic), uint64(len(e.CaseID))), append([]byte(e.CaseID), raw[len(sealedMagic):]...)...)
	}
	return tx.Put(BucketOutbox, outboxKey(e.Due, e.MessageID), raw)
}

// DeleteOutbox takes e off the queue.
func DeleteOutbox(tx WriteTx, e OutboxEntry) error {
	return tx.Delete(BucketOutbox, outboxKey(e.Due, e.MessageID))
}

// OutboxHolds reports whether e is still queued as it was read: a letter
// another transaction has since sent or re-keyed is not.
func OutboxHolds(tx ReadTx, e OutboxEntry) bool {
	return tx.Get(BucketOutbox, outboxKey(e.Due, e.MessageID)) != nil
}

// DueOutbox returns up to limit entries due at or before now, earliest
// first.
func DueOutbox(tx ReadTx, now time.Time, limit int) ([]OutboxEntry, error) {
	end := binary.BigEndian.AppendUint64(nil, uint64(max(now.UnixMilli(), 0)))
	var due []OutboxEntry
	err := tx.Scan(BucketOutbox, nil, func(k, v []byte) (bool, error) {
		if len(due) == limit || len(k) < 8 || bytes.Compare(k[:8], end) > 0 {
			return false, nil
		}
		e, err := decodeOutbox(tx, k, v)
		if err != nil {
			return false, err
		}
		due = append(due, e)
		return true, nil
	})
	return due, err
}

// OutboxEntries returns every queued entry, earliest first, for tests and
// the consistency check.
func OutboxEntries(tx ReadTx) ([]OutboxEntry, error) {
	var all []OutboxEntry
	err := tx.Scan(BucketOutbox, nil, func(k, v []byte) (bool, error) {
		e, err := decodeOutbox(tx, k, v)
		all = append(all, e)
		return err == nil, err
	})
	return all, err
}

func outboxField(messageID string) string { return "outbox/" + messageID }

func decodeOutbox(tx ReadTx, k, v []byte) (OutboxEntry, error) {
	var e OutboxEntry
	if len(k) <= 8 {
		return e, fmt.Errorf("outbox key of %d bytes is corrupt", len(k))
	}
	if bytes.HasPrefix(v, sealedMagic) {
		rest := v[len(sealedMagic):]
		n, size := binary.Uvarint(rest)
		if size <= 0 || n > uint64(len(rest)-size) {
			return e, fmt.Errorf("outbox entry %s: %w", k[8:], errDamagedRecord)
		}
		caseID := string(rest[size : size+int(n)])
		var err error
		v, err = openForCase(tx, caseID, outboxField(string(k[8:])), append(bytes.Clone(sealedMagic), rest[size+int(n):]...))
		if err != nil {
			return e, fmt.Errorf("open outbox entry %s: %w", k[8:], err)
		}
	}
	if err := json.Unmarshal(v, &e); err != nil {
		return e, fmt.Errorf("decode outbox entry %s: %w", k[8:], err)
	}
	e.Due = time.UnixMilli(int64(binary.BigEndian.Uint64(k[:8]))).UTC()
	return e, nil
}

// Message bodies are kept apart from the case, under case id "/" message
// id, compressed as case records are: a case keeps only each message's
// envelope, so reading a queue page never reads a letter.

func messageBodyKey(caseID, messageID string) []byte { return []byte(caseID + "/" + messageID) }

// messageBodyField binds a sealed body to its message (see sealForCase).
func messageBodyField(messageID string) string { return "message/" + messageID }

// PutMessageBody stores what a message of a case says.
func PutMessageBody(tx WriteTx, caseID, messageID string, body cases.MessageBody) error {
	plain, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encode message %s: %w", messageID, err)
	}
	stored, err := sealForCase(tx, caseID, messageBodyField(messageID), caseEncoder.EncodeAll(plain, nil))
	if err != nil {
		return fmt.Errorf("seal message %s: %w", messageID, err)
	}
	return tx.Put(BucketMessageBodies, messageBodyKey(caseID, messageID), stored)
}

// GetMessageBody reads what a message of a case says; ErrNotFound when the
// case has no such message.
func GetMessageBody(tx ReadTx, caseID, messageID string) (*cases.MessageBody, error) {
	raw := tx.Get(BucketMessageBodies, messageBodyKey(caseID, messageID))
	if raw == nil {
		return nil, fmt.Errorf("message %s of case %s: %w", messageID, caseID, ErrNotFound)
	}
	raw, err := openForCase(tx, caseID, messageBodyField(messageID), raw)
	if err != nil {
		return nil, fmt.Errorf("open message %s: %w", messageID, err)
	}
	plain, err := inflate(raw)
	if err != nil {
		return nil, fmt.Errorf("decompress message %s: %w", messageID, err)
	}
	var body cases.MessageBody
	if err := json.Unmarshal(plain, &body); err != nil {
		return nil, fmt.Errorf("decode message %s: %w", messageID, err)
	}
	return &body, nil
}
