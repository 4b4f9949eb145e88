package storemetrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/telemetry"
)

// Backend is a store.Backend whose commits are measured: their latency in
// rightsdesk_store_commit_duration_seconds, the bytes they write (keys and
// values put) in rightsdesk_store_commit_bytes and, while tracing, one
// "store.commit" span each. Reads and backups pass straight through.
type Backend struct {
	store.Backend
	duration *prometheus.HistogramVec
	size     prometheus.Histogram
	tracer   trace.Tracer
}

// Wrap measures b's commits into reg, with spans from tracing (nil: off).
func Wrap(b store.Backend, reg prometheus.Registerer, tracing *telemetry.Tracing) *Backend {
	w := &Backend{
		Backend: b,
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "rightsdesk_store_commit_duration_seconds",
			Help:    "Time a write transaction takes, from the call until it is durable (or refused), by outcome (ok or error).",
			Buckets: telemetry.LatencyBuckets,
		}, []string{"outcome"}),
		size: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "rightsdesk_store_commit_bytes",
			Help:    "Bytes a committed write transaction puts (keys and values).",
			Buckets: prometheus.ExponentialBuckets(256, 4, 9), // 256 B … 16 MiB
		}),
		tracer: tracing.Provider().Tracer("github.com/rightsdesk/rightsdesk/internal/store"),
	}
	reg.MustRegister(w.duration, w.size)
	return w
}

// Unwrap is the engine underneath, for code that needs the engine itself
// (the etcd leader election).
func (w *Backend) Unwrap() store.Backend { return w.Backend }

// Update runs fn in the engine's transaction, counting what it writes.
// The engine may run fn more than once (a group commit retried), so the
// count restarts with each run and the last run's is the commit's.
func (w *Backend) Update(ctx context.Context, fn func(store.WriteTx) error) error {
	ctx, span := w.tracer.Start(ctx, "store.commit", trace.WithSpanKind(trace.SpanKindInternal))
	defer span.End()
	var written int
	start := time.Now()
	err := w.Backend.Update(ctx, func(tx store.WriteTx) error {
		counted := &countingTx{WriteTx: tx}
		err := fn(counted)
		written = counted.bytes
		return err
	})
	elapsed := time.Since(start)
	if err != nil {
		w.duration.WithLabelValues("error").Observe(elapsed.Seconds())
		span.SetStatus(codes.Error, "transaction not committed")
		return err
	}
	w.duration.WithLabelValues("ok").Observe(elapsed.Seconds())
	w.size.Observe(float64(written))
	span.SetAttributes(attribute.Int("rightsdesk.store.commit_bytes", written))
	return nil
}

// countingTx adds up the bytes put through it; everything else, including
// any method the store adds to ReadTx, passes through the embedded
// transaction.
type countingTx struct {
	store.WriteTx
	bytes int
}

func (c *countingTx) Put(b store.Bucket, key, value []byte) error {
	c.bytes += len(key) + len(value)
	return c.WriteTx.Put(b, key, value)
}
