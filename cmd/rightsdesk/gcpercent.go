package main

import "runtime/debug"

// defaultGCPercent is the collector's target unless GOGC says otherwise:
// the heap may grow to three times what is live between collections,
// instead of Go's default of twice. A create allocates about 100 KB
// (most of it bbolt's copies of the pages it writes to) and keeps little,
// so at Go's default the collector took about a fifth of the server's
// processor under load; at 200 it takes half that, for a heap that stays
// well under DESIGN's 200 MB (the README's Performance section gives the
// measurements).
const defaultGCPercent = 200

// setGCPercent applies defaultGCPercent when the environment leaves the
// collector to the program: an operator's GOGC, read by the runtime at
// start-up, always wins.
func setGCPercent(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
}
