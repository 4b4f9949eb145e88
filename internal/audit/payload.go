package audit

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
)

// SaltSize is the length of a payload's salt: as long as the hash, so the
// key is never the weak part.
const SaltSize = 32

// Payload is the personal part of an event (a note's text, the requester's
// name and contact), stored apart from the chain so it can be erased. The
// chain holds only HMAC-SHA256(Salt, Data). The salt is random per payload
// and stored with it: while it exists the hash can be checked, and once the
// salt is erased with the data the hash cannot be used to confirm a guess at
// what the data was.
type Payload struct {
	Salt []byte `json:"salt"`
	Data []byte `json:"data"`
}

// SealPayload makes the payload for data, with a fresh salt read from
// random (crypto/rand when random is nil), and returns it with the hash to
// put in Event.PayloadHash. Data is copied, so the caller may reuse its
// buffer.
func SealPayload(data []byte, random io.Reader) (Payload, []byte, error) {
	if random == nil {
		random = rand.Reader
	}
	salt := make([]byte, SaltSize)
	if _, err := io.ReadFull(random, salt); err != nil {
		return Payload{}, nil, fmt.Errorf("audit: reading salt for payload: %w", err)
	}
	p := Payload{Salt: salt, Data: bytes.Clone(data)}
	return p, p.hash(), nil
}

func (p Payload) hash() []byte {
	mac := hmac.New(sha256.New, p.Salt)
	mac.Write(p.Data)
	return mac.Sum(nil)
}

// Matches reports whether the payload is the one hash was made from. The
// comparison is constant-time. An erased payload matches nothing: it no
// longer holds anything to check.
func (p Payload) Matches(hash []byte) bool {
	if p.Erased() {
		return false
	}
	return hmac.Equal(p.hash(), hash)
}

// Erased reports whether both salt and data have been removed. Removing
// only one of them is not an erasure: it leaves a payload that no longer
// matches, which verification reports.
func (p Payload) Erased() bool {
	return len(p.Salt) == 0 && len(p.Data) == 0
}
