package audit_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/audit"
)

// caseIDs are the cases the test chains interleave, so a per-case proof
// has both neighbouring and non-neighbouring events.
var caseIDs = []string{"01JCASEAAAAAAAAAAAAAAAAAAA", "01JCASEBBBBBBBBBBBBBBBBBBB", "01JCASECCCCCCCCCCCCCCCCCCC"}

// bst is a fixed zone (tzdata-free) so Link's move to UTC is exercised.
var bst = time.FixedZone("BST", 60*60)

var t0 = time.Date(2026, 3, 30, 9, 15, 0, 123456789, bst)

// chain is what the store holds: events in sequence order and, beside each,
// its stored payload or nil.
type chain struct {
	events   []audit.Event
	payloads []*audit.Payload
}

// newEvent is a realistic unlinked event: case i's state moves on, and every
// other event records personal data.
func newEvent(i int, caseID string) (audit.Event, []byte) {
	e := audit.Event{
		CaseID: caseID,
		Time:   t0.Add(time.Duration(i) * 90 * time.Second),
		Actor:  []string{"public", "caseworker:alice", "token:intake-bot"}[i%3],
		Action: []string{"case.created", "case.assigned", "case.paused", "case.note_added", "case.closed"}[i%5],
		Before: map[string]string{"state": "NEW", "assignee": "", "due": "2026-04-30"},
		After:  map[string]string{"state": "IN_PROGRESS", "assignee": fmt.Sprintf("user-%d", i), "due": "2026-05-01"},
	}
	if i == 0 {
		e.Before = nil
	}
	if i%2 == 1 {
		return e, fmt.Appendf(nil, `{"name":"Requester %d","email":"r%d@example.org","note":"called about the request"}`, i, i)
	}
	return e, nil
}

// buildChain links n events as the store would: Link after the head, seal
// the payload, then a JSON round trip of each event and payload, so every
// test works on what verification really reads back.
func buildChain(t testing.TB, n int) chain {
	t.Helper()
	random := rand.NewChaCha8([32]byte{1})
	order := rand.New(rand.NewPCG(1, 2))
	var c chain
	var prev *audit.Event
	caseID := caseIDs[0]
	for i := range n {
		if order.IntN(2) == 0 { // runs of one case give neighbouring events
			caseID = caseIDs[order.IntN(len(caseIDs))]
		}
		e, personal := newEvent(i, caseID)
		var payload *audit.Payload
		if personal != nil {
			p, hash, err := audit.SealPayload(personal, random)
			if err != nil {
				t.Fatal(err)
			}
			payload, e.PayloadHash = &p, hash
		}
		audit.Link(&e, prev)
		prev = &e
		c.events = append(c.events, roundTrip(t, e))
		if payload != nil {
			payload = roundTripPayload(t, *payload)
		}
		c.payloads = append(c.payloads, payload)
	}
	return c
}

func roundTrip(t testing.TB, e audit.Event) audit.Event {
	t.Helper()
	raw, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var out audit.Event
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func roundTripPayload(t testing.TB, p audit.Payload) *audit.Payload {
	t.Helper()
	raw, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var out audit.Payload
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

// clone deep-copies the chain so a test can tamper with it freely.
func (c chain) clone() chain {
	var out chain
	for i, e := range c.events {
		e.Before, e.After = maps.Clone(e.Before), maps.Clone(e.After)
		e.PayloadHash, e.PrevHash, e.Hash = bytes.Clone(e.PayloadHash), bytes.Clone(e.PrevHash), bytes.Clone(e.Hash)
		out.events = append(out.events, e)
		var p *audit.Payload
		if c.payloads[i] != nil {
			p = &audit.Payload{Salt: bytes.Clone(c.payloads[i].Salt), Data: bytes.Clone(c.payloads[i].Data)}
		}
		out.payloads = append(out.payloads, p)
	}
	return out
}

// remove drops the events at positions from..to (inclusive).
func (c *chain) remove(from, to int) {
	c.events = append(c.events[:from:from], c.events[to+1:]...)
	c.payloads = append(c.payloads[:from:from], c.payloads[to+1:]...)
}

// insert puts e (with no payload) at position at.
func (c *chain) insert(at int, e audit.Event) {
	c.events = append(c.events[:at:at], append([]audit.Event{e}, c.events[at:]...)...)
	c.payloads = append(c.payloads[:at:at], append([]*audit.Payload{nil}, c.payloads[at:]...)...)
}

// verify streams the chain through a Verifier, as `rightsdesk audit verify`
// does, returning the verifier so a test can also check its head.
func (c chain) verify() (*audit.Verifier, error) {
	var v audit.Verifier
	for i := range c.events {
		if err := v.Next(&c.events[i], c.payloads[i]); err != nil {
			return &v, err
		}
	}
	return &v, nil
}

// wantBreak checks err is a *Break at seq of the given kind.
func wantBreak(t *testing.T, err error, seq uint64, kind error, reasonHas string) {
	t.Helper()
	var b *audit.Break
	if !errors.As(err, &b) {
		t.Fatalf("error = %v, want an *audit.Break", err)
	}
	if b.Seq != seq {
		t.Errorf("broken at event %d, want %d (%v)", b.Seq, seq, err)
	}
	if !errors.Is(err, kind) {
		t.Errorf("break kind: %v, want %v", err, kind)
	}
	if !strings.HasPrefix(b.Reason, kind.Error()) {
		t.Errorf("reason %q does not start with its kind %q", b.Reason, kind)
	}
	if !strings.Contains(b.Reason, reasonHas) {
		t.Errorf("reason %q does not mention %q", b.Reason, reasonHas)
	}
}

// eventsEqual compares as JSON storage does: nil and empty alike, and times
// as instants.
func eventsEqual(a, b *audit.Event) bool {
	return a.Seq == b.Seq && a.CaseID == b.CaseID && a.Time.Equal(b.Time) &&
		a.Actor == b.Actor && a.Action == b.Action &&
		maps.Equal(a.Before, b.Before) && maps.Equal(a.After, b.After) &&
		bytes.Equal(a.PayloadHash, b.PayloadHash) && bytes.Equal(a.PrevHash, b.PrevHash)
}
