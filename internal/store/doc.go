// Package store (layer: storage) owns persistence: the narrow Backend interface every storage
// engine implements (ordered buckets, read and write transactions as
// closures), the schema (bucket names, key encodings, schema version) and the
// typed reads and writes the domain uses. Nothing above this package sees a
// storage engine's types; backends live in sub-packages (bolt is the embedded
// default) and all of them pass the storetest conformance suite.
//
// Open checks (and migrates) the schema on a writable backend; OpenReadOnly
// only checks it and writes nothing, for offline commands that read, which
// open their backend read-only too. CheckConsistency compares the indexes
// with the records they index — each case's entries, computed by the same
// function PutCase writes them with, stale entries, the reference lookup
// and the request-id lookup (which a create's replay record answers,
// replays.go), and the per-case event index against the audit
// chain — and reports Problems that name buckets, case ids and sequence
// numbers, never personal data.
//
// Personal data is sealed at rest (sealing.go): Open and OpenReadOnly
// take the installation's keyring (WithKeyring) and verify it against the
// check the store keeps before writing anything; each case's personal
// fields, message bodies, audit payloads and outbox entries are sealed
// under the case's own data key, kept wrapped in BucketCaseKeys; web
// sessions and the requester index's keyed hashes use keys derived from a
// root secret. The typed reads and writes find the keys through the
// transaction Store.View and Store.Update hand them, so their signatures
// are those of plain transactions. keys.go rotates and migrates.
// A new case and its audit event can be encoded before the write
// transaction (PrepareNewCase, PrepareEvent) and only put inside it
// (PutNewCase, AppendPrepared), so concurrent writers do not wait on one
// another's encoding and sealing in the shared commit.
// purge.go destroys a case's personal data (PurgeCase, the one primitive
// retention and erasure share), leaving an unsealed tombstone.
//
// It must not make domain decisions: callers pass in records that the domain
// packages have already validated.
package store
