// Package telemetry (layer: support) owns what operators see of a running
// server: the Prometheus registry and the HTTP and gRPC metrics, the
// build-information gauge, OpenTelemetry tracing (on only when the
// standard OTEL_* variables ask for it), request ids and the caller's
// address carried in the context and written on every log line that has
// the context, and the admin listener's handler (/metrics, pprof,
// readiness).
//
// It knows no use case, store or door: the doors and the composition root
// call it. The store's own instrumentation, which needs internal/store, is
// in the sub-package storemetrics, which only the composition root imports.
package telemetry
