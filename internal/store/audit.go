package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/rightsdesk/rightsdesk/internal/audit"
)

// keyAuditHead holds the sequence number and hash of the newest event, so
// appending needs no scan.
var keyAuditHead = []byte("audit_head")

// AppendEvent links the event after the current head of the chain and
// writes it, its case index entry and its personal payload (if any), in the
// caller's transaction.
func AppendEvent(tx WriteTx, e *audit.Event, payload *audit.Payload) error {
	p, err := PrepareEvent(e, payload)
	if err != nil {
		return err
	}
	return AppendPrepared(tx, p)
}

// PreparedEvent is an audit event encoded ahead of the transaction that
// appends it, for the reason PreparedCase gives: everything but its place
// in the chain (sequence number, previous hash, hash), which is only
// known inside, and is all the transaction writes of it.
type PreparedEvent struct {
	event   *audit.Event
	record  []byte // eventHeaderSize bytes for the place in the chain, then the compressed body
	payload []byte // nil without one
}

// PrepareEvent encodes what of e and its payload (nil for none) does not
// depend on the chain. Neither may change afterwards.
func PrepareEvent(e *audit.Event, payload *audit.Payload) (*PreparedEvent, error) {
	record, err := encodeEventBody(e)
	if err != nil {
		return nil, err
	}
	p := &PreparedEvent{event: e, record: record}
	if payload == nil {
		return p, nil
	}
	p.payload, err = encodePayload(payload)
	return p, err
}

// AppendPrepared is AppendEvent for a prepared event.
func AppendPrepared(tx WriteTx, p *PreparedEvent) error {
	e := p.event
	prev, err := auditHead(tx)
	if err != nil {
		return err
	}
	audit.Link(e, prev)
	raw, err := p.linkedRecord()
	if err != nil {
		return err
	}
	key := seqKey(e.Seq)
	if err := tx.Put(BucketAudit, key, raw); err != nil {
		return err
	}
	if err := tx.Put(BucketCaseEvents, caseEventKey(e.CaseID, e.Seq), nil); err != nil {
		return err
	}
	if p.payload != nil {
		sealed, err := sealAuditPayload(tx, e, p.payload)
		if err != nil {
			return fmt.Errorf("seal audit payload: %w", err)
		}
		if err := tx.Put(BucketAuditPayload, key, sealed); err != nil {
			return err
		}
	}
	return tx.Put(BucketMeta, keyAuditHead, append(key, e.Hash...))
}

// linkedRecord fills in the record's header once the event is linked. In
// place: a transaction that runs again rewrites it, and the run before,
// which held the record, was rolled back.
func (p *PreparedEvent) linkedRecord() ([]byte, error) {
	e := p.event
	if len(e.PrevHash) != audit.HashSize {
		return nil, fmt.Errorf("audit head record is corrupt (a %d-byte hash)", len(e.PrevHash))
	}
	raw := p.record
	raw[0] = eventLayout
	binary.BigEndian.PutUint64(raw[1:9], e.Seq)
	copy(raw[9:9+audit.HashSize], e.PrevHash)
	copy(raw[9+audit.HashSize:eventHeaderSize], e.Hash)
	return raw, nil
}

// eventLayout starts an event stored as its place in the chain in binary
// (sequence number, previous hash, hash: eventHeaderSize bytes), then the
// rest of it as JSON compressed with the record dictionary, which halves
// it: most of an event is field names and values every event of its kind
// shares. The rest is known before the write transaction, so it is
// compressed outside it, and the writer that every other write waits on
// only fills in the header. Hashing never sees these bytes (the chain
// hashes audit's canonical form), so the layout is the store's to choose.
// Events stored before it (the whole event as compressed JSON, or plain
// JSON before that) still read; neither starts with this byte.
const (
	eventLayout     = 1
	eventHeaderSize = 1 + 8 + 2*audit.HashSize
)

// encodeEventBody is an event's record with its header left to fill: the
// event is normalised as Link would, so the body holds what the hash will
// be taken over, and encoded without its place in the chain.
func encodeEventBody(e *audit.Event) ([]byte, error) {
	audit.Normalise(e)
	raw, err := json.Marshal(eventBody{Event: e})
	if err != nil {
		return nil, fmt.Errorf("encode audit event: %w", err)
	}
	return caseEncoder.EncodeAll(raw, make([]byte, eventHeaderSize, eventHeaderSize+len(raw)/2)), nil
}

// eventBody is what of an event its record's body holds: the fields of
// the chain's place are shadowed by empty ones that JSON leaves out.
type eventBody struct {
	*audit.Event
	Seq      uint64 `json:"seq,omitempty"`
	PrevHash []byte `json:"prev_hash,omitempty"`
	Hash     []byte `json:"hash,omitempty"`
}

// decodeEvent reads an event in any layout it was stored in: header and
// compressed body, the whole event compressed, or plain JSON.
func decodeEvent(raw []byte) (*audit.Event, error) {
	var e audit.Event
	if len(raw) == 0 || raw[0] != eventLayout {
		plain, err := inflateIfCompressed(raw)
		if err != nil {
			return nil, err
		}
		return &e, json.Unmarshal(plain, &e)
	}
	if len(raw) < eventHeaderSize {
		return nil, fmt.Errorf("a malformed event of %d bytes", len(raw))
	}
	body, err := inflate(raw[eventHeaderSize:])
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(body, &e); err != nil {
		return nil, err
	}
	e.Seq = binary.BigEndian.Uint64(raw[1:9])
	e.PrevHash = bytes.Clone(raw[9 : 9+audit.HashSize])
	e.Hash = bytes.Clone(raw[9+audit.HashSize : eventHeaderSize])
	return &e, nil
}

// AuditHead returns the sequence number and hash recorded for the newest
// event (0 and nil for an empty chain), kept apart from the events so a
// verifier can tell when events were removed from the end.
func AuditHead(tx ReadTx) (uint64, []byte, error) {
	head, err := auditHead(tx)
	if err != nil || head == nil {
		return 0, nil, err
	}
	return head.Seq, head.Hash, nil
}

func auditHead(tx ReadTx) (*audit.Event, error) {
	raw := tx.Get(BucketMeta, keyAuditHead)
	if raw == nil {
		return nil, nil
	}
	if len(raw) < 8 {
		return nil, fmt.Errorf("audit head record is corrupt (%d bytes)", len(raw))
	}
	return &audit.Event{Seq: binary.BigEndian.Uint64(raw[:8]), Hash: append([]byte(nil), raw[8:]...)}, nil
}

func caseEventKey(caseID string, seq uint64) []byte {
	return append([]byte(caseID+"/"), seqKey(seq)...)
}

// CaseEvents returns a case's events, oldest first, with their payloads
// (nil where there is none or it was erased).
func CaseEvents(tx ReadTx, caseID string) ([]audit.Event, []*audit.Payload, error) {
	prefix := []byte(caseID + "/")
	var (
		events   []audit.Event
		payloads []*audit.Payload
	)
	err := tx.Scan(BucketCaseEvents, prefix, func(k, _ []byte) (bool, error) {
		if len(k) != len(prefix)+8 || string(k[:len(prefix)]) != string(prefix) {
			return false, nil
		}
		e, p, err := eventAt(tx, k[len(prefix):])
		if err != nil {
			return false, err
		}
		events, payloads = append(events, *e), append(payloads, p)
		return true, nil
	})
	return events, payloads, err
}

// EachEvent visits the whole chain in sequence order.
func EachEvent(tx ReadTx, fn func(e *audit.Event, p *audit.Payload) error) error {
	return tx.Scan(BucketAudit, nil, func(k, _ []byte) (bool, error) {
		e, p, err := eventAt(tx, k)
		if err != nil {
			return false, err
		}
		return true, fn(e, p)
	})
}

func eventAt(tx ReadTx, key []byte) (*audit.Event, *audit.Payload, error) {
	raw := tx.Get(BucketAudit, key)
	if raw == nil {
		return nil, nil, fmt.Errorf("audit event %d: %w", binary.BigEndian.Uint64(key), ErrNotFound)
	}
	e, err := decodeEvent(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("decode audit event %d: %w", binary.BigEndian.Uint64(key), err)
	}
	raw = tx.Get(BucketAuditPayload, key)
	if raw == nil {
		return e, nil, nil
	}
	raw, err = openAuditPayload(tx, e, raw)
	if err != nil {
		return nil, nil, fmt.Errorf("open audit payload %d: %w", e.Seq, err)
	}
	p, err := decodePayload(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("decode audit payload %d: %w", e.Seq, err)
	}
	return e, p, nil
}

// payloadLayout starts a payload stored as its salt and then its data
// compressed with the record dictionary. As JSON, both were base64, a
// third larger, and the data's field names took room again in every one.
const payloadLayout = 1

func encodePayload(p *audit.Payload) ([]byte, error) {
	if len(p.Salt) > 255 {
		return nil, fmt.Errorf("encode audit payload: a salt of %d bytes", len(p.Salt))
	}
	raw := append([]byte{payloadLayout}, byte(len(p.Salt)))
	raw = append(raw, p.Salt...)
	return caseEncoder.EncodeAll(p.Data, raw), nil
}

// decodePayload reads a payload in either layout: the one above, or the
// JSON stored before (which starts with a brace).
func decodePayload(raw []byte) (*audit.Payload, error) {
	var p audit.Payload
	if len(raw) > 0 && raw[0] == '{' {
		return &p, json.Unmarshal(raw, &p)
	}
	if len(raw) < 2 || raw[0] != payloadLayout || len(raw) < 2+int(raw[1]) {
		return nil, fmt.Errorf("a malformed payload of %d bytes", len(raw))
	}
	end := 2 + int(raw[1])
	p.Salt = bytes.Clone(raw[2:end])
	data, err := inflate(raw[end:])
	if err != nil {
		return nil, err
	}
	p.Data = data
	return &p, nil
}

// A payload holds personal data, so in a sealed store it is sealed under
// its case's data key (and so destroyed with it), or, for an event of no
// case, under a key derived from the root.
func auditPayloadField(seq uint64) string { return fmt.Sprintf("audit/%d", seq) }

func sealAuditPayload(tx WriteTx, e *audit.Event, raw []byte) ([]byte, error) {
	if e.CaseID == "" {
		return sealWithRoot(tx, auditPayloadKeyOf, "", auditPayloadField(e.Seq), raw)
	}
	return sealForCase(tx, e.CaseID, auditPayloadField(e.Seq), raw)
}

func openAuditPayload(tx ReadTx, e *audit.Event, raw []byte) ([]byte, error) {
	if e.CaseID == "" {
		return openWithRoot(tx, auditPayloadKeyOf, "", auditPayloadField(e.Seq), raw)
	}
	return openForCase(tx, e.CaseID, auditPayloadField(e.Seq), raw)
}
