package app

import (
	"testing"
	"time"
)

func TestDigestTimeReadsATimeOfDayOrOff(t *testing.T) {
	for _, tc := range []struct {
		in      string
		at      time.Duration
		off, ok bool
	}{
		{"", 7 * time.Hour, false, true},
		{"07:00", 7 * time.Hour, false, true},
		{"18:45", 18*time.Hour + 45*time.Minute, false, true},
		{"00:00", 0, false, true},
		{"off", 0, true, true},
		{"7:00", 0, false, false},
		{"24:00", 0, false, false},
		{"07:60", 0, false, false},
		{"07:00 ", 0, false, false},
		{"Off", 0, false, false},
	} {
		at, off, err := digestTime(tc.in)
		if (err == nil) != tc.ok || (tc.ok && (at != tc.at || off != tc.off)) {
			t.Errorf("digestTime(%q) = %v, %v, %v; want %v, %v, ok %v", tc.in, at, off, err, tc.at, tc.off, tc.ok)
		}
	}
}
