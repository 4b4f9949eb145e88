// Package etcd (layer: storage engine) is the scale-out storage engine: a
// store.Backend on an etcd cluster (go.etcd.io/etcd/client/v3), so that
// several Rightsdesk replicas share one store and no single machine holds
// the only copy. It must not interpret the records it stores; the schema
// belongs to package store.
//
// # Keys
//
// Every key lives under one prefix (Options.Prefix, "/rightsdesk/" by
// default): a bucket's keys are PREFIX "b/" BUCKET "/" KEY, so a bucket is a
// contiguous, ordered key range and the store's sortable keys sort the same
// way as in bbolt. The engine's own bookkeeping lives under PREFIX "x/": one
// marker per writing process ("x/writer/ID") and one per bucket that has had
// a delete ("x/deleted/BUCKET").
//
// # Reads
//
// etcd counts every key from a range's start to its end, whatever the
// range's limit, so a page of 64 read up to the end of a bucket of 100,000
// keys costs the member a walk over all of them. Scans therefore read
// ranges that end about a page ahead, at fences: keys of the bucket, about
// 32 apart, that the backend learns from every range it reads (see
// fences). Where nothing is learnt yet, one read of keys alone counts to
// the end of the bucket and learns thousands of keys ahead; where keys
// were added since, a range that held far more than a page learns again.
// Fences only bound ranges, so stale ones cost time, never a wrong answer.
// GetMany reads many keys in one read-only Txn of single-key Gets, which
// the member reached answers at the snapshot in one round trip.
//
// # Transactions
//
// A read transaction reads one snapshot: its first read is linearizable and
// fixes the revision, every later read is served at that revision
// (serializable where the member has it, else linearizable), paged with
// range limits, so a scan that stops early reads only what it visited.
//
// A write transaction is optimistic. Its function runs against a snapshot,
// seeing its own writes; the engine records what it read — every key with
// its mod revision (0 when absent), and every range a scan covered — and
// commits one etcd Txn whose comparisons require all of that to be
// unchanged: a key read must still have its mod revision, a scanned range
// must hold no key modified after the snapshot, and a bucket scanned must
// have had no delete since (its delete marker, rewritten by every
// transaction that deletes in that bucket, catches keys removed from a
// range, which a range comparison cannot see). When a comparison fails,
// something the function read has changed, and the function runs again on
// a new snapshot, which is why store.Backend says Update may run a function
// more than once. The result is serializable.
//
// Concurrent writers in one process are grouped as the bolt engine groups
// them: every Update that arrives while a commit is in flight joins the next
// group, whose functions run one after another on one snapshot (each sees
// the writes of those before it) and commit as one Txn. A function that
// fails is left out of its group without touching the others' writes. A
// group grows only while its Txn stays within the cluster's limits
// (Options.MaxTxnOps, Options.MaxRequestBytes, which must match the
// members' --max-txn-ops and --max-request-bytes); a single function that
// alone exceeds them fails with an error naming the limit (ErrTooLarge) and
// writes nothing.
//
// # Failures
//
// Reads and commits that fail because the cluster is electing a leader or
// a member is down are retried for Options.RetryFor. A commit whose outcome
// is unknown (the connection dropped after the request was sent) is
// resolved, not guessed: the Txn also writes this process's writer marker
// with a fresh group id and compares its revision, so resending it either
// commits it once or finds, in the marker, that the first attempt did.
// What still fails after RetryFor is a *fault.Unavailable, which the gRPC
// door reports as UNAVAILABLE: nothing the caller was told succeeded is
// lost, and the caller may retry (creates are idempotent by request id).
// A cluster out of space (its NOSPACE alarm) refuses commits with a
// *fault.StorageUnavailable, and WritesFailing returns it, taking the
// server out of readiness, until a commit succeeds again.
//
// # Backups
//
// Backup writes a bbolt database in the embedded engine's format (package
// bolt) from one snapshot, so a backup of an etcd store restores as a data
// directory, and `rightsdesk store copy` moves it back into etcd.
//
// # Limits
//
// A store opened on etcd must fit etcd's request limits per transaction:
// schema migrations that rewrite every case in one transaction (as the
// version 1 to 2 migration does) need --max-txn-ops and --max-request-bytes
// raised for the run, or running on bbolt before copying.
package etcd
