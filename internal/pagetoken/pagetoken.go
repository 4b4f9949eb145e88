package pagetoken

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
)

// A token is base64url of: a format byte, the first bytes of the SHA-256
// of the query it continues (e.g. a list's filter and order), then the
// cursor. The hash makes a token replayed with another query a clear
// refusal rather than a page of some other list. The cursor is only a
// position the next call filters from again, so forging one shows
// nothing the caller could not list anyway: no key is needed.
const (
	format = 1
	hashed = 8
	header = 1 + hashed
)

var (
	// ErrUnreadable is a token this format did not write.
	ErrUnreadable = errors.New("not a page token this server issued")
	// ErrOtherQuery is a token written for another query.
	ErrOtherQuery = errors.New("the page token belongs to another query")
)

func queryHash(query string) []byte {
	sum := sha256.Sum256([]byte(query))
	return sum[:hashed]
}

// Encode writes a token for the page after cursor in the list query
// describes.
func Encode(cursor []byte, query string) string {
	raw := append([]byte{format}, queryHash(query)...)
	return base64.RawURLEncoding.EncodeToString(append(raw, cursor...))
}

// Decode returns the cursor of a token Encode wrote for the same query:
// ErrUnreadable for anything else, ErrOtherQuery for another query's.
func Decode(token, query string) ([]byte, error) {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(token) // one spelling per token
	if err != nil || len(raw) <= header || raw[0] != format {
		return nil, ErrUnreadable
	}
	if !bytes.Equal(raw[1:header], queryHash(query)) {
		return nil, ErrOtherQuery
	}
	return raw[header:], nil
}
