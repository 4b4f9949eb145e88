package server

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"google.golang.org/grpc/metadata"

	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// requirePageTokenInvalid fails unless err is the InvalidArgument about
// page_token that the gRPC door turns into field violations.
func requirePageTokenInvalid(t *testing.T, err error) {
	t.Helper()
	var bad *fault.InvalidArgument
	if !errors.As(err, &bad) || len(bad.Violations) != 1 || bad.Violations[0].Field != "page_token" {
		t.Fatalf("error %v (%T) is not an InvalidArgument about page_token", err, err)
	}
}

// FuzzPageToken decodes any token against any query. A decoded token is
// one that encodes back to itself, but for line breaks (so every position
// has one spelling: testdata/fuzz holds a token with stray low bits once
// accepted)
// and belongs to the query; anything else is an InvalidArgument about
// page_token. A token issued for one query is refused for another.
func FuzzPageToken(f *testing.F) {
	f.Add(encodePageToken("2026-03-02\x0001JCASE", "filter=open = true&order_by=due"), "filter=open = true&order_by=due")
	f.Add(encodePageToken("x", ""), "")
	f.Add(encodePageToken("x", "a"), "b")
	f.Add("AQ", "")
	f.Add("AQAAAAAAAAAAAA==", "")
	f.Add("not base64!", "q")
	f.Add("", "q")
	f.Fuzz(func(t *testing.T, token, query string) {
		after, err := decodePageToken(token, query)
		switch {
		case token == "":
			if err != nil || after != "" {
				t.Fatalf("the empty token: %q, %v; want the first page", after, err)
			}
		case err != nil:
			requirePageTokenInvalid(t, err)
		case after == "":
			t.Fatalf("token %q decodes to no position", token)
		case encodePageToken(after, query) != strings.NewReplacer("\r", "", "\n", "").Replace(token): // base64 skips line breaks
			t.Fatalf("token %q decodes to %q, which encodes as %q", token, after, encodePageToken(after, query))
		}
		if after == "" {
			return
		}
		// The position the fuzzer reached, carried to another query.
		other := query + "x"
		if _, err := decodePageToken(encodePageToken(after, query), other); err == nil {
			t.Fatalf("a token for %q is accepted for %q", query, other)
		}
	})
}

// FuzzBearerHeader reads any authorization metadata. A token comes back
// only from a Bearer value and is well formed; every refusal is
// ErrMalformedToken; and the REST door's challenge agrees that a Bearer
// credential was presented whenever one was read.
func FuzzBearerHeader(f *testing.F) {
	well, _, err := auth.NewToken(strings.NewReader(strings.Repeat("fuzz", 8)))
	if err != nil || !auth.WellFormed(well) {
		f.Fatalf("seed token %q: %v", well, err)
	}
	for _, v := range []string{"Bearer " + well, "bearer  " + well + " ", "Basic dXNlcjpwYXNz", "Bearer", "Bearer " + well + "x", "Bearer rd_", "Token " + well, "\tBEARER\t" + well, ""} {
		f.Add(v, false)
	}
	f.Add("Bearer "+well, true)
	f.Fuzz(func(t *testing.T, value string, twice bool) {
		values := []string{value}
		if twice {
			values = append(values, value)
		}
		ctx := metadata.NewIncomingContext(context.Background(), metadata.MD{"authorization": values})
		token, sent, err := bearerToken(ctx)
		if !sent {
			t.Fatalf("%q: an authorization value counts as none", value)
		}
		if err != nil {
			if !errors.Is(err, auth.ErrMalformedToken) || token != "" {
				t.Fatalf("%q: refused with %v and token %q", value, err, token)
			}
			return
		}
		if twice {
			t.Fatalf("two authorization values are accepted")
		}
		if !auth.WellFormed(token) || !strings.Contains(value, token) {
			t.Fatalf("%q: token %q is not a well-formed part of the header", value, token)
		}
		if !presentedBearer(http.Header{"Authorization": {value}}) {
			t.Fatalf("%q is read as a token but the challenge says no Bearer credential was presented", value)
		}
		if bytes.ContainsAny([]byte(token), " \t\r\n") {
			t.Fatalf("token %q holds blanks", token)
		}
	})
}
