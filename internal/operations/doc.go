// Package operations is a use case (layer: use cases): the whole-store work
// an operator does while the server runs — readiness (can the store answer
// a read now?), consistent backups, and verification of the audit chain.
//
// It must not know about transports; streaming a backup to a client is the
// door's job, handing it the bytes this package writes.
package operations
