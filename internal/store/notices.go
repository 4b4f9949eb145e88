package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = errors.New("not found")

// GetNotice reads one notice with all its versions.
func GetNotice(tx ReadTx, id string) (*notice.Notice, error) {
	raw := tx.Get(BucketNotices, []byte(id))
	if raw == nil {
		return nil, fmt.Errorf("notice %q: %w", id, ErrNotFound)
	}
	return DecodeNotice(raw)
}

// GetNoticeStamped is GetNotice that also returns a stamp of the stored
// record, so a later transaction can check with NoticeUnchanged that the
// notice it worked from is still the one stored without decoding it again.
func GetNoticeStamped(tx ReadTx, id string) (*notice.Notice, []byte, error) {
	raw := NoticeRecord(tx, id)
	if raw == nil {
		return nil, nil, fmt.Errorf("notice %q: %w", id, ErrNotFound)
	}
	n, err := DecodeNotice(raw)
	if err != nil {
		return nil, nil, err
	}
	return n, bytes.Clone(raw), nil
}

// NoticeRecord returns a notice's stored bytes, or nil; they are valid
// only inside tx. A copy of them is the stamp NoticeUnchanged checks, and
// with DecodeNotice they let a reader keep notices decoded: every version
// of a notice, and any change to one, is in its one record, so the same
// bytes are the same notice.
func NoticeRecord(tx ReadTx, id string) []byte { return tx.Get(BucketNotices, []byte(id)) }

// NoticeUnchanged reports whether the notice id is still stored exactly as
// when stamp, a copy of its record, was taken. Comparing the bytes costs
// less than hashing them, inside the write transaction every create waits
// for.
func NoticeUnchanged(tx ReadTx, id string, stamp []byte) bool {
	raw := NoticeRecord(tx, id)
	return raw != nil && bytes.Equal(raw, stamp)
}

// AddMissingNotices stores, in one transaction, each of notices the store
// does not hold yet; a notice already stored keeps its versions, so
// imports made since are never overwritten by a built-in copy.
func AddMissingNotices(ctx context.Context, st *Store, notices []notice.Notice) error {
	return st.Update(ctx, func(tx WriteTx) error {
		for i := range notices {
			_, err := GetNotice(tx, notices[i].ID)
			if errors.Is(err, ErrNotFound) {
				err = PutNotice(tx, &notices[i])
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// PutNotice writes a notice, replacing any earlier record with its id.
func PutNotice(tx WriteTx, n *notice.Notice) error {
	if n.ID == "" || len(n.Versions) == 0 {
		return fmt.Errorf("notice %q: an id and at least one version are required", n.ID)
	}
	raw, err := json.Marshal(n)
	if err != nil {
		return fmt.Errorf("encode notice %q: %w", n.ID, err)
	}
	return tx.Put(BucketNotices, []byte(n.ID), raw)
}

// ListNotices returns up to limit notices with ids after the given id, in id
// order, and whether more follow.
func ListNotices(tx ReadTx, after string, limit int) (page []notice.Notice, more bool, err error) {
	start := []byte(after)
	if after != "" {
		start = append(start, 0) // the first key strictly after
	}
	err = tx.Scan(BucketNotices, start, func(_, v []byte) (bool, error) {
		if len(page) == limit {
			more = true
			return false, nil
		}
		n, err := DecodeNotice(v)
		if err != nil {
			return false, err
		}
		page = append(page, *n)
		return true, nil
	})
	return page, more, err
}

// AllNotices returns every notice in id order; there are tens, not
// thousands, so one slice holds them.
func AllNotices(tx ReadTx) ([]notice.Notice, error) {
	var all []notice.Notice
	err := tx.Scan(BucketNotices, nil, func(_, v []byte) (bool, error) {
		n, err := DecodeNotice(v)
		if err != nil {
			return false, err
		}
		all = append(all, *n)
		return true, nil
	})
	return all, err
}

// DecodeNotice decodes a stored notice record (see NoticeRecord).
func DecodeNotice(raw []byte) (*notice.Notice, error) {
	var n notice.Notice
	if err := json.Unmarshal(raw, &n); err != nil {
		return nil, fmt.Errorf("decode notice: %w", err)
	}
	if len(n.Versions) == 0 {
		return nil, fmt.Errorf("notice %q has no versions", n.ID)
	}
	return &n, nil
}
