// Package storemetrics (layer: composition support) instruments the store
// for operators: a store.Backend decorator timing and sizing every commit
// (and, while tracing, a span for it under the call's span), a collector
// of the outbox's gauges, and one of the group commit's writer totals.
// Only the composition root imports it; it wraps the engines without
// living in them.
package storemetrics
