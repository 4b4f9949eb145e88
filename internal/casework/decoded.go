package casework

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/rightsdesk/rightsdesk/internal/cases"
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
