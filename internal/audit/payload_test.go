package audit_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/rightsdesk/rightsdesk/internal/audit"
)

func TestSealPayload(t *testing.T) {
	data := []byte(`{"name":"Ada Lovelace","email":"ada@example.org"}`)
	p, hash, err := audit.SealPayload(data, bytes.NewReader(bytes.Repeat([]byte{0xAB}, 64)))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Salt) != audit.SaltSize || p.Salt[0] != 0xAB {
		t.Errorf("salt = %x, want 32 bytes from the reader", p.Salt)
	}
	mac := hmac.New(sha256.New, p.Salt)
	mac.Write(data)
	if want := mac.Sum(nil); !bytes.Equal(hash, want) {
		t.Errorf("hash = %x, want HMAC-SHA256(salt, data) = %x", hash, want)
	}
	data[0] = 'X' // the caller may reuse its buffer
	if p.Data[0] != '{' {
		t.Error("SealPayload kept the caller's buffer")
	}

	other, otherHash, err := audit.SealPayload(p.Data, nil) // nil: crypto/rand
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(other.Salt, p.Salt) || bytes.Equal(otherHash, hash) {
		t.Error("the same data sealed twice gave the same salt or hash: a hash must not confirm a guess")
	}
}

func TestSealPayloadRandomFails(t *testing.T) {
	tests := map[string]*bytes.Reader{"empty": bytes.NewReader(nil), "short": bytes.NewReader(make([]byte, 31))}
	for name, r := range tests {
		if _, _, err := audit.SealPayload([]byte("x"), r); err == nil || !strings.Contains(err.Error(), "salt") {
			t.Errorf("%s random: err = %v, want a salt error", name, err)
		}
	}
	boom := errors.New("entropy exhausted")
	if _, _, err := audit.SealPayload([]byte("x"), iotest.ErrReader(boom)); !errors.Is(err, boom) {
		t.Errorf("err = %v, want it to wrap %v", err, boom)
	}
}

func TestPayloadMatchesAndErased(t *testing.T) {
	p, hash, err := audit.SealPayload([]byte("note text"), nil)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(b []byte, i int) []byte { b = bytes.Clone(b); b[i] ^= 1; return b }
	tests := []struct {
		name    string
		p       audit.Payload
		hash    []byte
		matches bool
		erased  bool
	}{
		{"sealed", p, hash, true, false},
		{"hash altered", p, flip(hash, 31), false, false},
		{"hash truncated", p, hash[:31], false, false},
		{"no hash", p, nil, false, false},
		{"data altered", audit.Payload{Salt: p.Salt, Data: flip(p.Data, 0)}, hash, false, false},
		{"salt altered", audit.Payload{Salt: flip(p.Salt, 0), Data: p.Data}, hash, false, false},
		{"salt erased only", audit.Payload{Data: p.Data}, hash, false, false},
		{"data erased only", audit.Payload{Salt: p.Salt}, hash, false, false},
		{"erased", audit.Payload{}, hash, false, true},
		{"erased to empty slices", audit.Payload{Salt: []byte{}, Data: []byte{}}, hash, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.Matches(tt.hash); got != tt.matches {
				t.Errorf("Matches = %v, want %v", got, tt.matches)
			}
			if got := tt.p.Erased(); got != tt.erased {
				t.Errorf("Erased = %v, want %v", got, tt.erased)
			}
		})
	}
	// An erased payload must not match the HMAC of nothing under no key.
	mac := hmac.New(sha256.New, nil)
	if (audit.Payload{}).Matches(mac.Sum(nil)) {
		t.Error("an erased payload matched HMAC(empty, empty)")
	}
}
