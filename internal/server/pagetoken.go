package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"

	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// A page token is base64url of: a format byte, the first bytes of the
// SHA-256 of the request's other parameters (for ListCases its filter
// and order_by), then the cursor. Clients treat it as opaque; the hash
// makes a token replayed with another filter or order a clear
// INVALID_ARGUMENT rather than a page of some other list. The cursor is
// only a position the next call filters from again, so forging one shows
// nothing the caller could not list anyway: no key is needed. Tokens only
// go forward (AIP-158), so there is no direction to carry.
const (
	pageTokenFormat = 1
	pageTokenHash   = 8
	pageTokenHeader = 1 + pageTokenHash
)

func queryHash(query string) []byte {
	sum := sha256.Sum256([]byte(query))
	return sum[:pageTokenHash]
}

func encodePageToken(after, query string) string {
	raw := append([]byte{pageTokenFormat}, queryHash(query)...)
	return base64.RawURLEncoding.EncodeToString(append(raw, after...))
}

// decodePageToken returns the position after which the next page starts;
// "" for the first page.
func decodePageToken(token, query string) (string, error) {
	if token == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(token) // one spelling per token
	if err != nil || len(raw) <= pageTokenHeader || raw[0] != pageTokenFormat {
		return "", fault.Invalid("page_token", "is not a token this server issued; pass the next_page_token of the previous response")
	}
	if !bytes.Equal(raw[1:pageTokenHeader], queryHash(query)) {
		return "", fault.Invalid("page_token", "does not belong to this filter and order_by; keep them unchanged while paging, or start again without a page_token")
	}
	return string(raw[pageTokenHeader:]), nil
}

// pageSize applies the AIP-158 defaults: 0 means the default, and more than
// the maximum is clamped rather than refused.
func pageSize(requested int32, def, max int) int {
	switch {
	case requested <= 0:
		return def
	case int(requested) > max:
		return max
	}
	return int(requested)
}
