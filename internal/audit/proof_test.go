package audit_test

import (
	"bytes"
	"cmp"
	"encoding/json"
	"slices"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/audit"
)

// proofFor collects one case's events from the chain, with the chain head.
func proofFor(c chain, caseID string) audit.Proof {
	p := audit.Proof{Head: bytes.Clone(c.events[len(c.events)-1].Hash), HeadSeq: c.events[len(c.events)-1].Seq}
	for _, e := range c.clone().events {
		if e.CaseID == caseID {
			p.Events = append(p.Events, e)
		}
	}
	return p
}

// neighbours returns the index in p.Events of an event whose predecessor in
// the proof is also its predecessor in the chain, so the link is checked.
func neighbours(t *testing.T, p audit.Proof) int {
	t.Helper()
	for i := 1; i < len(p.Events); i++ {
		if p.Events[i].Seq == p.Events[i-1].Seq+1 {
			return i
		}
	}
	t.Fatal("test chain has no neighbouring events in this case")
	return 0
}

func TestVerifyProof(t *testing.T) {
	c := buildChain(t, 40)
	for _, id := range caseIDs {
		p := proofFor(c, id)
		if len(p.Events) == 0 || len(p.Events) == len(c.events) {
			t.Fatalf("case %s: want a proper subset of the chain, got %d of %d", id, len(p.Events), len(c.events))
		}
		if err := audit.VerifyProof(p); err != nil {
			t.Errorf("case %s: %v", id, err)
		}
		var back audit.Proof // the evidence bundle is JSON
		raw, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &back); err != nil {
			t.Fatal(err)
		}
		if err := audit.VerifyProof(back); err != nil {
			t.Errorf("case %s after a JSON round trip: %v", id, err)
		}
	}
	// A proof made when the case's newest event was the head.
	last := c.events[len(c.events)-1]
	p := proofFor(c, last.CaseID)
	if err := audit.VerifyProof(p); err != nil {
		t.Errorf("proof ending at the head: %v", err)
	}
}

func TestVerifyProofTampered(t *testing.T) {
	c := buildChain(t, 40)
	caseID := c.events[0].CaseID // holds event 1, so the genesis link is checked
	base := proofFor(c, caseID)
	k := neighbours(t, base)
	tests := []struct {
		name   string
		tamper func(p *audit.Proof) uint64 // returns the sequence number the break must name
		kind   error
	}{
		{"an event's actor altered", func(p *audit.Proof) uint64 { p.Events[k].Actor = "mallory"; return p.Events[k].Seq }, audit.ErrContentAltered},
		{"an event's time altered", func(p *audit.Proof) uint64 { p.Events[0].Time = p.Events[0].Time.Add(1); return p.Events[0].Seq }, audit.ErrContentAltered},
		{"a neighbour replaced by a forgery", func(p *audit.Proof) uint64 {
			e := p.Events[k]
			e.Actor = "mallory"
			audit.Link(&e, &audit.Event{Seq: e.Seq - 1, Hash: bytes.Repeat([]byte{1}, 32)})
			p.Events[k] = e
			return e.Seq
		}, audit.ErrLinkBroken},
		{"first event off genesis", func(p *audit.Proof) uint64 {
			audit.Link(&p.Events[0], &audit.Event{Seq: 0, Hash: bytes.Repeat([]byte{1}, 32)})
			return 1
		}, audit.ErrLinkBroken},
		{"events reordered", func(p *audit.Proof) uint64 {
			p.Events[k-1], p.Events[k] = p.Events[k], p.Events[k-1]
			return p.Events[k].Seq
		}, audit.ErrSequenceGap},
		{"an event duplicated", func(p *audit.Proof) uint64 {
			p.Events = append(p.Events[:k+1:k+1], p.Events[k:]...)
			return p.Events[k].Seq
		}, audit.ErrSequenceGap},
		{"another case's event added", func(p *audit.Proof) uint64 {
			for _, e := range c.events {
				if e.CaseID != caseID {
					at, _ := slices.BinarySearchFunc(p.Events, e.Seq, func(x audit.Event, seq uint64) int { return cmp.Compare(x.Seq, seq) })
					p.Events = slices.Insert(p.Events, at, e)
					return e.Seq
				}
			}
			panic("test chain has only one case")
		}, audit.ErrProofMalformed},
		{"head hash altered while the case ends at the head", func(p *audit.Proof) uint64 {
			last := p.Events[len(p.Events)-1]
			p.HeadSeq, p.Head = last.Seq, bytes.Repeat([]byte{2}, 32)
			return last.Seq
		}, audit.ErrHeadMismatch},
		{"event after the head", func(p *audit.Proof) uint64 {
			last := p.Events[len(p.Events)-1]
			p.HeadSeq = last.Seq - 1
			return last.Seq
		}, audit.ErrProofMalformed},
		{"head missing", func(p *audit.Proof) uint64 { p.Head = nil; return p.HeadSeq }, audit.ErrProofMalformed},
		{"no events", func(p *audit.Proof) uint64 { p.Events = nil; return 0 }, audit.ErrProofMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base
			p.Events = append([]audit.Event(nil), base.Events...)
			seq := tt.tamper(&p)
			wantBreak(t, audit.VerifyProof(p), seq, tt.kind, "")
		})
	}
}
