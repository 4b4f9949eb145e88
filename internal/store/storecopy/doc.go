// Package storecopy (layer: storage) moves a whole Rightsdesk store from
// one engine to another — bbolt to etcd, etcd to bbolt, or between two
// clusters — and proves the copy: every bucket (cases, indexes, the audit
// chain and its head, users, tokens, notices, sessions, holidays, the
// installation's keys) is read from one snapshot of the source, written to
// an empty destination in transactions that fit the destination's limits,
// then summarised on both sides (key count, bytes and a SHA-256 over every
// key and value, per bucket, and the audit chain's head) and compared.
//
// It copies bytes: it must not decode records or make domain decisions.
package storecopy
