package bench

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"time"

	bbolt "go.etcd.io/bbolt"
	"google.golang.org/grpc"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/store/etcd/etcdlocal"
)

// WriteLevel is the write phase at one concurrency.
type WriteLevel struct {
	Clients       int     `json:"clients"`
	CreatesPerSec float64 `json:"creates_per_sec"`
	CreateP50Ms   float64 `json:"create_p50_ms"`
	CreateP99Ms   float64 `json:"create_p99_ms"`
	// Batches are db.Batch calls, each putting what one CreateCase writes.
	BatchesPerSec float64 `json:"bbolt_batches_per_sec"`
	BatchP50Ms    float64 `json:"bbolt_batch_p50_ms"`
	BatchP99Ms    float64 `json:"bbolt_batch_p99_ms"`
	// Ratio is CreatesPerSec / BatchesPerSec.
	Ratio float64 `json:"ratio"`
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

// keyFor makes the key unique to operation n, keeping its length and all
// but its last 8 bytes. Counter keys append in order, which is bbolt's
// cheapest case, so the baseline flatters bbolt, never the server.
func (p recordedPut) keyFor(n uint64) []byte {
	k := bytes.Clone(p.key)
	var suffix [8]byte
	binary.BigEndian.PutUint64(suffix[:], n)
	copy(k[max(len(k)-8, 0):], suffix[8-min(len(k), 8):])
	return k
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

// recordShapes creates one case per right through casework and returns the
// puts each made, so the baseline writes what the server writes.
func recordShapes(ctx context.Context, dir string, now time.Time) ([][]recordedPut, error) {
	backend, err := bolt.Open(dir, bolt.Options{})
	if err != nil {
		return nil, err
	}
	rec := &recorder{Backend: backend}
	st, err := openOver(ctx, rec)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	svc := newService(st)
	rng := rand.New(rand.NewPCG(1, 1))
	shapes := make([][]recordedPut, len(notice.Rights))
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

// rounds splits each level's time into alternating baseline and CreateCase
// runs, so a disk stall or a busy neighbour lands on both sides of the ratio
// rather than on one.
const rounds = 3

// measureWrites measures each concurrency on fresh databases of its own.
func measureWrites(ctx context.Context, root string, cfg Config, now time.Time, cluster *etcdlocal.Cluster) (WriteShape, []WriteLevel, error) {
	shapes, err := recordShapes(ctx, filepath.Join(root, "shape"), now)
	if err != nil {
		return WriteShape{}, nil, err
	}
	var levels []WriteLevel
	for _, clients := range cfg.Clients {
		dir := filepath.Join(root, fmt.Sprintf("writes-%d", clients))
		cfg.progress("writes: %d clients: bbolt baseline and CreateCase over gRPC, %d rounds of %s each", clients, rounds, cfg.Duration/rounds)
		var etcdAddr string
		if cluster != nil {
			etcdAddr = cluster.URL(fmt.Sprintf("bench-writes-%d", clients))
		}
		raw, creates, onEtcd, err := measureLevel(ctx, dir, shapes, clients, cfg.Duration, now, etcdAddr)
		if err != nil {
			return WriteShape{}, nil, fmt.Errorf("writes at %d clients: %w", clients, err)
		}
		if err := os.RemoveAll(dir); err != nil {
			return WriteShape{}, nil, err
		}
		levels = append(levels, WriteLevel{
			Clients:       clients,
			CreatesPerSec: creates.perSecond(),
			CreateP50Ms:   creates.percentile(50),
			CreateP99Ms:   creates.percentile(99),
			BatchesPerSec: raw.perSecond(),
			BatchP50Ms:    raw.percentile(50),
			BatchP99Ms:    raw.percentile(99),
			Ratio:         creates.perSecond() / raw.perSecond(),
		})
		if cluster != nil {
			l := &levels[len(levels)-1]
			l.EtcdCreatesPerSec, l.EtcdCreateP50Ms, l.EtcdCreateP99Ms = onEtcd.perSecond(), onEtcd.percentile(50), onEtcd.percentile(99)
		}
	}
	return shapeOf(shapes), levels, nil
}

// measureLevel runs the baseline and CreateCase, and CreateCase on etcd
// when etcdAddr is set, in alternating rounds.
func measureLevel(ctx context.Context, dir string, shapes [][]recordedPut, clients int, d time.Duration, now time.Time, etcdAddr string) (raw, creates, onEtcd load, err error) {
	putBatch, closeRaw, err := openBaseline(filepath.Join(dir, "raw"), shapes)
	if err != nil {
		return load{}, load{}, load{}, err
	}
	defer func() { err = errors.Join(err, closeRaw()) }()
	create, stopServer, err := openCreates(ctx, "", filepath.Join(dir, "server"), clients, now)
	if err != nil {
		return load{}, load{}, load{}, err
	}
	defer func() { err = errors.Join(err, stopServer()) }()
	var createEtcd func(int) error
	if etcdAddr != "" {
		var stopEtcd func() error
		if createEtcd, stopEtcd, err = openCreates(ctx, etcdAddr, filepath.Join(dir, "etcd-server"), clients, now); err != nil {
			return load{}, load{}, load{}, err
		}
		defer func() { err = errors.Join(err, stopEtcd()) }()
	}
	for range rounds {
		r, err := drive(ctx, clients, d/rounds, putBatch)
		if err != nil {
			return load{}, load{}, load{}, fmt.Errorf("bbolt baseline: %w", err)
		}
		c, err := drive(ctx, clients, d/rounds, create)
		if err != nil {
			return load{}, load{}, load{}, fmt.Errorf("CreateCase: %w", err)
		}
		raw, creates = raw.add(r), creates.add(c)
		if createEtcd != nil {
			e, err := drive(ctx, clients, d/rounds, createEtcd)
			if err != nil {
				return load{}, load{}, load{}, fmt.Errorf("CreateCase on etcd: %w", err)
			}
			onEtcd = onEtcd.add(e)
		}
	}
	return raw, creates, onEtcd, nil
}

// openBaseline returns an operation that puts one recorded create's keys
// and values in one db.Batch call, on a database with bbolt's default
// options (fsync on every commit) as the store has.
func openBaseline(dir string, shapes [][]recordedPut) (func(int) error, func() error, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, err
	}
	db, err := bbolt.Open(filepath.Join(dir, "raw.db"), 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		return nil, nil, err
	}
	longest := 0
	err = db.Update(func(tx *bbolt.Tx) error {
		for _, s := range shapes {
			for _, p := range s {
				longest = max(longest, p.valueLen)
				if _, err := tx.CreateBucketIfNotExists([]byte(p.bucket)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, errors.Join(err, db.Close())
	}
	value := make([]byte, longest)
	for i := range value {
		value[i] = byte(rand.Uint32())
	}
	var seq atomic.Uint64
	putBatch := func(int) error {
		n := seq.Add(1)
		puts := shapes[n%uint64(len(shapes))]
		return db.Batch(func(tx *bbolt.Tx) error {
			for _, p := range puts {
				if err := tx.Bucket([]byte(p.bucket)).Put(p.keyFor(n), value[:p.valueLen]); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return putBatch, db.Close, nil
}

// openCreates starts a fresh server and returns an operation that calls
// CreateCase as one of clients, each on its own connection as separate
// client processes would be, and a function that hangs up and stops it.
func openCreates(ctx context.Context, addr, dir string, clients int, now time.Time) (func(int) error, func() error, error) {
	inst, err := startServerOn(ctx, addr, dir)
	if err != nil {
		return nil, nil, err
	}
	var conns []*grpc.ClientConn
	stop := func() error {
		for _, conn := range conns {
			_ = conn.Close()
		}
		return inst.stop()
	}
	stubs := make([]rdv1.CaseServiceClient, clients)
	rngs := make([]*rand.Rand, clients)
	for c := range clients {
		conn, err := dial(inst.addr)
		if err != nil {
			return nil, nil, errors.Join(err, stop())
		}
		conns = append(conns, conn)
		stubs[c], rngs[c] = rdv1.NewCaseServiceClient(conn), rand.New(rand.NewPCG(uint64(c), 2))
	}
	callCtx := inst.authorised(ctx)
	var seq atomic.Int64
	create := func(c int) error {
		_, err := stubs[c].CreateCase(callCtx, createRequest(request(int(seq.Add(1)), now, rngs[c])))
		return err
	}
	// Connections are made on first use; make them before any clock starts.
	for c := range clients {
		if err := create(c); err != nil {
			return nil, nil, errors.Join(err, stop())
		}
	}
	return create, stop, nil
}
