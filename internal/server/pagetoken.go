package server

import (
	"errors"

	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/pagetoken"
)

// Page tokens are internal/pagetoken's, bound for ListCases to its filter
// and order_by; the staff queue's links use the same. Tokens only go
// forward (AIP-158), so there is no direction to carry.
func encodePageToken(after, query string) string {
	return pagetoken.Encode([]byte(after), query)
}

// decodePageToken returns the position after which the next page starts;
// "" for the first page.
func decodePageToken(token, query string) (string, error) {
	if token == "" {
		return "", nil
	}
	cursor, err := pagetoken.Decode(token, query)
	switch {
	case errors.Is(err, pagetoken.ErrOtherQuery):
		return "", fault.Invalid("page_token", "does not belong to this filter and order_by; keep them unchanged while paging, or start again without a page_token")
	case err != nil:
		return "", fault.Invalid("page_token", "is not a token this server issued; pass the next_page_token of the previous response")
	}
	return string(cursor), nil
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
