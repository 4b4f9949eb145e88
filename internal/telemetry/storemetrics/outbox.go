package storemetrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rightsdesk/rightsdesk/internal/store"
)

// outboxCountLimit bounds the keys one scrape reads. The outbox holds
// letters waiting minutes; tens of thousands waiting is an outage the
// capped gauge shows as well as the exact number would.
const outboxCountLimit = 10000

var (
	queuedDesc = prometheus.NewDesc("rightsdesk_outbox_queued",
		"Letters waiting in the outbox to be sent (counted up to 10000).", nil, nil)
	oldestDesc = prometheus.NewDesc("rightsdesk_outbox_oldest_due_timestamp_seconds",
		"When the earliest waiting letter is (or was) due, as a Unix time; absent when none waits. Now minus this is how late the outbox runs.", nil, nil)
	undeliveredDesc = prometheus.NewDesc("rightsdesk_outbox_undelivered_cases",
		"Cases holding a letter the relay refused for good, for staff to send another way (counted up to 10000).", nil, nil)
	errorDesc = prometheus.NewDesc("rightsdesk_outbox_scrape_error",
		"1 when the outbox could not be read for this scrape, else 0.", nil, nil)
)

// OutboxCollector reads the outbox's gauges from the store at each scrape:
// keys only, up to outboxCountLimit of each, in one read transaction.
type OutboxCollector struct {
	ctx     context.Context
	st      *store.Store
	timeout time.Duration
}

// NewOutboxCollector returns a collector over st, reading under ctx (the
// server's, since a scrape brings none).
func NewOutboxCollector(ctx context.Context, st *store.Store) *OutboxCollector {
	return &OutboxCollector{ctx: context.WithoutCancel(ctx), st: st, timeout: 5 * time.Second}
}

func (c *OutboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queuedDesc
	ch <- oldestDesc
	ch <- undeliveredDesc
	ch <- errorDesc
}

func (c *OutboxCollector) Collect(ch chan<- prometheus.Metric) {
	// The timeout keeps a store that hangs (etcd without quorum) from
	// holding the scrape forever.
	ctx, cancel := context.WithTimeout(c.ctx, c.timeout)
	defer cancel()
	var st store.OutboxStats
	err := c.st.View(ctx, func(tx store.ReadTx) (err error) {
		st, err = store.ReadOutboxStats(tx, outboxCountLimit)
		return err
	})
	if err != nil {
		ch <- prometheus.MustNewConstMetric(errorDesc, prometheus.GaugeValue, 1)
		return
	}
	ch <- prometheus.MustNewConstMetric(errorDesc, prometheus.GaugeValue, 0)
	ch <- prometheus.MustNewConstMetric(queuedDesc, prometheus.GaugeValue, float64(st.Queued))
	ch <- prometheus.MustNewConstMetric(undeliveredDesc, prometheus.GaugeValue, float64(st.Undelivered))
	if !st.OldestDue.IsZero() {
		ch <- prometheus.MustNewConstMetric(oldestDesc, prometheus.GaugeValue, float64(st.OldestDue.UnixMilli())/1000)
	}
}
