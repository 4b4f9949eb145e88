package casework

import (
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
)

// The retention plan counts from the index and lists from the records; both
// passes ask planListOf, so a case is read only if it is listed.
func TestPlanListOf(t *testing.T) {
	due := deadline.DateOf(time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC))
	for _, tc := range []struct {
		name string
		r    cases.Retention
		want planList
	}{
		{"past its period", cases.Retention{Status: cases.RetentionDue, Due: due}, listedToPurge},
		{"on legal hold", cases.Retention{Status: cases.RetentionLegalHold, Due: due}, listedAsHeld},
		{"on legal hold, undatable", cases.Retention{Status: cases.RetentionLegalHold}, listedAsHeld},
		{"kept without a date to go on", cases.Retention{Status: cases.RetentionKept}, listedAsHeld},
		{"kept until a date", cases.Retention{Status: cases.RetentionKept, Due: due}, notListed},
		{"purged", cases.Retention{Status: cases.RetentionPurged}, notListed},
		{"open", cases.Retention{Status: cases.RetentionOpen}, notListed},
	} {
		if got := planListOf(tc.r); got != tc.want {
			t.Errorf("%s: list %d, want %d", tc.name, got, tc.want)
		}
	}
}
