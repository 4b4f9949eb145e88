// Package leadertest (layer: test support) is a minimal background job
// for the leader's own tests, simpler to count than the outbox: a
// leader-run job that takes queued messages and
// records each execution in the store — which replica, which epoch — in a
// transaction fenced by the leader's epoch, so tests can show that work
// queued before or after a leader dies is executed exactly once, by
// whichever replica leads.
package leadertest
