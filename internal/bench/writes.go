package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/store/etcd/etcdlocal"
)

// WriteLevel is the write phase at one concurrency.
type WriteLevel struct {
	Clients int `json:"clients"`
	// Creates* are gRPC CreateCase on a server whose store seals personal
	// data, as every server's does.
	CreatesPerSec float64 `json:"creates_per_sec"`
	CreateP50Ms   float64 `json:"create_p50_ms"`
	CreateP99Ms   float64 `json:"create_p99_ms"`
	// Plain* are CreateCase on a server whose store keeps personal data in
	// clear (app.NewPlainForBench), for what encryption at rest costs.
	PlainCreatesPerSec float64 `json:"plain_creates_per_sec"`
	PlainCreateP50Ms   float64 `json:"plain_create_p50_ms"`
	PlainCreateP99Ms   float64 `json:"plain_create_p99_ms"`
	// SealedRatio is CreatesPerSec / PlainCreatesPerSec.
	SealedRatio float64 `json:"sealed_to_plain_ratio"`
	// Group* are the honest baseline: raw bbolt, one writer committing
	// every queued create in one transaction, no timer (groupCommit).
	GroupPerSec float64 `json:"bbolt_group_commit_per_sec"`
	GroupP50Ms  float64 `json:"bbolt_group_commit_p50_ms"`
	GroupP99Ms  float64 `json:"bbolt_group_commit_p99_ms"`
	// Ratio is CreatesPerSec / GroupPerSec.
	Ratio float64 `json:"ratio"`
	// Batches are db.Batch calls, each putting what one CreateCase writes;
	// bbolt's 10 ms batch timer slows them at low concurrency.
	BatchesPerSec float64 `json:"bbolt_batches_per_sec"`
	BatchP50Ms    float64 `json:"bbolt_batch_p50_ms"`
	BatchP99Ms    float64 `json:"bbolt_batch_p99_ms"`
	// *CPUPerOpMicros and *CoresBusy are the CPU time the whole process
	// (server, driver and collector) used per operation, and the cores it
	// kept busy, while each side ran: what shows whether a side was bound
	// by the processor or by the disk.
	GroupCPUPerOpMicros  float64 `json:"bbolt_group_commit_cpu_per_op_us"`
	GroupCoresBusy       float64 `json:"bbolt_group_commit_cores_busy"`
	CreateCPUPerOpMicros float64 `json:"create_cpu_per_op_us"`
	CreateCoresBusy      float64 `json:"create_cores_busy"`
	// CreateWriter* are the sealed server's group commit while CreateCase
	// ran (store.WriterStats): the share of the time its one writer was
	// busy, the writers each commit held, and per writer the time spent
	// running the write functions and committing.
	CreateWriterBusy             float64 `json:"create_writer_busy"`
	CreateCallsPerCommit         float64 `json:"create_calls_per_commit"`
	CreateWriterRunningMicros    float64 `json:"create_writer_running_us_per_call"`
	CreateWriterCommittingMicros float64 `json:"create_writer_committing_us_per_call"`
	// Etcd* are CreateCase on a server whose store is the local etcd
	// cluster, at the same level in the same rounds (with --store etcd).
	EtcdCreatesPerSec float64 `json:"etcd_creates_per_sec,omitempty"`
	EtcdCreateP50Ms   float64 `json:"etcd_create_p50_ms,omitempty"`
	EtcdCreateP99Ms   float64 `json:"etcd_create_p99_ms,omitempty"`
}

// WriteShape is what one CreateCase writes, on average over the rights.
type WriteShape struct {
	Puts  float64 `json:"puts"`
	Bytes float64 `json:"bytes"`
}

// recordedPut is one Put of the real write path: the key as written and the
// value's length.
type recordedPut struct {
	bucket   store.Bucket
	key      []byte
	valueLen int
}

// recorder is a Backend that keeps the puts of the latest write transaction.
type recorder struct {
	store.Backend
	puts []recordedPut
}

func (r *recorder) Update(ctx context.Context, fn func(store.WriteTx) error) error {
	return r.Backend.Update(ctx, func(tx store.WriteTx) error {
		r.puts = r.puts[:0]
		return fn(recordingTx{WriteTx: tx, r: r})
	})
}

type recordingTx struct {
	store.WriteTx
	r *recorder
}

func (t recordingTx) Put(b store.Bucket, key, value []byte) error {
	t.r.puts = append(t.r.puts, recordedPut{bucket: b, key: bytes.Clone(key), valueLen: len(value)})
	return t.WriteTx.Put(b, key, value)
}

// recordShapes creates templateCount cases through casework, every right
// and every received date in turn, and returns the puts each made, so the
// baselines write what the server writes.
func recordShapes(ctx context.Context, dir string, now time.Time) ([][]recordedPut, error) {
	backend, err := bolt.Open(dir, bolt.Options{})
	if err != nil {
		return nil, err
	}
	rec := &recorder{Backend: backend}
	st, err := openOver(ctx, rec, sealedStore)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	svc := newService(st)
	rng := rand.New(rand.NewPCG(1, shapeStream))
	shapes := make([][]recordedPut, templateCount)
	for i := range shapes {
		if _, err := svc.Create(ctx, "token:bench", request(i, now, rng)); err != nil {
			return nil, fmt.Errorf("record what a create writes: %w", err)
		}
		shapes[i] = slices.Clone(rec.puts)
	}
	return shapes, nil
}

func shapeOf(shapes [][]recordedPut) WriteShape {
	var puts, size int
	for _, s := range shapes {
		for _, p := range s {
			puts++
			size += len(p.key) + p.valueLen
		}
	}
	return WriteShape{Puts: float64(puts) / float64(len(shapes)), Bytes: float64(size) / float64(len(shapes))}
}

// rounds splits each level's time into alternating runs of every side, so
// a disk stall or a busy neighbour lands on all of them rather than on one.
const rounds = 3

// measureWrites measures each concurrency on fresh databases of its own.
func measureWrites(ctx context.Context, root string, cfg Config, now time.Time, cluster *etcdlocal.Cluster) (WriteShape, []WriteLevel, error) {
	shapes, err := recordShapes(ctx, filepath.Join(root, "shape"), now)
	if err != nil {
		return WriteShape{}, nil, err
	}
	templates, err := makeTemplates(shapes)
	if err != nil {
		return WriteShape{}, nil, err
	}
	var levels []WriteLevel
	for _, clients := range cfg.Clients {
		dir := filepath.Join(root, fmt.Sprintf("writes-%d", clients))
		cfg.progress("writes: %d clients: bbolt group commit, bbolt db.Batch, CreateCase sealed and plain over gRPC, %d rounds of %s each", clients, rounds, cfg.Duration/rounds)
		var etcdAddr string
		if cluster != nil {
			etcdAddr = cluster.URL(fmt.Sprintf("bench-writes-%d", clients))
		}
		m, err := measureLevel(ctx, dir, templates, clients, cfg.Duration, now, etcdAddr)
		if err != nil {
			return WriteShape{}, nil, fmt.Errorf("writes at %d clients: %w", clients, err)
		}
		if err := os.RemoveAll(dir); err != nil {
			return WriteShape{}, nil, err
		}
		l := WriteLevel{
			Clients:              clients,
			CreatesPerSec:        m.creates.perSecond(),
			CreateP50Ms:          m.creates.percentile(50),
			CreateP99Ms:          m.creates.percentile(99),
			PlainCreatesPerSec:   m.plain.perSecond(),
			PlainCreateP50Ms:     m.plain.percentile(50),
			PlainCreateP99Ms:     m.plain.percentile(99),
			SealedRatio:          m.creates.perSecond() / m.plain.perSecond(),
			GroupPerSec:          m.group.perSecond(),
			GroupP50Ms:           m.group.percentile(50),
			GroupP99Ms:           m.group.percentile(99),
			Ratio:                m.creates.perSecond() / m.group.perSecond(),
			BatchesPerSec:        m.batch.perSecond(),
			BatchP50Ms:           m.batch.percentile(50),
			BatchP99Ms:           m.batch.percentile(99),
			GroupCPUPerOpMicros:  m.group.cpuPerOp(),
			GroupCoresBusy:       m.group.coresBusy(),
			CreateCPUPerOpMicros: m.creates.cpuPerOp(),
			CreateCoresBusy:      m.creates.coresBusy(),

			CreateWriterBusy:             m.creates.writerBusy(),
			CreateCallsPerCommit:         m.creates.callsPerCommit(),
			CreateWriterRunningMicros:    m.creates.writerMicrosPerCall(m.creates.writer.Running),
			CreateWriterCommittingMicros: m.creates.writerMicrosPerCall(m.creates.writer.Committing),
		}
		if cluster != nil {
			l.EtcdCreatesPerSec, l.EtcdCreateP50Ms, l.EtcdCreateP99Ms = m.onEtcd.perSecond(), m.onEtcd.percentile(50), m.onEtcd.percentile(99)
		}
		levels = append(levels, l)
	}
	return shapeOf(shapes), levels, nil
}

// levelLoads are the sides of one level.
type levelLoads struct {
	group, batch, creates, plain, onEtcd load
}

// side is one thing measured at a level: an operation a client calls, and
// where its result goes.
type side struct {
	name string
	sideOps
	into *load
}

// sideOps is what a side's opening gives: the operation, how to stop
// what serves it, and, for a server on bbolt, how to read its group
// commit's totals (nil otherwise).
type sideOps struct {
	op          func(int) error
	stop        func() error
	writerStats func() (store.WriterStats, bool)
}

// measureLevel runs the two baselines and CreateCase, sealed and plain
// (and on etcd when etcdAddr is set), each on a fresh database, in
// alternating rounds.
func measureLevel(ctx context.Context, dir string, templates []createTemplate, clients int, d time.Duration, now time.Time, etcdAddr string) (m levelLoads, err error) {
	var stops []func() error
	defer func() {
		for _, stop := range slices.Backward(stops) {
			err = errors.Join(err, stop())
		}
	}()
	var sides []side
	open := func(name string, into *load, opened func() (sideOps, error)) error {
		ops, err := opened()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		stops = append(stops, ops.stop)
		sides = append(sides, side{name: name, sideOps: ops, into: into})
		return nil
	}
	baseline := func(op func(int) error, stop func() error, err error) (sideOps, error) {
		return sideOps{op: op, stop: stop}, err
	}
	err = errors.Join(
		open("bbolt group commit", &m.group, func() (sideOps, error) {
			return baseline(openGroupCommit(filepath.Join(dir, "group"), templates, clients))
		}),
		open("bbolt db.Batch", &m.batch, func() (sideOps, error) {
			return baseline(openDBBatch(filepath.Join(dir, "batch"), templates, clients))
		}),
		open("CreateCase", &m.creates, func() (sideOps, error) {
			return openCreates(ctx, "", filepath.Join(dir, "server"), clients, now, sealedStore)
		}),
		open("CreateCase without encryption", &m.plain, func() (sideOps, error) {
			return openCreates(ctx, "", filepath.Join(dir, "plain-server"), clients, now, plainStore)
		}),
	)
	if err == nil && etcdAddr != "" {
		err = open("CreateCase on etcd", &m.onEtcd, func() (sideOps, error) {
			return openCreates(ctx, etcdAddr, filepath.Join(dir, "etcd-server"), clients, now, sealedStore)
		})
	}
	if err != nil {
		return levelLoads{}, err
	}
	for range rounds {
		for _, s := range sides {
			l, err := driveSide(ctx, clients, d/rounds, s.sideOps)
			if err != nil {
				return levelLoads{}, fmt.Errorf("%s: %w", s.name, err)
			}
			*s.into = s.into.add(l)
		}
	}
	return m, nil
}

// driveSide drives a side's operation and, where it has a group commit,
// notes what the commit did meanwhile.
func driveSide(ctx context.Context, clients int, d time.Duration, ops sideOps) (load, error) {
	var before store.WriterStats
	if ops.writerStats != nil {
		before, _ = ops.writerStats()
	}
	l, err := drive(ctx, clients, d, ops.op)
	if ops.writerStats != nil {
		if after, ok := ops.writerStats(); ok {
			l.writer = after.Sub(before)
		}
	}
	return l, err
}

// openCreates starts a fresh server and returns an operation that calls
// CreateCase as one of clients (dialCreates), a function that hangs up
// and stops it, and its store's group-commit totals.
func openCreates(ctx context.Context, addr, dir string, clients int, now time.Time, atRest storeAtRest) (sideOps, error) {
	inst, err := startServerOn(ctx, addr, dir, atRest)
	if err != nil {
		return sideOps{}, err
	}
	create, hangUp, err := dialCreates(ctx, inst, clients, now)
	if err != nil {
		return sideOps{}, errors.Join(err, inst.stop())
	}
	return sideOps{op: create, stop: func() error { hangUp(); return inst.stop() }, writerStats: inst.writerStats}, nil
}
