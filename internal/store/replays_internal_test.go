package store

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// Replay records are written in the binary layout and read back whole;
// the JSON records written before it still read; a damaged one is refused.
func TestReplayRecordsReadInBothLayouts(t *testing.T) {
	want := storedReplay{CaseID: "01KJPZV2803570D7TEN4WAHQ6C", Fingerprint: bytes.Repeat([]byte{0xab}, 60), Created: time.Date(2026, 12, 7, 15, 4, 5, 123456789, time.UTC)}
	raw, err := encodeReplay(want)
	if err != nil {
		t.Fatal(err)
	}
	old, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) >= len(old)/2+20 {
		t.Errorf("a binary record of %d bytes against %d in JSON", len(raw), len(old))
	}
	for name, stored := range map[string][]byte{"binary": raw, "json": old} {
		got, err := decodeReplay(stored)
		if err != nil || got.CaseID != want.CaseID || !bytes.Equal(got.Fingerprint, want.Fingerprint) || !got.Created.Equal(want.Created) {
			t.Errorf("%s: %+v (%v), want %+v", name, got, err, want)
		}
	}
	for _, damaged := range [][]byte{nil, {replayLayout}, raw[:9], append([]byte{2}, raw[1:]...), raw[:11]} {
		if _, err := decodeReplay(damaged); err == nil {
			t.Errorf("a damaged record of %d bytes read without an error", len(damaged))
		}
	}
}
