// Package export (layer: door support) owns what leaves Rightsdesk as a file: the CSV of cases for
// record keeping, the per-person calendar feed of due dates (RFC 5545), and
// the evidence bundle of one case for a regulator or a complaint.
//
// It formats what package casework reads and streams it to a writer; it must
// not read the store or the clock itself, nor decide anything about a case.
// Whatever it writes is safe in the program that opens it: CSV cells that a
// spreadsheet would run as a formula are neutralised, calendar text is
// escaped and folded, and the bundle's HTML is escaped and runs no script.
//
// The calendar is written by hand rather than with a library: the one
// well-known Go iCalendar package (arran4/golang-ical, v0.3) writes the host
// system's line ending unless told otherwise, where RFC 5545 requires CRLF,
// and leaves a carriage return inside TEXT values unescaped; the handful of
// properties a due-date feed needs are simpler to get exactly right here,
// with tests against the RFC's folding and escaping rules.
package export
