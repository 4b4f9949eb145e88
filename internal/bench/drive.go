package bench

import (
	"context"
	"math"
	"slices"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/rightsdesk/rightsdesk/internal/store"
)

// load is what one timed run did.
type load struct {
	ops       int
	elapsed   time.Duration
	latencies []time.Duration // ascending once add or the caller has sorted them
	// cpu is the CPU time (user and system) the whole process used during
	// the run: the server, the driver and the collector together.
	cpu time.Duration
	// writer is what the server's group commit did during the run, where
	// the side has one (measureLevel).
	writer store.WriterStats
}

func (l load) perSecond() float64 { return float64(l.ops) / l.elapsed.Seconds() }

// coresBusy is the number of cores the process kept busy on average.
func (l load) coresBusy() float64 { return l.cpu.Seconds() / l.elapsed.Seconds() }

// cpuPerOp is the process's CPU time per operation, in microseconds.
func (l load) cpuPerOp() float64 {
	if l.ops == 0 {
		return 0
	}
	return float64(l.cpu.Microseconds()) / float64(l.ops)
}

// add is the two runs as one.
func (l load) add(m load) load {
	all := slices.Concat(l.latencies, m.latencies)
	slices.Sort(all)
	return load{ops: l.ops + m.ops, elapsed: l.elapsed + m.elapsed, latencies: all, cpu: l.cpu + m.cpu, writer: l.writer.Add(m.writer)}
}

// writerBusy is the share of the run's time the group commit's writer
// spent running write functions or committing.
func (l load) writerBusy() float64 {
	return (l.writer.Running + l.writer.Committing).Seconds() / l.elapsed.Seconds()
}

// callsPerCommit is the writers each of the group commit's transactions
// held, on average.
func (l load) callsPerCommit() float64 {
	if l.writer.Commits == 0 {
		return 0
	}
	return float64(l.writer.Calls) / float64(l.writer.Commits)
}

// writerMicrosPerCall is d, a part of the writer's time, per writer it
// committed, in microseconds.
func (l load) writerMicrosPerCall(d time.Duration) float64 {
	if l.writer.Calls == 0 {
		return 0
	}
	return float64(d.Microseconds()) / float64(l.writer.Calls)
}

// processCPU is the CPU time this process has used, user and system; 0
// where the system cannot say.
func processCPU() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// percentile is the nearest-rank p-th percentile, in milliseconds.
func (l load) percentile(p float64) float64 {
	if len(l.latencies) == 0 {
		return 0
	}
	rank := min(max(int(math.Ceil(p/100*float64(len(l.latencies))))-1, 0), len(l.latencies)-1)
	return ms(l.latencies[rank])
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// drive calls op from each of clients goroutines until d has passed. Calls
// in flight when time is up are let finish and counted, and the rate is over
// the time until the last one returned, so a slow final call cannot inflate
// it. The first error stops every client and is returned.
func drive(ctx context.Context, clients int, d time.Duration, op func(client int) error) (load, error) {
	var stop atomic.Bool
	timer := time.AfterFunc(d, func() { stop.Store(true) })
	defer timer.Stop()
	g, gctx := errgroup.WithContext(ctx)
	perClient := make([][]time.Duration, clients)
	start, cpuAtStart := time.Now(), processCPU()
	for c := range clients {
		g.Go(func() error {
			for !stop.Load() && gctx.Err() == nil {
				t0 := time.Now()
				if err := op(c); err != nil {
					return err
				}
				perClient[c] = append(perClient[c], time.Since(t0))
			}
			return nil
		})
	}
	err := g.Wait()
	l := load{elapsed: time.Since(start), latencies: slices.Concat(perClient...), cpu: processCPU() - cpuAtStart}
	if err == nil {
		err = ctx.Err()
	}
	l.ops = len(l.latencies)
	return l, err
}
