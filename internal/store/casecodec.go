package store

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/klauspost/compress/zstd"

	"github.com/rightsdesk/rightsdesk/internal/cases"
)

// Case records are JSON compressed with zstd: a case is mostly prose (the
// clock's explanation, the notice's reasons for each right) that compresses
// to less than half, and case records are the largest share of the file.
// Records are told apart by the zstd frame's magic number, so records
// written as plain JSON before compression was introduced still read.
var (
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
	// EncodeAll and DecodeAll are safe for concurrent use; one of each
	// serves every transaction. The fastest level: encoding runs inside the
	// write transaction, which concurrent writers wait on, and the better
	// levels save only a few percent on records this small.
	caseEncoder, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	caseDecoder, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(maxCaseRecord))
)

// maxCaseRecord bounds what one stored case may decompress to, so a damaged
// record cannot exhaust memory.
const maxCaseRecord = 16 << 20

func encodeCase(c *cases.Case) ([]byte, error) {
	plain, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode case %q: %w", c.ID, err)
	}
	return caseEncoder.EncodeAll(plain, make([]byte, 0, len(plain)/2)), nil
}

// DecodeCase decodes a record read with CaseRecord.
func DecodeCase(id string, raw []byte) (*cases.Case, error) {
	plain := raw
	if bytes.HasPrefix(raw, zstdMagic) {
		var err error
		if plain, err = caseDecoder.DecodeAll(raw, make([]byte, 0, 3*len(raw))); err != nil {
			return nil, fmt.Errorf("decompress case %q: %w", id, err)
		}
	}
	var c cases.Case
	if err := json.Unmarshal(plain, &c); err != nil {
		return nil, fmt.Errorf("decode case %q: %w", id, err)
	}
	return &c, nil
}
