package telemetry

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Tracing is the OpenTelemetry tracer provider the doors and the store
// record spans with. A nil *Tracing is tracing off: no span is made and
// the HTTP and gRPC handlers are not even wrapped, so it costs nothing.
type Tracing struct {
	sdk        *sdktrace.TracerProvider
	propagator propagation.TextMapPropagator
}

// TracingFromEnv turns tracing on when the standard OpenTelemetry
// variables ask for it, read through getenv (os.Getenv; the exporter reads
// the rest of OTEL_EXPORTER_OTLP_* itself):
//
//   - OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none: off;
//   - OTEL_TRACES_EXPORTER=otlp, or an OTEL_EXPORTER_OTLP_ENDPOINT or
//     OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: on, exported over OTLP, by
//     OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL: http/protobuf (the standard's
//     default) or grpc;
//   - nothing set: off, and it returns nil.
//
// Any other exporter or protocol is an error, so a typo is found at start
// rather than by a dashboard staying empty. Sampling follows
// OTEL_TRACES_SAMPLER (parent-based, always on, by default) and the
// service's name OTEL_SERVICE_NAME (rightsdesk by default).
func TracingFromEnv(ctx context.Context, getenv func(string) string, b Build) (*Tracing, error) {
	if getenv("OTEL_SDK_DISABLED") == "true" {
		return nil, nil
	}
	exporter := getenv("OTEL_TRACES_EXPORTER")
	endpoint := firstSet(getenv, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
	switch exporter {
	case "none":
		return nil, nil
	case "":
		if endpoint == "" {
			return nil, nil
		}
	case "otlp":
	default:
		return nil, fmt.Errorf("OTEL_TRACES_EXPORTER=%q: want otlp or none", exporter)
	}
	var (
		exp sdktrace.SpanExporter
		err error
	)
	switch protocol := firstSet(getenv, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"); protocol {
	case "", "http/protobuf":
		exp, err = otlptracehttp.New(ctx)
	case "grpc":
		exp, err = otlptracegrpc.New(ctx)
	default:
		return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL=%q: want http/protobuf or grpc", protocol)
	}
	if err != nil {
		return nil, fmt.Errorf("OpenTelemetry trace exporter: %w", err)
	}
	t, err := TracingTo(exp, b)
	if err != nil {
		_ = exp.Shutdown(ctx)
	}
	return t, err
}

// TracingTo records spans and sends them, in batches, to exp; tests use
// it with an exporter of their own.
func TracingTo(exp sdktrace.SpanExporter, b Build) (*Tracing, error) {
	res, err := resource.Merge(
		resource.NewSchemaless(semconv.ServiceName("rightsdesk"), semconv.ServiceVersion(orUnknown(b.Version))),
		resource.Environment(), // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win
	)
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, fmt.Errorf("OpenTelemetry resource: %w", err)
	}
	return &Tracing{
		sdk:        sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res)),
		propagator: propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}),
	}, nil
}

func firstSet(getenv func(string) string, names ...string) string {
	for _, n := range names {
		if v := getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// Enabled reports whether spans are recorded.
func (t *Tracing) Enabled() bool { return t != nil }

// Provider is the tracer provider: a no-op one when tracing is off.
func (t *Tracing) Provider() trace.TracerProvider {
	if t == nil {
		return noop.NewTracerProvider()
	}
	return t.sdk
}

// Propagator reads and writes the trace context (W3C traceparent) on
// calls between processes.
func (t *Tracing) Propagator() propagation.TextMapPropagator {
	if t == nil {
		return propagation.NewCompositeTextMapPropagator()
	}
	return t.propagator
}

// ForceFlush exports every span ended so far.
func (t *Tracing) ForceFlush(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.sdk.ForceFlush(ctx)
}

// Shutdown exports what is left and stops the exporter.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.sdk.Shutdown(ctx)
}
