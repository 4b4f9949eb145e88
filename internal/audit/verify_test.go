package audit_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/audit"
)

func TestChainVerifies(t *testing.T) {
	for _, n := range []int{0, 1, 2, 10, 250} {
		t.Run("", func(t *testing.T) {
			c := buildChain(t, n) // every event and payload already JSON round-tripped
			v, err := c.verify()
			if err != nil {
				t.Fatalf("%d events: %v", n, err)
			}
			if v.Count() != uint64(n) {
				t.Errorf("Count() = %d, want %d", v.Count(), n)
			}
			wantHead := audit.GenesisHash()
			if n > 0 {
				wantHead = c.events[n-1].Hash
			}
			if !bytes.Equal(v.Head(), wantHead) {
				t.Errorf("Head() = %x, want %x", v.Head(), wantHead)
			}
			if err := v.CheckHead(uint64(n), wantHead); err != nil {
				t.Errorf("CheckHead at the true head: %v", err)
			}
			// A second round trip changes nothing either.
			for i := range c.events {
				c.events[i] = roundTrip(t, c.events[i])
			}
			if _, err := c.verify(); err != nil {
				t.Errorf("after a second JSON round trip: %v", err)
			}
		})
	}
}

// TestTamperedField changes one field of one stored event: verification
// must fail at that very event, as altered content.
func TestTamperedField(t *testing.T) {
	const at = 8 // an event with before, after and a payload
	base := buildChain(t, 12)
	if e := base.events[at-1]; e.Before == nil || e.After == nil || e.PayloadHash == nil {
		t.Fatalf("event %d should have before, after and a payload hash: %+v", at, e)
	}
	tests := []struct {
		name   string
		tamper func(e *audit.Event)
	}{
		{"actor", func(e *audit.Event) { e.Actor = "caseworker:mallory" }},
		{"action", func(e *audit.Event) { e.Action = "case.withdrawn" }},
		{"time moved a nanosecond", func(e *audit.Event) { e.Time = e.Time.Add(time.Nanosecond) }},
		{"time moved a day", func(e *audit.Event) { e.Time = e.Time.AddDate(0, 0, -1) }},
		{"a before value", func(e *audit.Event) { e.Before["state"] = "AWAITING_REQUESTER" }},
		{"an after value", func(e *audit.Event) { e.After["due"] = "2026-06-01" }},
		{"a before entry added", func(e *audit.Event) { e.Before["extension"] = "2026-04-01 +2m" }},
		{"an after entry removed", func(e *audit.Event) { delete(e.After, "assignee") }},
		{"before and after swapped", func(e *audit.Event) { e.Before, e.After = e.After, e.Before }},
		{"payload hash changed", func(e *audit.Event) { e.PayloadHash[0] ^= 1 }},
		{"payload hash removed", func(e *audit.Event) { e.PayloadHash = nil }},
		{"case id", func(e *audit.Event) { e.CaseID = caseIDs[0] + "X" }},
		{"seq", func(e *audit.Event) { e.Seq = 99 }},
		{"prev hash", func(e *audit.Event) { e.PrevHash[31] ^= 1 }},
		{"own hash", func(e *audit.Event) { e.Hash[0] ^= 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base.clone()
			tt.tamper(&c.events[at-1])
			_, err := c.verify()
			wantBreak(t, err, at, audit.ErrContentAltered, "recomputed")
			if tt.name == "seq" && !strings.Contains(err.Error(), "its seq field reads 99") {
				t.Errorf("reason should show the tampered seq: %v", err)
			}
		})
	}
	t.Run("time moved to another zone is no change", func(t *testing.T) {
		c := base.clone()
		c.events[at-1].Time = c.events[at-1].Time.In(time.FixedZone("EST", -5*3600))
		if _, err := c.verify(); err != nil {
			t.Errorf("same instant, other zone: %v", err)
		}
	})
}

// TestTamperedStructure removes, reorders and inserts events.
func TestTamperedStructure(t *testing.T) {
	const n = 12
	base := buildChain(t, n)
	// forged returns an event with a correct own hash, linked after prev.
	forged := func(prev audit.Event, seq uint64) audit.Event {
		e := audit.Event{CaseID: prev.CaseID, Time: prev.Time.Add(time.Second), Actor: "caseworker:mallory", Action: "case.closed", After: map[string]string{"state": "CLOSED"}}
		audit.Link(&e, &audit.Event{Seq: seq - 1, Hash: prev.Hash})
		return e
	}
	tests := []struct {
		name      string
		tamper    func(c *chain)
		seq       uint64
		kind      error
		reasonHas string
	}{
		{"first event deleted", func(c *chain) { c.remove(0, 0) }, 2, audit.ErrLinkBroken, "event 1 is missing here"},
		{"middle event deleted", func(c *chain) { c.remove(4, 4) }, 6, audit.ErrLinkBroken, "event 5 is missing here"},
		{"three events deleted", func(c *chain) { c.remove(4, 6) }, 8, audit.ErrLinkBroken, "events 5–7 are missing here"},
		{"all of one case's events deleted", func(c *chain) { deleteCase(c, caseIDs[1]) }, firstAfterCase(base, caseIDs[1]), audit.ErrLinkBroken, "missing here"},
		{"two events swapped", func(c *chain) { swap(c, 4, 5) }, 6, audit.ErrLinkBroken, "event 6, whose prev_hash does not match"},
		{"an event replayed", func(c *chain) { c.insert(5, c.events[4]) }, 5, audit.ErrLinkBroken, "duplicated"},
		{"forged event inserted with a correct own hash", func(c *chain) { c.insert(5, forged(c.events[4], 6)) }, 6, audit.ErrLinkBroken, "inserted"},
		{"forged event linked to an older event", func(c *chain) { c.insert(5, forged(c.events[2], 6)) }, 6, audit.ErrLinkBroken, "does not match the hash of event 5"},
		{"event replaced by a forgery", func(c *chain) { c.events[5], c.payloads[5] = forged(c.events[4], 6), nil }, 7, audit.ErrLinkBroken, "inserted, replaced or reordered"},
		{"event deleted and the rest re-linked", func(c *chain) { c.remove(4, 4); relink(c, 4, false) }, 6, audit.ErrSequenceGap, "expected event 5, found event 6"},
		{"first event re-linked off genesis", func(c *chain) { c.events[0] = forged(c.events[0], 1) }, 1, audit.ErrLinkBroken, "genesis hash"},
		{"chain starts at event 2, linked to genesis", func(c *chain) { c.remove(0, 0); relinkFrom(c, nil, false) }, 2, audit.ErrSequenceGap, "expected event 1, found event 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base.clone()
			tt.tamper(&c)
			_, err := c.verify()
			wantBreak(t, err, tt.seq, tt.kind, tt.reasonHas)
		})
	}
}

// TestTamperedEnd: rewriting the end of the chain verifies on its own, and
// is caught only against a head recorded apart from the chain.
func TestTamperedEnd(t *testing.T) {
	const n = 12
	base := buildChain(t, n)
	head, headSeq := base.events[n-1].Hash, uint64(n)
	tests := []struct {
		name      string
		tamper    func(c *chain)
		seq       uint64
		reasonHas string
	}{
		{"newest event deleted", func(c *chain) { c.remove(n-1, n-1) }, n, "event 12 is missing from the end"},
		{"newest three deleted", func(c *chain) { c.remove(n-3, n-1) }, n - 2, "events 10–12 are missing"},
		{"whole chain deleted", func(c *chain) { c.remove(0, n-1) }, 1, "events 1–12 are missing"},
		{"event deleted, rest renumbered and re-linked", func(c *chain) { c.remove(4, 4); relink(c, 4, true) }, n, "event 12 is missing"},
		{"event altered, rest re-linked", func(c *chain) { c.events[4].Actor = "mallory"; relink(c, 4, false) }, n, "the chain was rewritten"},
		{"event appended without the head", func(c *chain) {
			e := audit.Event{CaseID: caseIDs[0], Time: t0, Actor: "mallory", Action: "case.created"}
			audit.Link(&e, &c.events[len(c.events)-1])
			c.insert(len(c.events), e)
		}, n + 1, "past the recorded head"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base.clone()
			tt.tamper(&c)
			v, err := c.verify()
			if err != nil {
				t.Fatalf("a consistent rewrite should verify on its own, got %v", err)
			}
			wantBreak(t, v.CheckHead(headSeq, head), tt.seq, audit.ErrHeadMismatch, tt.reasonHas)
		})
	}
}

func TestPayloads(t *testing.T) {
	const at = 4 // has a payload
	base := buildChain(t, 8)
	if base.payloads[at-1] == nil || base.payloads[at] != nil || base.payloads[at+1] == nil {
		t.Fatal("test chain should have payloads on even positions only")
	}
	tests := []struct {
		name      string
		change    func(c *chain)
		reasonHas string // "" means the chain must still verify
	}{
		{"payload erased (salt and data nil)", func(c *chain) { c.payloads[at-1] = &audit.Payload{} }, ""},
		{"payload erased (salt and data empty)", func(c *chain) { c.payloads[at-1] = &audit.Payload{Salt: []byte{}, Data: []byte{}} }, ""},
		{"payload erased and stored as JSON", func(c *chain) { c.payloads[at-1] = roundTripPayload(t, audit.Payload{}) }, ""},
		{"payload record removed", func(c *chain) { c.payloads[at-1] = nil }, ""},
		{"every payload erased", func(c *chain) {
			for i := range c.payloads {
				c.payloads[i] = nil
			}
		}, ""},
		{"data altered", func(c *chain) { c.payloads[at-1].Data[2] ^= 1 }, "altered"},
		{"data replaced", func(c *chain) { c.payloads[at-1].Data = []byte(`{"name":"Someone Else"}`) }, "altered"},
		{"salt altered", func(c *chain) { c.payloads[at-1].Salt[0] ^= 1 }, "altered"},
		{"only the salt erased", func(c *chain) { c.payloads[at-1].Salt = nil }, "partial erasure"},
		{"only the data erased", func(c *chain) { c.payloads[at-1].Data = nil }, "altered"},
		{"payloads of two events swapped", func(c *chain) { c.payloads[at-1], c.payloads[at+1] = c.payloads[at+1], c.payloads[at-1] }, "belongs to another event"},
		{"payload stored for an event without one", func(c *chain) { c.payloads[at-1], c.payloads[at] = nil, c.payloads[at-1] }, "no payload hash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base.clone()
			tt.change(&c)
			v, err := c.verify()
			if tt.reasonHas == "" {
				if err != nil {
					t.Fatalf("chain should still verify: %v", err)
				}
				if !bytes.Equal(v.Head(), base.events[len(base.events)-1].Hash) {
					t.Error("erasure moved the head")
				}
				return
			}
			seq := uint64(at)
			if tt.name == "payload stored for an event without one" {
				seq = at + 1
			}
			wantBreak(t, err, seq, audit.ErrPayloadMismatch, tt.reasonHas)
		})
	}
}

func TestVerifierStopsAtFirstBreak(t *testing.T) {
	c := buildChain(t, 6)
	c.events[2].Actor = "mallory"
	c.events[4].Actor = "mallory"
	var v audit.Verifier
	var first error
	for i := range c.events {
		if err := v.Next(&c.events[i], c.payloads[i]); err != nil && first == nil {
			first = err
		} else if err != first {
			t.Fatalf("event %d: got %v, want the first break again (%v)", i+1, err, first)
		}
	}
	wantBreak(t, first, 3, audit.ErrContentAltered, "")
	if v.Count() != 2 || !bytes.Equal(v.Head(), c.events[1].Hash) {
		t.Errorf("after the break: Count %d Head %x, want 2 and event 2's hash", v.Count(), v.Head())
	}
	if err := v.CheckHead(6, c.events[5].Hash); err != first {
		t.Errorf("CheckHead after a break = %v, want the break", err)
	}
}

func TestVerifierNilEvent(t *testing.T) {
	var v audit.Verifier
	wantBreak(t, v.Next(nil, nil), 1, audit.ErrLinkBroken, "no event")
}

func TestBreakError(t *testing.T) {
	tests := []struct {
		b    audit.Break
		want string
	}{
		{audit.Break{Seq: 42, CaseID: "01JABC", Reason: "link broken: x"}, "audit chain broken at event 42 (case 01JABC): link broken: x"},
		{audit.Break{Seq: 7, Reason: "chain does not end at the recorded head"}, "audit chain broken at event 7: chain does not end at the recorded head"},
	}
	for _, tt := range tests {
		if got := tt.b.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
	var err error = &audit.Break{Seq: 1}
	if errors.Is(err, audit.ErrLinkBroken) {
		t.Error("a Break with no kind matched a kind")
	}
}

// deleteCase removes every event of one case, as someone hiding a case would.
func deleteCase(c *chain, caseID string) {
	for i := len(c.events) - 1; i >= 0; i-- {
		if c.events[i].CaseID == caseID {
			c.remove(i, i)
		}
	}
}

// firstAfterCase is the event verification meets first after the case's
// first event is gone.
func firstAfterCase(c chain, caseID string) uint64 {
	for i, e := range c.events {
		if e.CaseID == caseID {
			for _, next := range c.events[i+1:] {
				if next.CaseID != caseID {
					return next.Seq
				}
			}
		}
	}
	panic("test chain has no such case followed by another")
}

func swap(c *chain, i, j int) {
	c.events[i], c.events[j] = c.events[j], c.events[i]
	c.payloads[i], c.payloads[j] = c.payloads[j], c.payloads[i]
}

// relink recomputes every hash from position from on, as someone covering
// up a change would; renumber also closes the sequence gap.
func relink(c *chain, from int, renumber bool) {
	var prev *audit.Event
	if from > 0 {
		prev = &c.events[from-1]
	}
	c.events = append(c.events[:from], relinkTail(c.events[from:], prev, renumber)...)
}

func relinkFrom(c *chain, prev *audit.Event, renumber bool) {
	c.events = relinkTail(c.events, prev, renumber)
}

func relinkTail(events []audit.Event, prev *audit.Event, renumber bool) []audit.Event {
	for i := range events {
		seq := events[i].Seq
		audit.Link(&events[i], prev)
		if !renumber { // keep the old number, and hash over it
			audit.Link(&events[i], &audit.Event{Seq: seq - 1, Hash: events[i].PrevHash})
		}
		prev = &events[i]
	}
	return events
}
