package storemetrics_test

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/telemetry"
	"github.com/rightsdesk/rightsdesk/internal/telemetry/storemetrics"
)

func scrape(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

// has fails the test unless the exposition has each line.
func has(t *testing.T, text string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(text, "\n"+l+"\n") {
			t.Errorf("the metrics lack %q:\n%s", l, text)
		}
	}
}

func openBolt(t *testing.T) *bolt.Backend {
	t.Helper()
	b, err := bolt.Open(t.TempDir(), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

func TestCommitsAreTimedSizedAndTraced(t *testing.T) {
	reg := prometheus.NewRegistry()
	spans := tracetest.NewInMemoryExporter()
	tracing, err := telemetry.TracingTo(spans, telemetry.Build{})
	if err != nil {
		t.Fatal(err)
	}
	engine := openBolt(t)
	b := storemetrics.Wrap(engine, reg, tracing)
	if b.Unwrap() != store.Backend(engine) {
		t.Error("Unwrap does not give the engine")
	}
	ctx, parent := tracing.Provider().Tracer("test").Start(t.Context(), "the call")
	if err := b.Update(ctx, func(tx store.WriteTx) error {
		if err := tx.Put(store.BucketMeta, []byte("key-1"), []byte("0123456789")); err != nil { // 15 bytes
			return err
		}
		if tx.Get(store.BucketMeta, []byte("key-1")) == nil {
			return errors.New("the write is not visible in its own transaction")
		}
		return tx.Put(store.BucketMeta, []byte("k2"), []byte("abc")) // 5 bytes
	}); err != nil {
		t.Fatal(err)
	}
	refused := errors.New("refused")
	if err := b.Update(ctx, func(tx store.WriteTx) error {
		_ = tx.Put(store.BucketMeta, []byte("key-3"), []byte("never committed"))
		return refused
	}); !errors.Is(err, refused) {
		t.Fatalf("a refused transaction returned %v", err)
	}
	parent.End()
	var read []byte
	if err := b.View(t.Context(), func(tx store.ReadTx) error {
		read = append(read, tx.Get(store.BucketMeta, []byte("k2"))...)
		return nil
	}); err != nil || string(read) != "abc" {
		t.Fatalf("a read through the decorator: %q, %v", read, err)
	}

	text := scrape(t, reg)
	has(t, text,
		`rightsdesk_store_commit_duration_seconds_count{outcome="ok"} 1`,
		`rightsdesk_store_commit_duration_seconds_count{outcome="error"} 1`,
		`rightsdesk_store_commit_bytes_sum 20`,
		`rightsdesk_store_commit_bytes_count 1`,
		`rightsdesk_store_commit_bytes_bucket{le="256"} 1`,
		`rightsdesk_store_commit_duration_seconds_bucket{outcome="ok",le="5e-05"} 0`,
	)

	if err := tracing.ForceFlush(t.Context()); err != nil {
		t.Fatal(err)
	}
	var commits int
	for _, s := range spans.GetSpans() {
		if s.Name != "store.commit" {
			continue
		}
		commits++
		if s.Parent.SpanID() != parent.SpanContext().SpanID() || s.SpanContext.TraceID() != parent.SpanContext().TraceID() {
			t.Errorf("a commit span is not a child of the call's span: parent %v", s.Parent)
		}
	}
	if commits != 2 {
		t.Errorf("%d store.commit spans, want one per transaction (2)", commits)
	}
	_ = tracing.Shutdown(t.Context())
}

// twiceBackend runs each transaction's function twice, as an engine does
// that retries a group commit, the first time into a transaction it
// throws away.
type twiceBackend struct{ store.Backend }

func (b twiceBackend) Update(ctx context.Context, fn func(store.WriteTx) error) error {
	if err := b.Backend.Update(ctx, func(tx store.WriteTx) error {
		_ = fn(tx)
		return errors.New("thrown away")
	}); err == nil {
		return errors.New("the throw-away run committed")
	}
	return b.Backend.Update(ctx, fn)
}

func TestARetriedTransactionIsCountedOnce(t *testing.T) {
	reg := prometheus.NewRegistry()
	b := storemetrics.Wrap(twiceBackend{openBolt(t)}, reg, nil)
	if err := b.Update(t.Context(), func(tx store.WriteTx) error {
		return tx.Put(store.BucketMeta, []byte("key"), []byte("value")) // 8 bytes
	}); err != nil {
		t.Fatal(err)
	}
	has(t, scrape(t, reg), `rightsdesk_store_commit_bytes_sum 8`, `rightsdesk_store_commit_bytes_count 1`)
}

func TestTheOutboxGaugesReadTheQueue(t *testing.T) {
	st, err := store.Open(t.Context(), openBolt(t))
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(storemetrics.NewOutboxCollector(t.Context(), st))
	text := scrape(t, reg)
	has(t, text, `rightsdesk_outbox_queued 0`, `rightsdesk_outbox_undelivered_cases 0`, `rightsdesk_outbox_scrape_error 0`)
	if strings.Contains(text, "rightsdesk_outbox_oldest_due_timestamp_seconds ") {
		t.Errorf("an empty outbox has an oldest letter:\n%s", text)
	}

	due := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	if err := st.Update(t.Context(), func(tx store.WriteTx) error {
		for i, at := range []time.Time{due.Add(time.Hour), due} {
			if err := store.PutOutbox(tx, store.OutboxEntry{Due: at, CaseID: "case", MessageID: string(rune('a' + i))}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	has(t, scrape(t, reg), `rightsdesk_outbox_queued 2`, `rightsdesk_outbox_oldest_due_timestamp_seconds 1.7724438e+09`)

	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	has(t, scrape(t, reg), `rightsdesk_outbox_scrape_error 1`)
}

// The writer's totals are counters read from the engine at each scrape;
// an engine without a group commit adds no series.
func TestTheWriterCountersReadTheGroupCommit(t *testing.T) {
	st, err := store.Open(t.Context(), storemetrics.Wrap(openBolt(t), prometheus.NewRegistry(), nil))
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(storemetrics.NewWriterCollector(st))
	before := scrape(t, reg)
	if err := st.Update(t.Context(), func(tx store.WriteTx) error {
		return tx.Put(store.BucketMeta, []byte("k"), []byte("v"))
	}); err != nil {
		t.Fatal(err)
	}
	after := scrape(t, reg)
	for _, series := range []string{"rightsdesk_store_group_commits_total", "rightsdesk_store_group_commit_writers_total",
		`rightsdesk_store_writer_seconds_total{phase="running"}`, `rightsdesk_store_writer_seconds_total{phase="committing"}`} {
		if counter(t, after, series) <= counter(t, before, series) {
			t.Errorf("%s did not grow with a commit:\n%s", series, after)
		}
	}

	bare := prometheus.NewRegistry()
	bare.MustRegister(storemetrics.NewWriterCollector(storeWithoutGroupCommit(t)))
	if text := scrape(t, bare); strings.Contains(text, "rightsdesk_store_") {
		t.Errorf("an engine without a group commit has writer series:\n%s", text)
	}
}

// counter is the value of series in the exposition.
func counter(t *testing.T, text, series string) float64 {
	t.Helper()
	for line := range strings.Lines(text) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	t.Fatalf("no %s in:\n%s", series, text)
	return 0
}

// withoutGroupCommit hides the engine's group commit, as etcd has none.
type withoutGroupCommit struct{ inner store.Backend }

func (w withoutGroupCommit) View(ctx context.Context, fn func(store.ReadTx) error) error {
	return w.inner.View(ctx, fn)
}

func (w withoutGroupCommit) Update(ctx context.Context, fn func(store.WriteTx) error) error {
	return w.inner.Update(ctx, fn)
}

func (w withoutGroupCommit) Backup(ctx context.Context, out io.Writer) (int64, error) {
	return w.inner.Backup(ctx, out)
}

func (w withoutGroupCommit) Close() error { return w.inner.Close() }

func storeWithoutGroupCommit(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(t.Context(), withoutGroupCommit{openBolt(t)})
	if err != nil {
		t.Fatal(err)
	}
	return st
}
