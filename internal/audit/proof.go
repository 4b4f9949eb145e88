package audit

import (
	"bytes"
	"fmt"
)

// Proof is one case's events taken from the global chain, for an evidence
// bundle, with the head of the whole chain when it was made. It shows that
// each event is as it was linked and, where two of the case's events are
// neighbours in the global chain, that nothing came between them. Events of
// other cases are not included, so a gap between non-neighbouring events
// cannot be checked from the proof alone; and Head is only worth as much as
// the place it is compared with (for example a head handed over earlier).
type Proof struct {
	Events  []Event `json:"events"`   // one case's events, in ascending sequence order
	Head    []byte  `json:"head"`     // hash of the chain's newest event when the proof was made
	HeadSeq uint64  `json:"head_seq"` // its sequence number
}

// VerifyProof checks that every event's hash recomputes, that the events
// belong to one case in ascending sequence order, that neighbours in the
// global chain link, that event 1 links to the genesis hash, and that the
// events end at or before the head (at the head, with its hash). The error
// is a *Break naming the first event at fault.
func VerifyProof(p Proof) error {
	if len(p.Events) == 0 {
		return &Break{Reason: ErrProofMalformed.Error() + ": it has no events", kind: ErrProofMalformed}
	}
	var prev *Event
	for i := range p.Events {
		e := &p.Events[i]
		if b := checkProofEvent(e, prev, p.Events[0].CaseID); b != nil {
			return b
		}
		prev = e
	}
	// Checked and converted here: returning a nil *Break as an error would
	// make a non-nil error.
	if b := checkProofHead(prev, p); b != nil {
		return b
	}
	return nil
}

// checkProofEvent checks one event against the one before it in the proof
// (nil for the first).
func checkProofEvent(e, prev *Event, caseID string) *Break {
	if e.CaseID != caseID {
		return breakAt(e, ErrProofMalformed, "event belongs to case %q but the proof is for case %q", e.CaseID, caseID)
	}
	if detail := hashMismatch(e, Canonical(e)); detail != "" {
		return breakAt(e, ErrContentAltered, "%s", detail)
	}
	switch {
	case e.Seq == 0:
		return breakAt(e, ErrSequenceGap, "sequence numbers start at 1")
	case prev != nil && e.Seq <= prev.Seq:
		return breakAt(e, ErrSequenceGap, "event %d follows event %d: events are not in ascending order", e.Seq, prev.Seq)
	case e.Seq == 1 && !bytes.Equal(e.PrevHash, genesis[:]):
		return breakAt(e, ErrLinkBroken, "the first event of the chain does not link to the genesis hash")
	case prev != nil && e.Seq == prev.Seq+1 && !bytes.Equal(e.PrevHash, prev.Hash):
		return breakAt(e, ErrLinkBroken, "prev_hash %s does not match the hash of event %d (%s)", short(e.PrevHash), prev.Seq, short(prev.Hash))
	}
	return nil
}

// checkProofHead checks the last event against the recorded head.
func checkProofHead(last *Event, p Proof) *Break {
	switch {
	case len(p.Head) != HashSize:
		return &Break{Seq: p.HeadSeq, Reason: fmt.Sprintf("%s: head hash is %d bytes, want %d", ErrProofMalformed, len(p.Head), HashSize), kind: ErrProofMalformed}
	case last.Seq > p.HeadSeq:
		return breakAt(last, ErrProofMalformed, "event is after the proof's head, event %d", p.HeadSeq)
	case last.Seq == p.HeadSeq && !bytes.Equal(last.Hash, p.Head):
		return breakAt(last, ErrHeadMismatch, "event %d is the head but its hash %s is not the head hash %s", last.Seq, short(last.Hash), short(p.Head))
	}
	return nil
}
