package server

import (
	"encoding/base64"
	"encoding/json"

	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// pageToken is the opaque cursor of a List call. It carries the request's
// fingerprint so a token cannot be replayed against a different query.
type pageToken struct {
	After string `json:"a"`
	Query string `json:"q,omitempty"`
}

func encodePageToken(after, query string) string {
	raw, _ := json.Marshal(pageToken{After: after, Query: query})
	return base64.RawURLEncoding.EncodeToString(raw)
}

// decodePageToken returns the position after which the next page starts;
// "" for the first page.
func decodePageToken(token, query string) (string, error) {
	if token == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	var t pageToken
	if err == nil {
		err = json.Unmarshal(raw, &t)
	}
	if err != nil || t.After == "" {
		return "", fault.Invalid("page_token", "is not a token this server issued; pass the next_page_token of the previous response")
	}
	if t.Query != query {
		return "", fault.Invalid("page_token", "was issued for a different query; keep the other parameters unchanged while paging")
	}
	return t.After, nil
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
