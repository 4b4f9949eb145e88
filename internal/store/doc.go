// Package store owns persistence: the narrow Backend interface every storage
// engine implements (ordered buckets, read and write transactions as
// closures), the schema (bucket names, key encodings, schema version) and the
// typed reads and writes the domain uses. Nothing above this package sees a
// storage engine's types; backends live in sub-packages (bolt is the embedded
// default) and all of them pass the storetest conformance suite.
//
// It must not make domain decisions: callers pass in records that the domain
// packages have already validated.
package store
