package audit_test

import (
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/audit"
)

// BenchmarkLink measures linking one typical event (a few before/after
// fields and a payload hash): ns/op is ns per event appended.
func BenchmarkLink(b *testing.B) {
	e, personal := newEvent(3, caseIDs[0])
	_, e.PayloadHash, _ = audit.SealPayload(personal, nil)
	prev := &audit.Event{Seq: 41, Hash: make([]byte, 32)}
	b.ReportAllocs()
	for b.Loop() {
		audit.Link(&e, prev)
	}
}

// BenchmarkVerify measures streaming verification, payload check included:
// ns/op is ns per event verified.
func BenchmarkVerify(b *testing.B) {
	c := buildChain(b, 1000)
	var v audit.Verifier
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i == len(c.events) {
			v, i = audit.Verifier{}, 0
		}
		if err := v.Next(&c.events[i], c.payloads[i]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
