package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"
)

// Event is one change to a case, as it appears in the chain. Before and
// After hold non-personal fields only; the personal part of the change is a
// Payload stored apart, represented here by PayloadHash.
type Event struct {
	Seq         uint64            `json:"seq"`     // global, 1-based, contiguous
	CaseID      string            `json:"case_id"` // the case the change was made to, or another subject (NoticeSubject)
	Time        time.Time         `json:"time"`    // UTC; canonical form uses RFC 3339 with nanoseconds
	Actor       string            `json:"actor"`   // token name, user id, or "public"
	Action      string            `json:"action"`  // e.g. "case.created", "case.assigned", "case.closed"
	Before      map[string]string `json:"before,omitempty"`
	After       map[string]string `json:"after,omitempty"`
	PayloadHash []byte            `json:"payload_hash,omitempty"`
	PrevHash    []byte            `json:"prev_hash"`
	Hash        []byte            `json:"hash"`
}

// NoticeSubject is the CaseID of events about a notice rather than a case
// (a version added). Case ids are ULIDs, so the prefix never collides, and
// a notice's events are listed like a case's.
func NoticeSubject(noticeID string) string { return "notice:" + noticeID }

// UserSubject is the CaseID of events about a staff account (created,
// disabled, password set or changed).
func UserSubject(userID string) string { return "account:" + userID }

// TokenSubject is the CaseID of events about an API token (created,
// revoked), named by its public id.
func TokenSubject(tokenID string) string { return "token:" + tokenID }

// HashSize is the length of Hash, PrevHash and PayloadHash (SHA-256).
const HashSize = sha256.Size

// genesis is kept private and unexported as an array so no caller can
// change what the first event must link to.
var genesis [HashSize]byte

// GenesisHash returns the PrevHash of the first event: 32 zero bytes. It is
// a function rather than a variable so nobody can overwrite it by accident.
func GenesisHash() []byte { return bytes.Clone(genesis[:]) }

// canonicalTag starts every canonical encoding. It separates event hashes
// from any other SHA-256 in the system and names the format version, so a
// future encoding can never be confused with this one.
const canonicalTag = "rightsdesk/audit/event/v1"

// timeLayout is RFC 3339 with exactly nine fractional digits. A fixed width
// means one instant has one spelling (RFC3339Nano trims trailing zeros).
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// Canonical returns the bytes an event's Hash is computed over: every field
// except Hash, in a fixed order. Strings and byte slices are length-prefixed
// and maps are written as an entry count followed by entries sorted by key,
// so the encoding is prefix-free: no two different events share it, and it
// does not depend on map iteration order. Time is written in UTC, so the
// same instant in another zone encodes the same. A nil and an empty map (or
// byte slice) encode the same, because JSON storage does not keep the
// difference.
func Canonical(e *Event) []byte {
	return appendCanonical(make([]byte, 0, canonicalSize(e)), e)
}

// canonicalSize bounds the encoded length from above so Canonical
// allocates once. The time is counted as len(timeLayout): its zone "Z07:00"
// prints as "Z" in UTC, which leaves room for a year of up to nine digits
// (beyond that, append simply grows the buffer).
func canonicalSize(e *Event) int {
	const prefix = 8 // every length, count and the sequence number
	n := prefix + len(canonicalTag) + prefix + prefix + len(timeLayout)
	for _, s := range []string{e.CaseID, e.Actor, e.Action} {
		n += prefix + len(s)
	}
	for _, m := range []map[string]string{e.Before, e.After} {
		n += prefix
		for k, v := range m {
			n += 2*prefix + len(k) + len(v)
		}
	}
	return n + 2*prefix + len(e.PayloadHash) + len(e.PrevHash)
}

// appendCanonical lets the Verifier reuse one buffer across millions of
// events.
func appendCanonical(b []byte, e *Event) []byte {
	b = appendString(b, canonicalTag)
	b = binary.BigEndian.AppendUint64(b, e.Seq)
	b = appendString(b, e.CaseID)
	b = appendTime(b, e.Time)
	b = appendString(b, e.Actor)
	b = appendString(b, e.Action)
	b = appendMap(b, e.Before)
	b = appendMap(b, e.After)
	b = appendBytes(b, e.PayloadHash)
	b = appendBytes(b, e.PrevHash)
	return b
}

func appendLen(b []byte, n int) []byte {
	return binary.BigEndian.AppendUint64(b, uint64(n))
}

func appendString(b []byte, s string) []byte {
	return append(appendLen(b, len(s)), s...)
}

func appendBytes(b []byte, p []byte) []byte {
	return append(appendLen(b, len(p)), p...)
}

// appendTime writes the time as a length-prefixed string, so even a year
// outside 0000–9999 (which takes more or fewer characters) stays unambiguous.
func appendTime(b []byte, t time.Time) []byte {
	var buf [64]byte
	return appendBytes(b, t.UTC().AppendFormat(buf[:0], timeLayout))
}

// appendMap writes the entry count first so that one entry can never read
// as two (or two as one), then each key and value length-prefixed in key
// order.
func appendMap(b []byte, m map[string]string) []byte {
	b = appendLen(b, len(m))
	var small [32]string // a case snapshot has about 25 fields: no allocation
	for _, k := range sortedKeys(small[:0], m) {
		b = appendString(b, k)
		b = appendString(b, m[k])
	}
	return b
}

// sortedKeys appends m's keys to dst in ascending byte order.
func sortedKeys(dst []string, m map[string]string) []string {
	for k := range m {
		dst = append(dst, k)
	}
	slices.Sort(dst)
	return dst
}

// sum is the hash an event must carry.
func sum(b []byte) [HashSize]byte { return sha256.Sum256(b) }

// Link makes e the event after prev (the current head of the chain, or nil
// for the first event): it sets Seq and PrevHash, normalises the event to
// the form JSON storage will give back, and sets Hash over the result.
//
// Only prev.Seq and prev.Hash are read, so a caller may pass a head record
// rather than the whole previous event.
func Link(e *Event, prev *Event) {
	if prev == nil {
		e.Seq, e.PrevHash = 1, GenesisHash()
	} else {
		e.Seq, e.PrevHash = prev.Seq+1, bytes.Clone(prev.Hash)
	}
	Normalise(e)
	h := sum(Canonical(e))
	e.Hash = h[:]
}

// Normalise makes the event equal to what a JSON round trip returns, so a
// stored event verifies: the time in UTC (which also drops the monotonic
// clock reading) and strings as valid UTF-8 — encoding/json writes each
// invalid byte as U+FFFD, so hashing the raw bytes would report an honest
// event as altered once read back. Link does it; a store that encodes an
// event before linking it does it first.
func Normalise(e *Event) {
	e.Time = e.Time.UTC()
	e.CaseID = validUTF8(e.CaseID)
	e.Actor = validUTF8(e.Actor)
	e.Action = validUTF8(e.Action)
	e.Before = validMap(e.Before)
	e.After = validMap(e.After)
}

// validUTF8 replaces each invalid byte with U+FFFD, byte for byte as
// encoding/json does (strings.ToValidUTF8 would merge a run into one).
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	b := make([]byte, 0, len(s)+8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = utf8.AppendRune(b, utf8.RuneError)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return string(b)
}

// validMap returns m itself when it is already valid UTF-8 (the usual case,
// and no allocation). Otherwise it builds a new map, never changing the
// caller's: keys are visited in the order encoding/json writes them, so when
// two invalid keys become the same, the one JSON decoding would keep wins.
func validMap(m map[string]string) map[string]string {
	if mapIsValidUTF8(m) {
		return m
	}
	out := make(map[string]string, len(m))
	for _, k := range sortedKeys(nil, m) {
		out[validUTF8(k)] = validUTF8(m[k])
	}
	return out
}

func mapIsValidUTF8(m map[string]string) bool {
	for k, v := range m {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return false
		}
	}
	return true
}

// Valid reports whether the event's Hash is the hash of its canonical
// encoding, i.e. whether its content is as it was when it was linked. The
// error wraps ErrContentAltered.
func (e *Event) Valid() error {
	if detail := hashMismatch(e, Canonical(e)); detail != "" {
		return fmt.Errorf("%w: %s", ErrContentAltered, detail)
	}
	return nil
}

// hashMismatch checks e.Hash against already-encoded canonical bytes and
// says how it differs, or returns "" when it matches.
func hashMismatch(e *Event, canonical []byte) string {
	want := sum(canonical)
	if bytes.Equal(e.Hash, want[:]) {
		return ""
	}
	recomputed := want // only the failure path pays for a heap copy
	return fmt.Sprintf("stored hash %s, recomputed %s", short(e.Hash), short(recomputed[:]))
}

// short abbreviates a hash for a human-readable reason.
func short(h []byte) string {
	if len(h) == 0 {
		return "(none)"
	}
	if len(h) > 6 {
		return fmt.Sprintf("%x…", h[:6])
	}
	return fmt.Sprintf("%x", h)
}
