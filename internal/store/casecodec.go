package store

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/klauspost/compress/zstd"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/keyring"
)

// Case records are JSON compressed with zstd: a case is mostly prose (the
// clock's explanation, the notice's reasons for each right) that compresses
// to less than half, and case records are the largest share of the file.
//
// In a sealed store (sealing.go) a record is split in two: a clear
// skeleton of the fields the indexes and statistics need (clearCaseFields:
// state, dates, notices, rights, assignee), and everything else — the
// requester, the request text, notes, replies, letters, and any field
// added later — as one document sealed under the case's data key. The
// split is by JSON name against a list of clear fields, so a new field is
// personal, and sealed, unless someone decides otherwise here:
//
//	sealedMagic (4 bytes) | uvarint skeleton length | skeleton (zstd JSON)
//	| envelope of the personal document (zstd JSON), see keyring.DataKey.Seal
//
// The envelope's associated data binds it to the case id and to the
// skeleton's bytes, so neither can be swapped for another case's.
//
// Plain records — zstd frames, or plain JSON from before compression — are
// told apart by their first bytes; they are what plain stores hold, and
// what MigrateToSealed reads.
var (
	zstdMagic   = []byte{0x28, 0xb5, 0x2f, 0xfd}
	sealedMagic = []byte{0xd5, 'r', 'd', 1}
	// EncodeAll and DecodeAll are safe for concurrent use; one of each
	// serves every transaction. One encoder, not one per core: a create
	// took 7% more CPU with two at 64 clients on two cores (568 → 610
	// µs), likely because each EncodeAll first restores the dictionary's
	// tables, which stay in the processor's cache for one encoder. The
	// fastest level: a change to a case is encoded inside its write
	// transaction, which concurrent writers wait on, and the better levels
	// save only a few percent on records this small.
	caseEncoder, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1),
		zstd.WithEncoderDictRaw(recordDictID, recordDictV1))
	caseDecoder, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(maxCaseRecord),
		zstd.WithDecoderDictRaw(recordDictID, recordDictV1))
)

// recordDictV1 is the dictionary every record is compressed with: zstd
// starts each record with it as history, so what records have in common —
// JSON names, the clock's explanation, the wording of each right's
// availability, an audit event's fields — costs a few bytes instead of
// being spelt out again. A sealed case record takes under 60% of its size
// without it, an audit event under half its JSON (measured in casework's
// TestRecordsOfANoticeTheDictionaryHasNotSeenStaySmall).
// It holds sample records of a few built-in notices (not the one the
// bench files against, so the bench measures notices it has not seen),
// written by the version that introduced it, with made-up requester
// details.
//
// It is frozen: each compressed record names its dictionary by id in the
// frame header and cannot be read without it byte for byte
// (TestRecordDictionaryIsFrozen). A better dictionary takes a new id, and
// this one stays for reading. Records from before it carry no id and
// decode as they always did.
//
//go:embed recorddict-v1.txt
var recordDictV1 []byte

// recordDictID names recordDictV1 in frame headers: "RD" and the version,
// in the range the zstd format leaves to private dictionaries.
const recordDictID = 0x5244<<16 | 1

// maxCaseRecord bounds what one stored case may decompress to, so a damaged
// record cannot exhaust memory.
const maxCaseRecord = 16 << 20

// clearCaseFields are the JSON names of the case fields kept readable in a
// sealed record: what the indexes are built from (state, due date, notices,
// assignee, reference, request id, received date) and what statistics
// count after a case's personal data is destroyed. None holds what a
// requester or a caseworker wrote. The status token hash is not among
// them: sealed, it cannot be tested against guessed codes.
var clearCaseFields = map[string]bool{
	"id": true, "reference": true, "request_id": true,
	"notices": true, "rights": true, "channel": true, "region": true,
	"received_on": true, "state": true, "waiting_for": true, "assignee": true,
	"identity_status": true, "identity_requested_on": true, "identity_received_on": true,
	"fee_status": true, "fee_requested_on": true, "fee_received_on": true,
	"clock": true, "version": true, "created": true, "updated": true,
}

// caseRecordField is the field name in the personal document's associated
// data.
const caseRecordField = "case"

func encodeCase(tx WriteTx, c *cases.Case) ([]byte, error) {
	ctx, s := sealerOf(tx)
	if s == nil {
		return encodeCaseRecord(c, nil)
	}
	key, err := s.dataKeyForWrite(ctx, tx, c.ID)
	if err != nil {
		return nil, err
	}
	return encodeCaseRecord(c, key)
}

// encodeCaseRecord is c as stored: its JSON compressed, or, with the
// case's data key (a sealed store), split and sealed under it.
func encodeCaseRecord(c *cases.Case, key *keyring.DataKey) ([]byte, error) {
	plain, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode case %q: %w", c.ID, err)
	}
	if key == nil {
		return caseEncoder.EncodeAll(plain, make([]byte, 0, len(plain)/2)), nil
	}
	return sealCaseRecord(key, c.ID, plain)
}

// sealCaseRecord splits a case's JSON into its skeleton and its sealed
// personal document.
func sealCaseRecord(key *keyring.DataKey, id string, plain []byte) ([]byte, error) {
	skeleton, personal, err := splitCase(plain)
	if err != nil {
		return nil, fmt.Errorf("encode case %q: %w", id, err)
	}
	skel := caseEncoder.EncodeAll(skeleton, make([]byte, 0, len(skeleton)/2))
	out := make([]byte, 0, len(sealedMagic)+binary.MaxVarintLen32+len(skel)+keyring.Overhead+len(personal)/2)
	out = append(out, sealedMagic...)
	out = binary.AppendUvarint(out, uint64(len(skel)))
	out = append(out, skel...)
	return append(out, key.Seal(caseEncoder.EncodeAll(personal, nil), caseRecordAD(id, skel))...), nil
}

func caseRecordAD(id string, skeleton []byte) []byte {
	return append(keyring.AssociatedData(id, caseRecordField), skeleton...)
}

// splitCase divides a case's JSON object by clearCaseFields. It runs
// inside the write transaction, so it does not decode: it walks the
// compact JSON json.Marshal wrote, copying each member whole to one part.
func splitCase(plain []byte) (skeleton, personal []byte, err error) {
	if len(plain) < 2 || plain[0] != '{' || plain[len(plain)-1] != '}' {
		return nil, nil, errors.New("a case must be a JSON object")
	}
	skeleton = append(make([]byte, 0, len(plain)/2), '{')
	personal = append(make([]byte, 0, len(plain)), '{')
	for i := 1; i < len(plain)-1; {
		end, name, err := memberEnd(plain, i)
		if err != nil {
			return nil, nil, err
		}
		part := &personal
		if clearCaseFields[name] {
			part = &skeleton
		}
		if len(*part) > 1 {
			*part = append(*part, ',')
		}
		*part = append(*part, plain[i:end]...)
		i = end
		if i < len(plain)-1 {
			if plain[i] != ',' {
				return nil, nil, fmt.Errorf("unexpected %q after a member at byte %d", plain[i], i)
			}
			i++
		}
	}
	return append(skeleton, '}'), append(personal, '}'), nil
}

// memberEnd returns where the object member starting at i ("name":value)
// ends, and its name. The JSON is compact; a name with escapes is not one
// of the clear fields, so it is returned as written.
func memberEnd(b []byte, i int) (end int, name string, err error) {
	if b[i] != '"' {
		return 0, "", fmt.Errorf("expected a member name at byte %d", i)
	}
	nameEnd, err := stringEnd(b, i)
	if err != nil {
		return 0, "", err
	}
	name = string(b[i+1 : nameEnd-1])
	if nameEnd >= len(b) || b[nameEnd] != ':' {
		return 0, "", fmt.Errorf("expected ':' at byte %d", nameEnd)
	}
	depth := 0
	for j := nameEnd + 1; j < len(b); j++ {
		switch b[j] {
		case '"':
			if j, err = stringEnd(b, j); err != nil {
				return 0, "", err
			}
			j--
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return j, name, nil // the end of the enclosing object
			}
			depth--
		case ',':
			if depth == 0 {
				return j, name, nil
			}
		}
	}
	return 0, "", errors.New("unterminated JSON object")
}

// stringEnd returns the index just after the JSON string starting at i.
func stringEnd(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return 0, errors.New("unterminated JSON string")
}

// DecodeCase decodes a record read with CaseRecord in tx (whose store's
// keyring opens a sealed record).
func DecodeCase(tx ReadTx, id string, raw []byte) (*cases.Case, error) {
	if !bytes.HasPrefix(raw, sealedMagic) {
		return decodePlainCase(id, raw)
	}
	ctx, s := sealerOf(tx)
	if s == nil {
		return nil, fmt.Errorf("case %q is encrypted: %w", id, ErrKeyringRequired)
	}
	key, err := s.dataKey(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return openCaseRecord(key, id, raw)
}

var errDamagedRecord = errors.New("damaged sealed record")

func openCaseRecord(key *keyring.DataKey, id string, raw []byte) (*cases.Case, error) {
	rest := raw[len(sealedMagic):]
	n, size := binary.Uvarint(rest)
	if size <= 0 || n > uint64(len(rest)-size) {
		return nil, fmt.Errorf("case %q: %w: bad skeleton length", id, errDamagedRecord)
	}
	skel, envelope := rest[size:size+int(n)], rest[size+int(n):]
	personalZ, err := key.Open(envelope, caseRecordAD(id, skel))
	if err != nil {
		return nil, fmt.Errorf("case %q: %w", id, err)
	}
	var parts [2][]byte
	for i, z := range [...][]byte{skel, personalZ} {
		if parts[i], err = inflate(z); err != nil {
			return nil, fmt.Errorf("decompress case %q: %w", id, err)
		}
	}
	plain, err := joinObjects(parts[0], parts[1])
	if err != nil {
		return nil, fmt.Errorf("case %q: %w", id, err)
	}
	return decodePlainCase(id, plain)
}

// joinObjects joins two JSON objects with disjoint fields into one, so
// the case decodes in one pass (its UnmarshalJSON replaces the whole
// case, and reads old field names across both parts).
func joinObjects(a, b []byte) ([]byte, error) {
	a, b = bytes.TrimSpace(a), bytes.TrimSpace(b)
	if len(a) < 2 || a[0] != '{' || a[len(a)-1] != '}' || len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return nil, fmt.Errorf("%w: a part is not a JSON object", errDamagedRecord)
	}
	inner := bytes.TrimSpace(b[1 : len(b)-1])
	if len(inner) == 0 {
		return a, nil
	}
	out := make([]byte, 0, len(a)+len(b))
	out = append(out, a[:len(a)-1]...)
	if len(bytes.TrimSpace(a[1:len(a)-1])) > 0 {
		out = append(out, ',')
	}
	out = append(out, inner...)
	return append(out, '}'), nil
}

// inflate decompresses one record, with room for what records usually
// compress from.
func inflate(z []byte) ([]byte, error) { return caseDecoder.DecodeAll(z, make([]byte, 0, 3*len(z))) }

// inflateIfCompressed is inflate for a record that may be plain JSON,
// stored before its kind was compressed.
func inflateIfCompressed(raw []byte) ([]byte, error) {
	if !bytes.HasPrefix(raw, zstdMagic) {
		return raw, nil
	}
	return inflate(raw)
}

func decodePlainCase(id string, raw []byte) (*cases.Case, error) {
	plain, err := inflateIfCompressed(raw)
	if err != nil {
		return nil, fmt.Errorf("decompress case %q: %w", id, err)
	}
	var c cases.Case
	if err := json.Unmarshal(plain, &c); err != nil {
		return nil, fmt.Errorf("decode case %q: %w", id, err)
	}
	return &c, nil
}

// ClearCaseFields lists the JSON names of the case fields a sealed record
// keeps readable, sorted, for tests and documentation.
func ClearCaseFields() []string { return slices.Sorted(maps.Keys(clearCaseFields)) }
