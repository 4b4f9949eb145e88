// Package audit (layer: domain) owns the tamper-evident audit trail: the Event every change
// to a case appends, its canonical encoding, the single global hash chain
// that links every event to the one before it (across all cases, so removing
// a whole case's events is detected too), the streaming Verifier that names
// the first broken link, per-case Proofs for evidence bundles, and the
// salted, keyed hash that keeps personal data out of the chain.
//
// Personal data never enters the hashed bytes. The personal part of an event
// is a Payload stored apart by the caller; the chain holds only
// HMAC-SHA256(salt, data). Erasing a payload together with its salt after
// retention leaves a hash that reveals nothing, and the chain still verifies.
//
// The package must not touch storage, transport or the clock: the caller
// reads and writes events and payloads in its own transaction, and the time
// of an event arrives on the Event. Randomness for salts is passed in.
//
// # What the chain does and does not prove
//
// Verification detects any edit, removal, reordering or insertion of events
// relative to the rest of the chain. It cannot, on its own, detect someone
// who rewrites the chain from some point to its end and recomputes every
// hash, or who removes the newest events: that needs the head (sequence
// number and hash) recorded somewhere the writer cannot change — a
// published or exported head, or the head handed over in an earlier
// evidence bundle — and checked with Verifier.CheckHead.
package audit
