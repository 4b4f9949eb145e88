package telemetry

import (
	"runtime"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// LatencyBuckets are the histogram buckets, in seconds, of every latency
// Rightsdesk measures: most calls take 0.1–1 ms, so the buckets start at
// 50 µs and are fine below 10 ms; the slowest (exports, backups over
// etcd) still land below the last, 5 s.
var LatencyBuckets = []float64{
	0.00005, 0.0001, 0.00025, 0.0005,
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
	0.1, 0.25, 0.5, 1, 2.5, 5,
}

// Build identifies the running binary in rightsdesk_build_info.
type Build struct {
	Version, Revision string
}

// NewRegistry returns a registry holding the Go runtime's and the
// process's collectors and rightsdesk_build_info, a gauge of 1 whose
// labels say which build runs (so a dashboard can join any series to the
// version that produced it).
func NewRegistry(b Build) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "rightsdesk_build_info",
		Help: "Always 1; its labels name the running build.",
		ConstLabels: prometheus.Labels{
			"version":   orUnknown(b.Version),
			"revision":  orUnknown(b.Revision),
			"goversion": runtime.Version(),
		},
	})
	info.Set(1)
	reg.MustRegister(info, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
