package casework

import (
	"slices"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/letters"
)

// Every letter the letters package writes has a place in the
// correspondence log, and one the log knows.
func TestEveryLetterHasAKindOfMessage(t *testing.T) {
	for _, k := range letters.Kinds {
		m, ok := messageKind[k]
		if !ok || !slices.Contains(cases.MessageKinds, m) {
			t.Errorf("letter %s is logged as %q", k, m)
		}
	}
}
