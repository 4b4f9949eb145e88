package audit_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/audit"
)

// FuzzCanonical checks, for any two events the fuzzer builds:
//   - Canonical never panics, and decodes back to exactly the event it came
//     from (so it is injective: two events with equal bytes are equal);
//   - two events with equal Canonical bytes are equal events, and equal
//     events have equal bytes;
//   - after Link, Valid is nil and the event is the first of a chain that
//     verifies — also after a JSON round trip when JSON can hold its time.
func FuzzCanonical(f *testing.F) {
	seed := func(a, b audit.Event) { f.Add(encodeFuzz(a), encodeFuzz(b)) }
	seed(audit.Event{Actor: "ab", Action: "c"}, audit.Event{Actor: "a", Action: "bc"})
	seed(audit.Event{After: map[string]string{"a": "b\x00c"}}, audit.Event{After: map[string]string{"a": "b", "c": ""}})
	seed(audit.Event{Before: map[string]string{"k": "v"}}, audit.Event{After: map[string]string{"k": "v"}})
	seed(audit.Event{Seq: 42, CaseID: "01JCASE", Time: t0, Actor: "public", Action: "case.created", PayloadHash: make([]byte, 32)}, audit.Event{Seq: 42, CaseID: "01JCASE", Time: t0.UTC(), Actor: "public", Action: "case.created", PayloadHash: make([]byte, 32)})
	seed(audit.Event{CaseID: "\xff", Actor: "\xc3"}, audit.Event{After: map[string]string{"k\xff": "1", "k\xfe": "2"}})
	seed(audit.Event{Time: time.Unix(-1<<40, 999999999)}, audit.Event{Time: time.Unix(1<<40, 1)})

	f.Fuzz(func(t *testing.T, a, b []byte) {
		ea, eb := decodeFuzz(a), decodeFuzz(b)
		ca, cb := audit.Canonical(&ea), audit.Canonical(&eb)
		checkDecodesBack(t, &ea, ca)
		checkDecodesBack(t, &eb, cb)
		if bytes.Equal(ca, cb) != eventsEqual(&ea, &eb) {
			t.Fatalf("equal bytes = %v but equal events = %v:\n a %+v\n b %+v", bytes.Equal(ca, cb), eventsEqual(&ea, &eb), ea, eb)
		}
		checkLinks(t, ea, &eb)
	})
}

// checkLinks links e after prev (as the head of some chain) and on its own.
func checkLinks(t *testing.T, e audit.Event, prev *audit.Event) {
	audit.Link(&e, prev)
	if err := e.Valid(); err != nil {
		t.Fatalf("Link then Valid: %v", err)
	}
	first := e
	audit.Link(&first, nil)
	var v audit.Verifier
	if err := v.Next(&first, nil); err != nil {
		t.Fatalf("a linked first event does not verify: %v", err)
	}
	raw, err := json.Marshal(e)
	if err != nil {
		// JSON refuses years outside 0000–9999, loudly; nothing else.
		if y := e.Time.Year(); y >= 0 && y <= 9999 {
			t.Fatalf("JSON cannot store a linked event: %v", err)
		}
		return
	}
	var back audit.Event
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatalf("JSON cannot read back a linked event: %v", err)
	}
	if err := back.Valid(); err != nil {
		t.Fatalf("after a JSON round trip: %v\n linked %+v\n stored %+v", err, e, back)
	}
}

// checkDecodesBack parses the canonical bytes independently and requires
// the very event they came from: the proof that nothing is lost or merged.
func checkDecodesBack(t *testing.T, e *audit.Event, b []byte) {
	t.Helper()
	got, err := parseCanonical(b)
	if err != nil {
		t.Fatalf("canonical bytes do not parse: %v\n%x", err, b)
	}
	want := *e
	want.Time = time.Time{} // compared below, as text
	if !eventsEqual(&got.Event, &want) {
		t.Fatalf("canonical bytes decode to a different event:\n got  %+v\n want %+v", got.Event, want)
	}
	wantTime := e.Time.UTC().Format("2006-01-02T15:04:05.000000000Z07:00")
	if got.time != wantTime {
		t.Fatalf("time encoded as %q, want %q", got.time, wantTime)
	}
	if y := e.Time.UTC().Year(); y >= 0 && y <= 9999 { // the range RFC 3339 parsers accept
		if parsed, err := time.Parse(time.RFC3339Nano, got.time); err != nil || !parsed.Equal(e.Time) {
			t.Fatalf("time %q parses to %v (%v), want %v", got.time, parsed, err, e.Time)
		}
	}
}

type parsed struct {
	audit.Event // Time left zero
	time        string
}

// parseCanonical reads the canonical encoding with no knowledge of the
// event it came from, rejecting trailing or missing bytes.
func parseCanonical(b []byte) (parsed, error) {
	r := canonicalReader{b: b}
	var p parsed
	if tag := r.str(); tag != "rightsdesk/audit/event/v1" {
		return p, errors.New("bad tag " + tag)
	}
	p.Seq = r.u64()
	p.CaseID = r.str()
	p.time = r.str()
	p.Actor = r.str()
	p.Action = r.str()
	p.Before = r.strMap()
	p.After = r.strMap()
	p.PayloadHash = []byte(r.str())
	p.PrevHash = []byte(r.str())
	if r.err == nil && len(r.b) != 0 {
		r.err = errors.New("trailing bytes")
	}
	return p, r.err
}

type canonicalReader struct {
	b   []byte
	err error
}

func (r *canonicalReader) u64() uint64 {
	if len(r.b) < 8 {
		r.err = errors.New("short input")
		r.b = nil
		return 0
	}
	v := binary.BigEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}

func (r *canonicalReader) str() string {
	n := r.u64()
	if n > uint64(len(r.b)) {
		r.err = errors.New("length past the end")
		r.b = nil
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *canonicalReader) strMap() map[string]string {
	n := r.u64()
	m := map[string]string{}
	last := ""
	for i := uint64(0); i < n && r.err == nil; i++ {
		k, v := r.str(), r.str()
		if i > 0 && k <= last {
			r.err = errors.New("map keys not strictly ascending")
		}
		m[k], last = v, k
	}
	return m
}

// The fuzz input format gives the fuzzer direct control of every field:
// seq (8 bytes), unix seconds (8), nanoseconds (4), zone offset (1), then
// case id, actor, action (each a length byte and bytes), before and after
// (a count byte, then keys and values as strings), payload hash and prev
// hash (as strings). Missing input reads as zero.
type fuzzReader struct{ b []byte }

func (r *fuzzReader) take(n int) []byte {
	n = min(n, len(r.b))
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *fuzzReader) fixed(n int) uint64 {
	var buf [8]byte
	copy(buf[8-n:], r.take(n))
	return binary.BigEndian.Uint64(buf[:])
}

func (r *fuzzReader) str() string { return string(r.take(int(r.fixed(1)))) }

func (r *fuzzReader) strMap() map[string]string {
	c := r.fixed(1)
	if c == 0 {
		return nil
	}
	m := map[string]string{}
	for range c & 0x0f { // up to 15 entries; 0x10 alone gives an empty map
		k := r.str()
		m[k] = r.str()
	}
	return m
}

func decodeFuzz(b []byte) audit.Event {
	r := fuzzReader{b: b}
	var e audit.Event
	e.Seq = r.fixed(8)
	sec, nsec := int64(r.fixed(8)), int64(r.fixed(4)%1e9)
	zone := time.FixedZone("", (int(r.fixed(1))-128)*15*60)
	e.Time = time.Unix(sec, nsec).In(zone)
	e.CaseID, e.Actor, e.Action = r.str(), r.str(), r.str()
	e.Before, e.After = r.strMap(), r.strMap()
	if h := r.str(); h != "" {
		e.PayloadHash = []byte(h)
	}
	if h := r.str(); h != "" {
		e.PrevHash = []byte(h)
	}
	return e
}

// encodeFuzz writes an event in the fuzz input format, for seeds. Strings
// longer than 255 bytes are not needed for seeds.
func encodeFuzz(e audit.Event) []byte {
	b := binary.BigEndian.AppendUint64(nil, e.Seq)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Time.Unix()))
	b = binary.BigEndian.AppendUint32(b, uint32(e.Time.Nanosecond()))
	_, offset := e.Time.Zone()
	b = append(b, byte(offset/(15*60)+128))
	str := func(s string) { b = append(append(b, byte(len(s))), s...) }
	mp := func(m map[string]string) {
		if m == nil {
			b = append(b, 0)
			return
		}
		b = append(b, byte(0x10|len(m)))
		for k, v := range maps.All(m) {
			str(k)
			str(v)
		}
	}
	str(e.CaseID)
	str(e.Actor)
	str(e.Action)
	mp(e.Before)
	mp(e.After)
	str(string(e.PayloadHash))
	str(string(e.PrevHash))
	return b
}
