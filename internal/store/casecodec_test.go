package store

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
)

func sampleCase() *cases.Case {
	return &cases.Case{
		ID: "01J0000000000000000000000A", Reference: "RD-ABCD-EFGH", Notices: []cases.CaseNotice{{NoticeRef: cases.NoticeRef{ID: "it-service-desk"}, Version: 1}}, State: cases.StateNew,
		Description: strings.Repeat("Please send me a copy of my service desk tickets. ", 20),
		Clock:       cases.Clock{Due: "2026-04-02", Steps: []cases.Step{{Text: "Received Mon 2 Mar 2026.", Date: "2026-03-02"}}},
	}
}

func TestCaseRecordsAreCompressedAndRoundTrip(t *testing.T) {
	c := sampleCase()
	raw, err := encodeCase(c)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := json.Marshal(c)
	if !bytes.HasPrefix(raw, zstdMagic) || len(raw) >= len(plain)/2 {
		t.Errorf("record of %d bytes for %d bytes of JSON: want a zstd frame under half the size", len(raw), len(plain))
	}
	got, err := DecodeCase(c.ID, raw)
	if err != nil || got.Description != c.Description || got.Clock.Steps[0] != c.Clock.Steps[0] {
		t.Errorf("round trip: %+v, %v", got, err)
	}
}

// Records written before compression are plain JSON and must still read.
func TestPlainJSONCaseRecordsStillRead(t *testing.T) {
	c := sampleCase()
	plain, _ := json.Marshal(c)
	got, err := DecodeCase(c.ID, plain)
	if err != nil || got.Reference != c.Reference {
		t.Errorf("legacy record: %+v, %v", got, err)
	}
}

func TestDamagedCaseRecordsAreErrors(t *testing.T) {
	raw, _ := encodeCase(sampleCase())
	for name, bad := range map[string][]byte{
		"truncated frame": raw[:len(raw)/2],
		"magic only":      zstdMagic,
		"not a record":    []byte("garbage"),
		"empty":           {},
	} {
		if _, err := DecodeCase("x", bad); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
}

func FuzzDecodeCase(f *testing.F) {
	raw, _ := encodeCase(sampleCase())
	plain, _ := json.Marshal(sampleCase())
	f.Add(raw)
	f.Add(plain)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = DecodeCase("fuzz", b) // must not panic or run away with memory
	})
}
