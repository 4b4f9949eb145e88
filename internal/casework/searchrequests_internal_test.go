package casework

import (
	"crypto/rand"
	"strings"
	"testing"

	"github.com/oklog/ulid/v2"
)

// A link's token reaches the store only if this service could have drawn
// it. Base32 decoding skips line breaks, so a token with one in place of a
// letter decodes; it must be refused all the same.
func TestSearchTokenCaseRefusesWhatTheServiceNeverDraws(t *testing.T) {
	caseID := ulid.Make().String()
	token, err := (&Service{random: rand.Reader}).newSearchToken(caseID)
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := searchTokenCase(token); !ok || id != caseID {
		t.Fatalf("a drawn token names %q (%v), want %s", id, ok, caseID)
	}
	_, secret, _ := strings.Cut(token, ".")
	for name, bad := range map[string]string{
		"a line feed for a letter":       caseID + "." + secret[:5] + "\n" + secret[6:],
		"a carriage return for a letter": caseID + "." + secret[:5] + "\r" + secret[6:],
		"a letter short":                 caseID + "." + secret[1:],
		"not base32":                     caseID + "." + secret[:5] + "1" + secret[6:],
		"no case id":                     "." + secret,
		"a lower-case case id":           strings.ToLower(caseID) + "." + secret,
		"no secret":                      caseID,
	} {
		if _, ok := searchTokenCase(bad); ok {
			t.Errorf("%s: taken for a token", name)
		}
	}
}
