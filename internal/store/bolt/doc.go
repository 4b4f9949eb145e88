// Package bolt is the embedded storage engine: a store.Backend on a single
// bbolt file. Concurrent writers are grouped into one commit so they share
// one fsync; fsync is never turned off. It must not interpret the records it
// stores; the schema belongs to package store.
package bolt
