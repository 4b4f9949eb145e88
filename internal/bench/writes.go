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

// measureWrites runs, at each concurrency, the bbolt baseline and then
// CreateCase over gRPC, each on a fresh database of its own.
func measureWrites(ctx context.Context, root string, cfg Config, now time.Time) (WriteShape, []WriteLevel, error) {
	shapes, err := recordShapes(ctx, filepath.Join(root, "shape"), now)
	if err != nil {
		return WriteShape{}, nil, err
	}
	var levels []WriteLevel
	for _, clients := range cfg.Clients {
		dir := filepath.Join(root, fmt.Sprintf("writes-%d", clients))
		cfg.progress("writes: %d clients: bbolt baseline for %s", clients, cfg.Duration)
		raw, err := rawBatches(ctx, filepath.Join(dir, "raw"), shapes, clients, cfg.Duration)
		if err != nil {
			return WriteShape{}, nil, fmt.Errorf("bbolt baseline at %d clients: %w", clients, err)
		}
		cfg.progress("writes: %d clients: CreateCase over gRPC for %s", clients, cfg.Duration)
		creates, err := grpcCreates(ctx, filepath.Join(dir, "server"), clients, cfg.Duration, now)
		if err != nil {
			return WriteShape{}, nil, fmt.Errorf("CreateCase at %d clients: %w", clients, err)
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
	}
	return shapeOf(shapes), levels, nil
}

// rawBatches puts one recorded create's keys and values per db.Batch call,
// with bbolt's default options (fsync on every commit) as the store has.
func rawBatches(ctx context.Context, dir string, shapes [][]recordedPut, clients int, d time.Duration) (load, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return load{}, err
	}
	db, err := bbolt.Open(filepath.Join(dir, "raw.db"), 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		return load{}, err
	}
	defer db.Close()
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
		return load{}, err
	}
	value := make([]byte, longest)
	for i := range value {
		value[i] = byte(rand.Uint32())
	}
	var seq atomic.Uint64
	return drive(ctx, clients, d, func(int) error {
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
	})
}

// grpcCreates runs CreateCase from clients, each on its own connection, as
// separate client processes would be, against a fresh server.
func grpcCreates(ctx context.Context, dir string, clients int, d time.Duration, now time.Time) (l load, err error) {
	inst, err := startServer(ctx, dir)
	if err != nil {
		return load{}, err
	}
	defer func() { err = errors.Join(err, inst.stop()) }()
	conns := make([]rdv1.CaseServiceClient, clients)
	rngs := make([]*rand.Rand, clients)
	for c := range clients {
		conn, err := dial(inst.addr)
		if err != nil {
			return load{}, err
		}
		defer func(conn *grpc.ClientConn) { _ = conn.Close() }(conn)
		conns[c], rngs[c] = rdv1.NewCaseServiceClient(conn), rand.New(rand.NewPCG(uint64(c), 2))
	}
	callCtx := inst.authorised(ctx)
	var seq atomic.Int64
	create := func(c int) error {
		_, err := conns[c].CreateCase(callCtx, createRequest(request(int(seq.Add(1)), now, rngs[c])))
		return err
	}
	// Connections are made on first use; make them before the clock starts.
	for c := range clients {
		if err := create(c); err != nil {
			return load{}, err
		}
	}
	return drive(ctx, clients, d, create)
}
