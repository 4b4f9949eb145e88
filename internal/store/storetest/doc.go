// Package storetest (layer: test support) is the conformance suite every store.Backend must pass:
// ordered scans, atomic rollback, group-committed concurrent writers,
// durability across reopen, backups, the schema-version guards (read-write
// and read-only) and the typed records of package store. A backend's own
// test calls RunAll.
package storetest
