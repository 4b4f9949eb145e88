// Package pack (layer: domain-adjacent library) writes and verifies the
// response pack: the zip a requester receives with the documents they are
// given, the response letter as HTML and PDF, an index.html listing every
// document, and manifest.json with every other entry's path, size and
// SHA-256.
//
// It owns the pack's layout, its names (documents/NNN-name, sanitised so
// no entry can point outside the folder it is unpacked in), its limits
// (entries, bytes per entry and in all; Write and Verify hold the same, so
// a pack Write makes always verifies) and the check of a pack against its
// manifest. The same input gives the same bytes: every entry carries the
// pack's own date, never the time it was zipped.
//
// It is pure: it is given the documents' bytes as readers and writes to a
// writer. It must not read the store, the blob store or the clock, and
// decides nothing about which documents go in (cases.Case.PackContents
// does) nor how a letter reads (package letters does).
package pack
