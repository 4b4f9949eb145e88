package audit_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/audit"
)

func TestGenesisHash(t *testing.T) {
	g := audit.GenesisHash()
	if !bytes.Equal(g, make([]byte, 32)) {
		t.Fatalf("GenesisHash() = %x, want 32 zero bytes", g)
	}
	g[0] = 1 // a caller scribbling on its copy must not move the genesis
	if audit.GenesisHash()[0] != 0 {
		t.Fatal("GenesisHash shares its bytes with callers")
	}
}

func TestLink(t *testing.T) {
	first := audit.Event{CaseID: "c1", Time: t0, Actor: "public", Action: "case.created"}
	audit.Link(&first, nil)
	second := audit.Event{CaseID: "c2", Time: t0, Actor: "public", Action: "case.created"}
	// The store passes a head record holding only Seq and Hash.
	head := &audit.Event{Seq: first.Seq, Hash: bytes.Clone(first.Hash)}
	audit.Link(&second, head)

	tests := []struct {
		name     string
		e        audit.Event
		seq      uint64
		prevHash []byte
	}{
		{"first event links to genesis", first, 1, audit.GenesisHash()},
		{"next event links to the head", second, 2, first.Hash},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.e.Seq != tt.seq {
				t.Errorf("Seq = %d, want %d", tt.e.Seq, tt.seq)
			}
			if !bytes.Equal(tt.e.PrevHash, tt.prevHash) {
				t.Errorf("PrevHash = %x, want %x", tt.e.PrevHash, tt.prevHash)
			}
			if want := sha256.Sum256(audit.Canonical(&tt.e)); !bytes.Equal(tt.e.Hash, want[:]) {
				t.Errorf("Hash = %x, want sha256(Canonical) = %x", tt.e.Hash, want)
			}
			if err := tt.e.Valid(); err != nil {
				t.Errorf("Valid() = %v", err)
			}
			if tt.e.Time.Location() != time.UTC {
				t.Errorf("Time zone = %v, want UTC", tt.e.Time.Location())
			}
		})
	}
	head.Hash[0] ^= 0xff // PrevHash must be a copy, not an alias of the head
	if second.PrevHash[0] != first.Hash[0] {
		t.Error("Link aliased prev.Hash into PrevHash")
	}
}

func TestLinkNormalisesForJSON(t *testing.T) {
	tests := []struct {
		name string
		e    audit.Event
	}{
		{"time in another zone", audit.Event{Time: t0, Actor: "a"}},
		{"time with a monotonic reading", audit.Event{Time: time.Now(), Actor: "a"}},
		{"invalid UTF-8 in strings", audit.Event{Time: t0, CaseID: "c\xff", Actor: "a\xc3", Action: "x\xe2\x82"}},
		{"invalid UTF-8 in map values and keys", audit.Event{Time: t0, Before: map[string]string{"k\xff": "v\xfe\xfd"}, After: map[string]string{"ok": "\x80"}}},
		{"invalid keys that collide once replaced", audit.Event{Time: t0, After: map[string]string{"k\xff": "one", "k\xfe": "two", "k\uFFFD": "three"}}},
		{"a real U+FFFD is kept", audit.Event{Time: t0, Actor: "\uFFFD"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tt.e
			callerBefore, callerAfter := maps.Clone(raw.Before), maps.Clone(raw.After)
			audit.Link(&tt.e, nil)
			back := roundTrip(t, tt.e)
			if err := back.Valid(); err != nil {
				t.Fatalf("after a JSON round trip: %v", err)
			}
			if !eventsEqual(&back, &tt.e) {
				t.Errorf("Link left a form JSON does not keep:\n linked %+v\n stored %+v", tt.e, back)
			}
			// Link must do exactly what JSON does to the raw event.
			raw.Seq, raw.PrevHash = tt.e.Seq, tt.e.PrevHash
			if jsonForm := roundTrip(t, raw); !eventsEqual(&jsonForm, &tt.e) {
				t.Errorf("Link normalised differently from encoding/json:\n link %+v\n json %+v", tt.e, jsonForm)
			}
			if !maps.Equal(raw.Before, callerBefore) || !maps.Equal(raw.After, callerAfter) {
				t.Error("Link changed the caller's maps")
			}
		})
	}
}

func TestValidDetectsEveryField(t *testing.T) {
	base := audit.Event{CaseID: "c", Time: t0, Actor: "a", Action: "x", Before: map[string]string{"k": "v"}, After: map[string]string{"k": "w"}, PayloadHash: bytes.Repeat([]byte{7}, 32)}
	audit.Link(&base, &audit.Event{Seq: 4, Hash: bytes.Repeat([]byte{9}, 32)})
	mutations := map[string]func(e *audit.Event){
		"seq":          func(e *audit.Event) { e.Seq++ },
		"case id":      func(e *audit.Event) { e.CaseID += "x" },
		"time":         func(e *audit.Event) { e.Time = e.Time.Add(time.Nanosecond) },
		"actor":        func(e *audit.Event) { e.Actor = "b" },
		"action":       func(e *audit.Event) { e.Action = "y" },
		"before":       func(e *audit.Event) { e.Before = map[string]string{"k": "V"} },
		"after":        func(e *audit.Event) { e.After = nil },
		"payload hash": func(e *audit.Event) { e.PayloadHash = nil },
		"prev hash":    func(e *audit.Event) { e.PrevHash = audit.GenesisHash() },
		"hash":         func(e *audit.Event) { e.Hash = bytes.Repeat([]byte{1}, 32) },
		"hash missing": func(e *audit.Event) { e.Hash = nil },
	}
	for _, name := range slices.Sorted(maps.Keys(mutations)) {
		t.Run(name, func(t *testing.T) {
			e := base
			mutations[name](&e)
			if err := e.Valid(); err == nil || !strings.Contains(err.Error(), audit.ErrContentAltered.Error()) {
				t.Errorf("Valid() after changing %s = %v, want %v", name, err, audit.ErrContentAltered)
			}
		})
	}
	if err := base.Valid(); err != nil {
		t.Errorf("untouched event: Valid() = %v", err)
	}
}

// TestCanonicalUnambiguous: events that differ, however slightly or however
// their bytes could be regrouped, never share an encoding.
func TestCanonicalUnambiguous(t *testing.T) {
	m := func(kv ...string) map[string]string {
		out := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	tests := []struct {
		name string
		a, b audit.Event
	}{
		{"actor/action boundary", audit.Event{Actor: "ab", Action: "c"}, audit.Event{Actor: "a", Action: "bc"}},
		{"case/actor boundary", audit.Event{CaseID: "c1p", Actor: "ublic"}, audit.Event{CaseID: "c1", Actor: "public"}},
		{"string moved to the next field", audit.Event{CaseID: "x"}, audit.Event{Actor: "x"}},
		{"key/value boundary", audit.Event{After: m("ab", "c")}, audit.Event{After: m("a", "bc")}},
		{"one entry vs two", audit.Event{After: m("a", "b\x00c\x00d")}, audit.Event{After: m("a", "b", "c", "d")}},
		{"one entry vs two with separators", audit.Event{After: m("a=b,c", "d")}, audit.Event{After: m("a", "b", "c", "d")}},
		{"before vs after", audit.Event{Before: m("state", "NEW")}, audit.Event{After: m("state", "NEW")}},
		{"entry moved between maps", audit.Event{Before: m("a", "1", "b", "2")}, audit.Event{Before: m("a", "1"), After: m("b", "2")}},
		{"empty map vs empty entry", audit.Event{After: nil}, audit.Event{After: m("", "")}},
		{"map vs following string", audit.Event{Before: m("a", "b")}, audit.Event{Action: "\x00\x00\x00\x00\x00\x00\x00\x01a"}},
		{"payload hash vs prev hash", audit.Event{PayloadHash: []byte{1}}, audit.Event{PrevHash: []byte{1}}},
		{"hash bytes shifted", audit.Event{PayloadHash: []byte{1, 2}, PrevHash: []byte{3}}, audit.Event{PayloadHash: []byte{1}, PrevHash: []byte{2, 3}}},
		{"absent vs zero payload hash", audit.Event{}, audit.Event{PayloadHash: []byte{0}}},
		{"time differs by 1ns", audit.Event{Time: t0}, audit.Event{Time: t0.Add(time.Nanosecond)}},
		{"time with trailing zero nanoseconds", audit.Event{Time: time.Unix(1, 100)}, audit.Event{Time: time.Unix(1, 10)}},
		{"seq", audit.Event{Seq: 1}, audit.Event{Seq: 2}},
		{"seq vs case id", audit.Event{Seq: 256}, audit.Event{Seq: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if bytes.Equal(audit.Canonical(&tt.a), audit.Canonical(&tt.b)) {
				t.Errorf("different events encode the same:\n a %+v\n b %+v", tt.a, tt.b)
			}
		})
	}
}

// TestCanonicalEquivalent: what JSON storage cannot tell apart must encode
// the same, or an honest event would fail after a round trip.
func TestCanonicalEquivalent(t *testing.T) {
	tests := []struct {
		name string
		a, b audit.Event
	}{
		{"nil vs empty map", audit.Event{Before: nil}, audit.Event{Before: map[string]string{}}},
		{"nil vs empty bytes", audit.Event{PayloadHash: nil, PrevHash: nil}, audit.Event{PayloadHash: []byte{}, PrevHash: []byte{}}},
		{"same instant in two zones", audit.Event{Time: t0}, audit.Event{Time: t0.UTC()}},
		{"hash is not encoded", audit.Event{Hash: []byte{1}}, audit.Event{Hash: []byte{2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !bytes.Equal(audit.Canonical(&tt.a), audit.Canonical(&tt.b)) {
				t.Errorf("equivalent events encode differently:\n a %+v\n b %+v", tt.a, tt.b)
			}
		})
	}
}

// TestCanonicalStableAcrossMapOrder is a property test: for random events,
// maps built in any insertion order, and encoded any number of times, give
// the same bytes and the same hash.
func TestCanonicalStableAcrossMapOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for i := range 500 {
		e := randomEvent(r)
		want := audit.Canonical(&e)
		for range 5 {
			shuffled := e
			shuffled.Before, shuffled.After = reinsert(r, e.Before), reinsert(r, e.After)
			if got := audit.Canonical(&shuffled); !bytes.Equal(got, want) {
				t.Fatalf("event %d: encoding depends on map order:\n%x\n%x", i, got, want)
			}
			a, b := e, shuffled
			audit.Link(&a, nil)
			audit.Link(&b, nil)
			if !bytes.Equal(a.Hash, b.Hash) {
				t.Fatalf("event %d: hash depends on map order", i)
			}
		}
	}
}

// reinsert copies m, inserting its keys in a random order.
func reinsert(r *rand.Rand, m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	keys := slices.Collect(maps.Keys(m))
	r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	out := make(map[string]string, len(m))
	for _, k := range keys {
		out[k] = m[k]
	}
	return out
}

func randomEvent(r *rand.Rand) audit.Event {
	str := func() string {
		b := make([]byte, r.IntN(6))
		for i := range b {
			b[i] = "ab=,\x00é"[r.IntN(7)]
		}
		return string(b)
	}
	mp := func() map[string]string {
		if r.IntN(4) == 0 {
			return nil
		}
		m := map[string]string{}
		for range r.IntN(12) {
			m[str()] = str()
		}
		return m
	}
	hash := func() []byte {
		if r.IntN(3) == 0 {
			return nil
		}
		b := make([]byte, 32)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	return audit.Event{
		Seq: r.Uint64N(1 << 40), CaseID: str(), Time: time.Unix(r.Int64N(1<<34), r.Int64N(1e9)),
		Actor: str(), Action: str(), Before: mp(), After: mp(), PayloadHash: hash(), PrevHash: hash(),
	}
}

// TestEventJSONFieldNames pins the stored field names: the store and any
// exported evidence depend on them.
func TestEventJSONFieldNames(t *testing.T) {
	e := audit.Event{Before: map[string]string{"a": "b"}, After: map[string]string{"a": "c"}, PayloadHash: []byte{1}}
	audit.Link(&e, nil)
	raw, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		t.Fatal(err)
	}
	want := []string{"action", "actor", "after", "before", "case_id", "hash", "payload_hash", "prev_hash", "seq", "time"}
	if got := slices.Sorted(maps.Keys(fields)); !slices.Equal(got, want) {
		t.Errorf("JSON fields = %v, want %v", got, want)
	}
}
