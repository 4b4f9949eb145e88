package telemetry

import (
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
)

// Options are what Instruments record into.
type Options struct {
	// Registry receives the HTTP and gRPC series (see NewRegistry).
	Registry *prometheus.Registry
	// Tracing records spans; nil is off.
	Tracing *Tracing
	// Log receives the access log; it is wrapped by Logger.
	Log *slog.Logger
}

// Instruments are the doors' metrics, tracing and request context, made
// once per server.
type Instruments struct {
	registry *prometheus.Registry
	tracing  *Tracing
	log      *slog.Logger
	http     httpMetrics
	grpc     grpcInstruments
}

// New registers the doors' series in opts.Registry.
func New(opts Options) *Instruments {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Instruments{
		registry: opts.Registry,
		tracing:  opts.Tracing,
		log:      Logger(opts.Log),
		http:     newHTTPMetrics(opts.Registry),
		grpc:     newGRPCInstruments(opts.Registry),
	}
}

// Tracing is the tracer provider the instruments record with (nil: off).
func (in *Instruments) Tracing() *Tracing { return in.tracing }
