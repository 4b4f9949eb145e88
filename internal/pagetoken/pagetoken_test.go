package pagetoken_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/pagetoken"
)

func TestRoundTripAndRefusals(t *testing.T) {
	const query = "open = true\x00due"
	cursor := []byte("2026-03-01\x0001J0000000000000000000000")
	tok := pagetoken.Encode(cursor, query)
	if strings.Contains(tok, "2026") || strings.Contains(tok, "open") {
		t.Errorf("token %q shows its cursor or query", tok)
	}
	got, err := pagetoken.Decode(tok, query)
	if err != nil || !bytes.Equal(got, cursor) {
		t.Fatalf("Decode = %q, %v; want %q", got, err, cursor)
	}
	if _, err := pagetoken.Decode(tok, "open = false\x00due"); !errors.Is(err, pagetoken.ErrOtherQuery) {
		t.Errorf("another query's token: %v, want ErrOtherQuery", err)
	}
	for _, bad := range []string{"", "not*base64", "AQ", tok + "=", pagetoken.Encode(nil, query)} {
		if _, err := pagetoken.Decode(bad, query); !errors.Is(err, pagetoken.ErrUnreadable) {
			t.Errorf("Decode(%q): %v, want ErrUnreadable", bad, err)
		}
	}
}
