package casework

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

// maxDecodedCases bounds the cache to a few tens of megabytes.
const maxDecodedCases = 4096

// decodedCases keeps recently listed cases decoded. Decoding the JSON of
// each case is most of the cost of listing a queue page, and the same
// first pages are listed over and over. An entry is used only while the
// stored bytes are identical to those it was decoded from, so a write is
// seen at once; nothing needs invalidating. The cases it returns are shared
// and must not be changed: List's callers only read them.
type decodedCases struct {
	mu      sync.Mutex
	entries map[string]decodedCase
}

type decodedCase struct {
	raw []byte
	c   *cases.Case
}

// decode returns case id decoded from its stored record raw (nil: the
// case is absent), read by the caller: a page reads its cases together.
func (d *decodedCases) decode(tx store.ReadTx, id string, raw []byte) (*cases.Case, error) {
	if raw == nil {
		return nil, fmt.Errorf("case %q: %w", id, store.ErrNotFound)
	}
	d.mu.Lock()
	e, ok := d.entries[id]
	d.mu.Unlock()
	if ok && bytes.Equal(e.raw, raw) {
		return e.c, nil
	}
	c, err := store.DecodeCase(tx, id, raw)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.entries == nil {
		d.entries = make(map[string]decodedCase)
	}
	if _, present := d.entries[id]; !present && len(d.entries) >= maxDecodedCases {
		for victim := range d.entries { // map order is random: a random eviction
			delete(d.entries, victim)
			break
		}
	}
	d.entries[id] = decodedCase{raw: bytes.Clone(raw), c: c}
	return c, nil
}

// maxDecodedNotices bounds the notices kept decoded; a catalogue holds
// tens of notices.
const maxDecodedNotices = 256

// decodedNotices keeps the notices new cases cite decoded: decoding the
// 5 KB JSON of a notice on every create was a seventh of the server's CPU
// under load. A notice keeps all its versions in one record, so an entry
// stands for the record's exact bytes, not for a version number: a new
// version, or a version changed in place, changes the bytes and the entry
// is decoded again; nothing needs invalidating and nothing stale is ever
// returned. The notices it returns are shared and must not be changed:
// the domain only reads them.
type decodedNotices struct {
	mu      sync.Mutex
	entries map[string]decodedNotice
}

type decodedNotice struct {
	raw []byte
	n   *notice.Notice
}

// stamped is store.GetNoticeStamped, decoding the notice only when its
// record has changed since it was last decoded. The stamp is the cached
// copy of the record, which nothing changes.
func (d *decodedNotices) stamped(tx store.ReadTx, id string) (*notice.Notice, []byte, error) {
	raw := store.NoticeRecord(tx, id)
	if raw == nil {
		return nil, nil, fmt.Errorf("notice %q: %w", id, store.ErrNotFound)
	}
	d.mu.Lock()
	e, ok := d.entries[id]
	d.mu.Unlock()
	if ok && bytes.Equal(e.raw, raw) {
		return e.n, e.raw, nil
	}
	n, err := store.DecodeNotice(raw)
	if err != nil {
		return nil, nil, err
	}
	e = decodedNotice{raw: bytes.Clone(raw), n: n}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.entries == nil {
		d.entries = make(map[string]decodedNotice)
	}
	if _, present := d.entries[id]; !present && len(d.entries) >= maxDecodedNotices {
		for victim := range d.entries { // random eviction, as decodedCases
			delete(d.entries, victim)
			break
		}
	}
	d.entries[id] = e
	return e.n, e.raw, nil
}
