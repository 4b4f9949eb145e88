package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/keyring"
)

func sampleCase() *cases.Case {
	return &cases.Case{
		ID: "01J0000000000000000000000A", Reference: "RD-ABCD-EFGH", Notices: []cases.CaseNotice{{NoticeRef: cases.NoticeRef{ID: "it-service-desk"}, Version: 1}}, State: cases.StateNew,
		Description: strings.Repeat("Please send me a copy of my service desk tickets. ", 20),
		Requester:   cases.Requester{Person: cases.Person{Name: "Ada Lovelace", Email: "ada@example.org"}},
		Notes:       []cases.Note{{ID: "n1", Text: "Rang Ada back about the tickets."}},
		Clock:       cases.Clock{Due: "2026-04-02", Steps: []cases.Step{{Text: "Received Mon 2 Mar 2026.", Date: "2026-03-02"}}},
	}
}

func sealedSample(t testing.TB, key *keyring.DataKey) []byte {
	t.Helper()
	c := sampleCase()
	plain, _ := json.Marshal(c)
	raw, err := sealCaseRecord(key, c.ID, plain)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestSealedCaseRecordsRoundTripAndHideThePersonalFields(t *testing.T) {
	key := keyring.NewDataKey()
	c := sampleCase()
	raw := sealedSample(t, key)
	got, err := openCaseRecord(key, c.ID, raw)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, c)
	}
	plain, _ := json.Marshal(c)
	if len(raw) >= len(plain)/2 {
		t.Errorf("sealed record of %d bytes for %d bytes of JSON: want it compressed to under half", len(raw), len(plain))
	}
	// What is in clear is the skeleton, compressed; its fields are readable
	// by anyone, the personal ones by no one without the key.
	skel := skeletonOf(t, raw)
	for _, secret := range []string{"Ada", "ada@example.org", "tickets", "Rang"} {
		if bytes.Contains(raw, []byte(secret)) || strings.Contains(skel, secret) {
			t.Errorf("%q is readable in the sealed record", secret)
		}
	}
	for _, clear := range []string{c.Reference, "it-service-desk", "2026-04-02"} {
		if !strings.Contains(skel, clear) {
			t.Errorf("the skeleton lacks %q, which the indexes and statistics need", clear)
		}
	}
}

func skeletonOf(t testing.TB, raw []byte) string {
	t.Helper()
	rest := raw[len(sealedMagic):]
	n, size := binary.Uvarint(rest)
	plain, err := caseDecoder.DecodeAll(rest[size:size+int(n)], nil)
	if err != nil {
		t.Fatal(err)
	}
	return string(plain)
}

// Every field of a case is sealed unless it is named in clearCaseFields:
// a field added later (an Art 19 recipient, evidence received) is sealed
// without anyone touching the codec. Each string in the case, however
// deep, gets a distinctive value, and only those under a clear field may
// show in the skeleton.
func TestEveryFieldNotListedAsClearIsSealed(t *testing.T) {
	c := &cases.Case{}
	var marked []string
	fillStrings(reflect.ValueOf(c).Elem(), "", &marked)
	plain, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	key := keyring.NewDataKey()
	raw, err := sealCaseRecord(key, c.ID, plain)
	if err != nil {
		t.Fatal(err)
	}
	skel := skeletonOf(t, raw)
	for _, m := range marked {
		top := strings.SplitN(m, ".", 2)[0]
		inClear := strings.Contains(skel, "mark:"+m+":")
		if inClear != clearCaseFields[top] {
			t.Errorf("field %s (under %q): in clear %v, want %v", m, top, inClear, clearCaseFields[top])
		}
	}
	got, err := openCaseRecord(key, c.ID, raw)
	if err != nil || !reflect.DeepEqual(got, c) {
		t.Errorf("round trip of a case with every field set: %v", err)
	}
}

// fillStrings sets every settable string, and every string in a one-element
// slice or a pointer, to "mark:<json path>:".
func fillStrings(v reflect.Value, path string, marked *[]string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("mark:" + path + ":")
		*marked = append(*marked, path)
	case reflect.Pointer:
		if v.Type().Elem().Kind() == reflect.Struct {
			v.Set(reflect.New(v.Type().Elem()))
			fillStrings(v.Elem(), path, marked)
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fillStrings(v.Index(0), path, marked)
	case reflect.Struct:
		if v.Type().PkgPath() == "time" {
			return
		}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			name := strings.Split(f.Tag.Get("json"), ",")[0]
			if name == "-" {
				continue
			}
			if f.Anonymous && name == "" {
				fillStrings(v.Field(i), path, marked)
				continue
			}
			if name == "" {
				name = f.Name
			}
			if path != "" {
				name = path + "." + name
			}
			fillStrings(v.Field(i), name, marked)
		}
	}
}

// A clear field that no longer exists in the case (renamed, say) would
// silently become sealed; the list must name real fields.
func TestClearCaseFieldsAreFieldsOfACase(t *testing.T) {
	names := map[string]bool{}
	ty := reflect.TypeFor[cases.Case]()
	for i := range ty.NumField() {
		names[strings.Split(ty.Field(i).Tag.Get("json"), ",")[0]] = true
	}
	for _, f := range ClearCaseFields() {
		if !names[f] {
			t.Errorf("clearCaseFields names %q, which a case does not have", f)
		}
	}
}

func TestASealedRecordOpensOnlyWithItsKeyItsCaseAndItsSkeleton(t *testing.T) {
	key := keyring.NewDataKey()
	raw := sealedSample(t, key)
	id := sampleCase().ID
	if _, err := openCaseRecord(keyring.NewDataKey(), id, raw); !errors.Is(err, keyring.ErrAuthentication) {
		t.Errorf("another case's key: %v; want ErrAuthentication", err)
	}
	if _, err := openCaseRecord(key, "01J0000000000000000000000Z", raw); !errors.Is(err, keyring.ErrAuthentication) {
		t.Errorf("moved to another case: %v; want ErrAuthentication", err)
	}
	// A skeleton taken from another record of the same case (an older
	// state, say) does not pass with this personal document.
	other := sampleCase()
	other.State = cases.StateClosed
	plain, _ := json.Marshal(other)
	swapped, err := sealCaseRecord(key, id, plain)
	if err != nil {
		t.Fatal(err)
	}
	mixed := append(bytes.Clone(swapped[:len(swapped)-envelopeLen(t, swapped)]), raw[len(raw)-envelopeLen(t, raw):]...)
	if _, err := openCaseRecord(key, id, mixed); !errors.Is(err, keyring.ErrAuthentication) {
		t.Errorf("skeleton swapped: %v; want ErrAuthentication", err)
	}
}

func envelopeLen(t testing.TB, raw []byte) int {
	t.Helper()
	rest := raw[len(sealedMagic):]
	n, size := binary.Uvarint(rest)
	return len(rest) - size - int(n)
}

func TestDamagedSealedRecordsAreErrors(t *testing.T) {
	key := keyring.NewDataKey()
	raw := sealedSample(t, key)
	for name, bad := range map[string][]byte{
		"truncated":      raw[:len(raw)/2],
		"magic only":     sealedMagic,
		"length too big": append(bytes.Clone(sealedMagic), 0xff, 0xff, 0x03),
		"bit flipped":    append(bytes.Clone(raw[:len(raw)-1]), raw[len(raw)-1]^1),
	} {
		if _, err := openCaseRecord(key, sampleCase().ID, bad); err == nil {
			t.Errorf("%s: opened without error", name)
		}
	}
}

// Records of a plain store — zstd frames, and plain JSON from before
// compression — still read: they are what keys migrate reads.
func TestPlainCaseRecordsStillRead(t *testing.T) {
	c := sampleCase()
	plain, _ := json.Marshal(c)
	for name, raw := range map[string][]byte{"zstd": caseEncoder.EncodeAll(plain, nil), "json": plain} {
		got, err := DecodeCase(nil, c.ID, raw)
		if err != nil || got.Reference != c.Reference {
			t.Errorf("%s record: %+v, %v", name, got, err)
		}
	}
	for name, bad := range map[string][]byte{"truncated frame": caseEncoder.EncodeAll(plain, nil)[:20], "garbage": []byte("garbage"), "empty": {}} {
		if _, err := DecodeCase(nil, "x", bad); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
}

// Records name the dictionary they were compressed with by id, and read
// only with the same bytes: changing it would make every record written
// with it unreadable. A better one is a new dictionary with a new id.
func TestRecordDictionaryIsFrozen(t *testing.T) {
	const v1 = "cb3ce9683183e41b4712558bab2ef540b9e8d9df39991cfa075125ca1b3983dc"
	if sum := sha256.Sum256(recordDictV1); hex.EncodeToString(sum[:]) != v1 {
		t.Fatalf("recorddict-v1.txt has changed (SHA-256 %x): records written with it would no longer read; restore it", sum)
	}
}

// Records compressed before the dictionary (no dictionary id in their
// frame) and records compressed with it both read; events too, and the
// events stored as plain JSON before they were compressed.
func TestRecordsReadWithAndWithoutTheDictionary(t *testing.T) {
	c := sampleCase()
	plain, _ := json.Marshal(c)
	undictionaried, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	withDict := caseEncoder.EncodeAll(plain, nil)
	without := undictionaried.EncodeAll(plain, nil)
	if len(withDict) >= len(without) {
		t.Errorf("with the dictionary %d bytes, without %d", len(withDict), len(without))
	}
	for name, raw := range map[string][]byte{"with the dictionary": withDict, "without": without} {
		if got, err := DecodeCase(nil, c.ID, raw); err != nil || got.Reference != c.Reference {
			t.Errorf("case %s: %+v, %v", name, got, err)
		}
	}
}

// storedEvent is e linked after event 6 and encoded as AppendPrepared
// stores it.
func storedEvent(tb testing.TB, e *audit.Event) []byte {
	tb.Helper()
	p, err := PrepareEvent(e, nil)
	if err != nil {
		tb.Fatal(err)
	}
	prev := sha256.Sum256([]byte("event 6"))
	audit.Link(e, &audit.Event{Seq: 6, Hash: prev[:]})
	raw, err := p.linkedRecord()
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}

func sampleEvent() *audit.Event {
	payload := sha256.Sum256([]byte("payload"))
	return &audit.Event{CaseID: sampleCase().ID, Time: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC), Actor: "token:intake",
		Action: "case.created", After: map[string]string{"state": "new"}, PayloadHash: payload[:]}
}

// Events read back whole, and verify, in every layout they were stored
// in: the chain's place in binary before the compressed rest (now), the
// whole event compressed with or without the dictionary, or plain JSON.
// Damaged ones are errors.
func TestEventsReadInEveryLayout(t *testing.T) {
	e := sampleEvent()
	current := storedEvent(t, e)
	asJSON, _ := json.Marshal(e)
	wholeCompressed := caseEncoder.EncodeAll(asJSON, nil)
	undictionaried, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(current) >= len(wholeCompressed) {
		t.Errorf("stored in %d bytes, the whole event compressed in %d", len(current), len(wholeCompressed))
	}
	for name, raw := range map[string][]byte{"current": current, "whole compressed": wholeCompressed,
		"plain JSON": asJSON, "compressed without the dictionary": undictionaried.EncodeAll(asJSON, nil)} {
		got, err := decodeEvent(raw)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !reflect.DeepEqual(got, e) {
			t.Errorf("%s: read back as %+v, stored %+v", name, got, e)
		}
		if err := got.Valid(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, bad := range map[string][]byte{"layout byte alone": {eventLayout}, "short header": current[:eventHeaderSize-1],
		"damaged body": current[:len(current)-3], "truncated whole": wholeCompressed[:len(wholeCompressed)-3]} {
		if _, err := decodeEvent(bad); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

// A head whose hash is not a hash is refused, not linked to.
func TestAnEventIsNotLinkedToAMalformedHead(t *testing.T) {
	p, err := PrepareEvent(sampleEvent(), nil)
	if err != nil {
		t.Fatal(err)
	}
	audit.Link(p.event, &audit.Event{Seq: 6, Hash: []byte{6, 6}})
	if _, err := p.linkedRecord(); err == nil {
		t.Error("linked after a 2-byte hash")
	}
}

// Payloads read in both layouts: salt and compressed data, and the JSON
// stored before; anything else is an error, not a payload.
func TestPayloadsReadInBothLayouts(t *testing.T) {
	p, _, err := audit.SealPayload([]byte(`{"name":"Ada Lovelace","email":"ada@example.org"}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := encodePayload(&p)
	if err != nil {
		t.Fatal(err)
	}
	asJSON, _ := json.Marshal(p)
	if len(stored) >= len(asJSON)*3/4 {
		t.Errorf("stored in %d bytes, as JSON %d", len(stored), len(asJSON))
	}
	for name, raw := range map[string][]byte{"current": stored, "JSON": asJSON} {
		got, err := decodePayload(raw)
		if err != nil || !bytes.Equal(got.Salt, p.Salt) || !bytes.Equal(got.Data, p.Data) {
			t.Errorf("%s layout: %+v, %v", name, got, err)
		}
	}
	for name, bad := range map[string][]byte{"empty": {}, "unknown layout": {9, 1, 2}, "short salt": stored[:10], "damaged data": stored[:len(stored)-2]} {
		if _, err := decodePayload(bad); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
	if _, err := encodePayload(&audit.Payload{Salt: make([]byte, 256)}); err == nil {
		t.Error("a salt longer than its length byte was encoded")
	}
}

// A sealed record read without the store's keyring is a clear error.
func TestASealedRecordWithoutTheKeyringIsKeyringRequired(t *testing.T) {
	raw := sealedSample(t, keyring.NewDataKey())
	if _, err := DecodeCase(nil, sampleCase().ID, raw); !errors.Is(err, ErrKeyringRequired) {
		t.Errorf("got %v; want ErrKeyringRequired", err)
	}
}

func FuzzOpenCaseRecord(f *testing.F) {
	key := keyring.NewDataKey()
	f.Add(sealedSample(f, key))
	f.Add(sealedMagic)
	f.Fuzz(func(t *testing.T, b []byte) {
		if !bytes.HasPrefix(b, sealedMagic) {
			b = append(bytes.Clone(sealedMagic), b...)
		}
		_, _ = openCaseRecord(key, "fuzz", b) // must not panic or run away with memory
	})
}

func FuzzDecodePlainCase(f *testing.F) {
	plain, _ := json.Marshal(sampleCase())
	f.Add(caseEncoder.EncodeAll(plain, nil))
	f.Add(plain)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = decodePlainCase("fuzz", b)
	})
}

// Stored audit records, events and payloads in every layout, decode or
// fail without panicking; a payload that decodes is stored again and reads
// back the same.
func FuzzDecodeAuditRecords(f *testing.F) {
	e := sampleEvent()
	event := storedEvent(f, e)
	asJSON, _ := json.Marshal(e)
	p, _, _ := audit.SealPayload([]byte(`{"name":"Ada Lovelace"}`), nil)
	payload, _ := encodePayload(&p)
	payloadJSON, _ := json.Marshal(p)
	for _, seed := range [][]byte{event, asJSON, caseEncoder.EncodeAll(asJSON, nil), payload, payloadJSON, {payloadLayout, 0}} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = decodeEvent(b)
		got, err := decodePayload(b)
		if err != nil || b[0] == '{' {
			return
		}
		again, err := encodePayload(got)
		if err != nil {
			t.Fatalf("a decoded payload does not encode: %v", err)
		}
		if back, err := decodePayload(again); err != nil || !bytes.Equal(back.Salt, got.Salt) || !bytes.Equal(back.Data, got.Data) {
			t.Fatalf("payload %x decodes to %+v, which reads back as %+v, %v", b, got, back, err)
		}
	})
}

// The cost of sealing a record against the plain codec, for the issue's
// "within 15%" budget: one AEAD call and one extra zstd frame per write.
func BenchmarkCaseCodec(b *testing.B) {
	c := sampleCase()
	key := keyring.NewDataKey()
	b.Run("plain", func(b *testing.B) {
		for b.Loop() {
			plain, _ := json.Marshal(c)
			raw := caseEncoder.EncodeAll(plain, nil)
			if _, err := decodePlainCase(c.ID, raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sealed", func(b *testing.B) {
		for b.Loop() {
			plain, _ := json.Marshal(c)
			raw, err := sealCaseRecord(key, c.ID, plain)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := openCaseRecord(key, c.ID, raw); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Text that looks like JSON — quotes, braces, backslashes, a clear field's
// name — stays inside its own field: the split walks the JSON, it does not
// search it.
func TestTextThatLooksLikeJSONStaysInItsField(t *testing.T) {
	c := sampleCase()
	c.Description = `","state":"closed","assignee":"mallory"} \" \\ {[` + "\u2028 é"
	c.Notes = []cases.Note{{ID: "n1", Text: `"},"reference":"RD-FAKE-FAKE`}}
	plain, _ := json.Marshal(c)
	key := keyring.NewDataKey()
	raw, err := sealCaseRecord(key, c.ID, plain)
	if err != nil {
		t.Fatal(err)
	}
	if skel := skeletonOf(t, raw); strings.Contains(skel, "mallory") || strings.Contains(skel, "RD-FAKE") {
		t.Error("text from a personal field reached the skeleton")
	}
	got, err := openCaseRecord(key, c.ID, raw)
	if err != nil || !reflect.DeepEqual(got, c) {
		t.Errorf("round trip: %v", err)
	}
}

func FuzzSplitCase(f *testing.F) {
	plain, _ := json.Marshal(sampleCase())
	f.Add(plain)
	f.Add([]byte(`{"a":"\"}","b":[1,{"c":"]"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		skel, personal, err := splitCase(b)
		if err != nil || !json.Valid(b) {
			return // must not panic; invalid input need not split
		}
		joined, err := joinObjects(skel, personal)
		if err != nil {
			t.Fatalf("the parts of a valid object do not join: %v", err)
		}
		var want, got map[string]any
		if json.Unmarshal(b, &want) != nil || json.Unmarshal(joined, &got) != nil {
			return // duplicate names and the like
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("split and joined, the object changed")
		}
	})
}
