// Package cases (layer: domain) owns the request lifecycle: the case record, the state
// machine (NEW → AWAITING_REQUESTER ⇄ IN_PROGRESS → CLOSED), the commands
// that move a case (each a pure decision over the case, the time and the
// actor), the statutory clock attached to every case, Article 19 tasks, and
// the public reference and status token, and what the requester sends
// from the status page (reply.go: a reply that answers what the case waits
// for restarts the clock by itself, a withdrawal, the documents' metadata
// and the rules on their type, size and name), and the case's documents
// with the decisions on what the response discloses and the exemptions
// they rely on (documents.go, exemptions.go).
//
// Commands mutate a case in memory and report a Change (the non-personal
// before/after and the personal payload) for the audit trail. The package
// must not touch storage, transport or the system clock: the caller loads
// the case, applies a command with an Env, and writes the result in one
// transaction.
package cases
