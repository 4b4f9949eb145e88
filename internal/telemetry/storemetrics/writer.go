package storemetrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/rightsdesk/rightsdesk/internal/store"
)

var (
	groupCommitsDesc = prometheus.NewDesc("rightsdesk_store_group_commits_total",
		"Transactions the store's one writer ran for its groups of writers (bbolt's group commit); a group run again after one of its writers failed counts again.", nil, nil)
	groupWritersDesc = prometheus.NewDesc("rightsdesk_store_group_commit_writers_total",
		"Writers those transactions held; divided by the commits, how many writers share each fsync.", nil, nil)
	writerSecondsDesc = prometheus.NewDesc("rightsdesk_store_writer_seconds_total",
		"Time the store's one writer spent, by phase: running write functions (every writer waits for it) or committing (pages and fsync).", []string{"phase"}, nil)
)

// WriterCollector reads the store's group-commit totals
// (store.WriterStats) at each scrape, from memory; a store on an engine
// without them (etcd) adds nothing.
type WriterCollector struct {
	st *store.Store
}

// NewWriterCollector returns a collector over st.
func NewWriterCollector(st *store.Store) *WriterCollector { return &WriterCollector{st: st} }

func (c *WriterCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- groupCommitsDesc
	ch <- groupWritersDesc
	ch <- writerSecondsDesc
}

func (c *WriterCollector) Collect(ch chan<- prometheus.Metric) {
	s, ok := c.st.WriterStats()
	if !ok {
		return
	}
	ch <- prometheus.MustNewConstMetric(groupCommitsDesc, prometheus.CounterValue, float64(s.Commits))
	ch <- prometheus.MustNewConstMetric(groupWritersDesc, prometheus.CounterValue, float64(s.Calls))
	ch <- prometheus.MustNewConstMetric(writerSecondsDesc, prometheus.CounterValue, s.Running.Seconds(), "running")
	ch <- prometheus.MustNewConstMetric(writerSecondsDesc, prometheus.CounterValue, s.Committing.Seconds(), "committing")
}
