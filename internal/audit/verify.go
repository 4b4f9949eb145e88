package audit

import (
	"bytes"
	"errors"
	"fmt"
)

// The kinds of break. A *Break wraps exactly one of them, so callers can
// tell them apart with errors.Is while the Reason stays readable.
var (
	// ErrContentAltered: the event's hash does not recompute, so some field
	// of it was changed after it was linked.
	ErrContentAltered = errors.New("event content altered")
	// ErrLinkBroken: the event's PrevHash is not the hash of the event
	// before it, so an event was removed, reordered or inserted.
	ErrLinkBroken = errors.New("link broken")
	// ErrSequenceGap: the event links correctly but its sequence number is
	// not the next one, so the chain was cut and re-linked.
	ErrSequenceGap = errors.New("sequence gap")
	// ErrPayloadMismatch: the stored payload is not the one the event's
	// PayloadHash was made from.
	ErrPayloadMismatch = errors.New("payload does not match its hash")
	// ErrHeadMismatch: the chain does not end at the head recorded apart
	// from it, so events were removed from its end or it was rewritten.
	ErrHeadMismatch = errors.New("chain does not end at the recorded head")
	// ErrProofMalformed: a Proof is empty, mixes cases, or is out of order.
	ErrProofMalformed = errors.New("malformed proof")
)

// Break is the first problem found in a chain or proof: the event it was
// found at and why.
type Break struct {
	Seq    uint64 // the sequence number of the event at fault
	CaseID string // that event's case, as stored ("" when there is no event)
	Reason string // human-readable; starts with the kind of break
	kind   error
}

// Error reads "audit chain broken at event 42 (case 01J...): <reason>".
func (b *Break) Error() string {
	if b.CaseID == "" {
		return fmt.Sprintf("audit chain broken at event %d: %s", b.Seq, b.Reason)
	}
	return fmt.Sprintf("audit chain broken at event %d (case %s): %s", b.Seq, b.CaseID, b.Reason)
}

// Unwrap returns the kind of break (ErrContentAltered, ErrLinkBroken, …).
func (b *Break) Unwrap() error { return b.kind }

// breakAt builds a Break whose reason starts with its kind.
func breakAt(e *Event, kind error, format string, args ...any) *Break {
	reason := kind.Error()
	if format != "" {
		reason += ": " + fmt.Sprintf(format, args...)
	}
	return &Break{Seq: e.Seq, CaseID: e.CaseID, Reason: reason, kind: kind}
}

// Verifier checks a chain one event at a time in sequence order, holding
// only the last hash, so millions of events can be verified streaming from
// storage. The zero value is ready to verify a chain from its first event.
// It stops at the first break: every later call returns that same break.
type Verifier struct {
	count  uint64
	head   []byte // hash of the last verified event; nil means genesis
	broken *Break
	buf    []byte // canonical encoding scratch, reused across events
}

// Next verifies e as the event after the last verified one. payload is the
// personal payload stored for e, or nil when none is stored; a nil or erased
// payload is not checked, since erasure is allowed and leaves the chain
// intact. It returns a *Break on the first problem.
func (v *Verifier) Next(e *Event, payload *Payload) error {
	if v.broken != nil {
		return v.broken
	}
	if b := v.check(e, payload); b != nil {
		v.broken = b
		return b
	}
	v.count++
	v.head = append(v.head[:0], e.Hash...)
	return nil
}

// check runs the tests in the order that names the most specific cause: a
// changed field (including Seq itself) shows first as a hash that does not
// recompute; only an intact event can tell us about its neighbours.
func (v *Verifier) check(e *Event, payload *Payload) *Break {
	expected := v.count + 1
	if e == nil {
		return &Break{Seq: expected, Reason: ErrLinkBroken.Error() + ": no event given", kind: ErrLinkBroken}
	}
	v.buf = appendCanonical(v.buf[:0], e)
	if detail := hashMismatch(e, v.buf); detail != "" {
		return v.altered(e, expected, detail)
	}
	if b := v.checkLink(e, expected); b != nil {
		return b
	}
	if e.Seq != expected {
		return breakAt(e, ErrSequenceGap, "expected event %d, found event %d linked to %s — the chain was cut and re-linked", expected, e.Seq, v.position())
	}
	return checkPayload(e, payload)
}

// altered reports an event whose hash does not recompute. Its own fields
// cannot be trusted, Seq included, but its position can: every event before
// it verified with contiguous numbers, so it sits where event `expected`
// belongs, and the break names that.
func (v *Verifier) altered(e *Event, expected uint64, detail string) *Break {
	b := breakAt(e, ErrContentAltered, "%s", detail)
	if e.Seq != expected {
		b.Reason += fmt.Sprintf("; its seq field reads %d", e.Seq)
	}
	b.Seq = expected
	return b
}

// checkLink compares PrevHash with the last verified hash, and uses the
// sequence number to say what most likely happened.
func (v *Verifier) checkLink(e *Event, expected uint64) *Break {
	if bytes.Equal(e.PrevHash, v.headRef()) {
		return nil
	}
	switch {
	case e.Seq > expected:
		return breakAt(e, ErrLinkBroken, "expected event %d after %s but found event %d, whose prev_hash does not match — %s missing here (removed or moved)", expected, v.position(), e.Seq, missing(expected, e.Seq-1))
	case e.Seq < expected:
		return breakAt(e, ErrLinkBroken, "event %d follows %s — an event was inserted, duplicated or reordered", e.Seq, v.position())
	default:
		return breakAt(e, ErrLinkBroken, "prev_hash %s does not match %s (%s) — an event was inserted, replaced or reordered", short(e.PrevHash), v.headName(), short(v.headRef()))
	}
}

// missing names a run of absent events with its verb.
func missing(from, to uint64) string {
	if from == to {
		return fmt.Sprintf("event %d is", from)
	}
	return fmt.Sprintf("events %d–%d are", from, to)
}

// checkPayload verifies a stored payload against the hash in the chain.
// Nothing is checked for a payload that is absent or fully erased.
func checkPayload(e *Event, p *Payload) *Break {
	switch {
	case p == nil || p.Erased():
		return nil
	case len(e.PayloadHash) == 0:
		return breakAt(e, ErrPayloadMismatch, "a payload is stored for an event that has no payload hash")
	case len(p.Salt) == 0:
		return breakAt(e, ErrPayloadMismatch, "the salt was removed but the data was not (a partial erasure)")
	case !p.Matches(e.PayloadHash):
		return breakAt(e, ErrPayloadMismatch, "the personal data was altered, or belongs to another event")
	}
	return nil
}

// position names the last verified event, for reasons.
func (v *Verifier) position() string {
	if v.count == 0 {
		return "the start of the chain"
	}
	return fmt.Sprintf("event %d", v.count)
}

// headName names what the next PrevHash must equal, for reasons.
func (v *Verifier) headName() string {
	if v.count == 0 {
		return "the genesis hash"
	}
	return fmt.Sprintf("the hash of event %d", v.count)
}

// Count returns how many events have verified so far.
func (v *Verifier) Count() uint64 { return v.count }

// Head returns the hash of the last verified event (GenesisHash when none
// has verified yet), to compare with a head recorded elsewhere.
func (v *Verifier) Head() []byte { return bytes.Clone(v.headRef()) }

// headRef is Head without the copy, for comparisons on every event.
func (v *Verifier) headRef() []byte {
	if v.count == 0 {
		return genesis[:]
	}
	return v.head
}

// CheckHead is called after the last event: it compares where the verified
// chain ends with the head recorded apart from it (the store's head record,
// or a head exported earlier). Without it, removing the newest events, or
// rewriting the chain from some point on, would verify. It returns a *Break
// wrapping ErrHeadMismatch, or the earlier break if there was one.
func (v *Verifier) CheckHead(seq uint64, hash []byte) error {
	if v.broken != nil {
		return v.broken
	}
	switch {
	case v.count < seq:
		return &Break{Seq: v.count + 1, Reason: fmt.Sprintf("%s: the chain ends at event %d but the recorded head is event %d — %s missing from the end", ErrHeadMismatch, v.count, seq, missing(v.count+1, seq)), kind: ErrHeadMismatch}
	case v.count > seq:
		return &Break{Seq: seq + 1, Reason: fmt.Sprintf("%s: the chain continues to event %d past the recorded head, event %d", ErrHeadMismatch, v.count, seq), kind: ErrHeadMismatch}
	case !bytes.Equal(v.headRef(), hash):
		return &Break{Seq: seq, Reason: fmt.Sprintf("%s: event %d has hash %s but the recorded head is %s — the chain was rewritten", ErrHeadMismatch, seq, short(v.headRef()), short(hash)), kind: ErrHeadMismatch}
	}
	return nil
}
