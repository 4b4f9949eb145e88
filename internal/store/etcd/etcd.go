package etcd

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"
	"go.uber.org/zap"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/store/storecopy"
)

// etcd's own defaults for --max-txn-ops and --max-request-bytes.
const (
	DefaultMaxTxnOps       = 128
	DefaultMaxRequestBytes = 3 << 19 // 1.5 MiB
	DefaultPrefix          = "/rightsdesk/"
	DefaultRetryFor        = 10 * time.Second
	DefaultAttemptTimeout  = 2 * time.Second
)

// Options tune an opened backend.
type Options struct {
	// Prefix is prepended to every key; several stores can share a
	// cluster under different prefixes. Default DefaultPrefix.
	Prefix string
	// MaxTxnOps and MaxRequestBytes must be the cluster members'
	// --max-txn-ops and --max-request-bytes (defaults: etcd's). Groups of
	// writers are cut to fit them, and a single write that does not fit
	// fails with ErrTooLarge naming them.
	MaxTxnOps       int
	MaxRequestBytes int
	// RetryFor is how long a read or a commit is retried while the cluster
	// has no leader or a member is unreachable. Default DefaultRetryFor.
	RetryFor time.Duration
	// AttemptTimeout bounds one request, so one sent to a member that
	// vanished without closing its connections (a machine lost, not a
	// process stopped) is given up and sent again, to another member,
	// well within RetryFor. Default DefaultAttemptTimeout.
	AttemptTimeout time.Duration
	// ReadOnly makes Update fail with store.ErrReadOnly.
	ReadOnly bool
	// TempDir is where Backup builds its bbolt file ("" is os.TempDir()).
	TempDir string
}

func (o *Options) defaults() {
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	if o.MaxTxnOps <= 0 {
		o.MaxTxnOps = DefaultMaxTxnOps
	}
	if o.MaxRequestBytes <= 0 {
		o.MaxRequestBytes = DefaultMaxRequestBytes
	}
	if o.RetryFor <= 0 {
		o.RetryFor = DefaultRetryFor
	}
	if o.AttemptTimeout <= 0 {
		o.AttemptTimeout = DefaultAttemptTimeout
	}
}

// ErrTooLarge is returned when one transaction would exceed the cluster's
// limit on operations or bytes per request; nothing of it is written.
var ErrTooLarge = errors.New("the transaction is larger than the etcd cluster accepts")

// Backend is a store.Backend on an etcd cluster.
type Backend struct {
	cli       *clientv3.Client
	ownClient bool
	keys      keyspace
	opts      Options
	// writer is this process's marker key; see the package documentation.
	writer string

	// ctx lives as long as the backend: commits run under it, not under
	// one caller's context, since they carry several callers' writes.
	ctx    context.Context
	cancel context.CancelFunc
	closed atomic.Bool

	mu         sync.Mutex
	queue      []*call
	committing bool
	// inflight counts groups being committed, so Close can wait for them.
	inflight sync.WaitGroup
	// session holds the lease of the write lock, made on first need, and
	// turn is the write lock while this process holds it; only the
	// committer touches them.
	session *concurrency.Session
	turn    *concurrency.Mutex

	// fences bound range reads; shared by every transaction.
	fences fences

	// noSpace is the cluster's refusal of the last commit for want of
	// space, nil once a commit succeeds again; see WritesFailing.
	noSpace atomic.Pointer[fault.StorageUnavailable]
}

var _ store.Backend = (*Backend)(nil)

// Config is how to reach a cluster.
type Config struct {
	Endpoints   []string
	TLS         *TLSFiles
	DialTimeout time.Duration
	Options     Options
}

// Dial connects to the cluster in cfg and opens a backend on it; Close
// closes the connection too.
func Dial(ctx context.Context, cfg Config) (*Backend, error) {
	cc, err := ClientConfig(cfg)
	if err != nil {
		return nil, err
	}
	cli, err := clientv3.New(cc)
	if err != nil {
		return nil, fmt.Errorf("connect to etcd at %v: %w", cfg.Endpoints, err)
	}
	b, err := Open(ctx, cli, cfg.Options)
	if err != nil {
		_ = cli.Close()
		return nil, err
	}
	b.ownClient = true
	return b, nil
}

// ClientConfig is the etcd client configuration for cfg: TLS from its
// files, message sizes that fit MaxRequestBytes, a silent logger.
func ClientConfig(cfg Config) (clientv3.Config, error) {
	if len(cfg.Endpoints) == 0 {
		return clientv3.Config{}, errors.New("etcd: no endpoints")
	}
	opts := cfg.Options
	opts.defaults()
	cc := clientv3.Config{
		Endpoints:            cfg.Endpoints,
		DialTimeout:          cfg.DialTimeout,
		DialKeepAliveTime:    5 * time.Second,
		DialKeepAliveTimeout: 3 * time.Second,
		// Requests up to the cluster's limit, and a margin for framing;
		// range responses are paged, so the receive default is ample.
		MaxCallSendMsgSize: opts.MaxRequestBytes + 512<<10,
		Logger:             zap.NewNop(),
	}
	if cc.DialTimeout == 0 {
		cc.DialTimeout = 5 * time.Second
	}
	if cfg.TLS != nil {
		t, err := cfg.TLS.Config()
		if err != nil {
			return clientv3.Config{}, err
		}
		cc.TLS = t
	}
	return cc, nil
}

// Open opens a backend on an existing client, which the caller keeps
// owning (Close leaves it open). It checks the cluster answers within the
// retry time.
func Open(ctx context.Context, cli *clientv3.Client, opts Options) (*Backend, error) {
	opts.defaults()
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	b := &Backend{cli: cli, keys: keyspace{opts.Prefix}, opts: opts}
	b.writer = b.keys.writer(hex.EncodeToString(id))
	b.ctx, b.cancel = context.WithCancel(context.WithoutCancel(ctx))
	// One linearizable read: the cluster is there and has a leader.
	s := &snapshot{b: b, ctx: ctx}
	if _, err := s.get(b.writer); err != nil {
		b.cancel()
		return nil, fmt.Errorf("etcd at %v: %w", cli.Endpoints(), err)
	}
	return b, nil
}

// Client is the backend's etcd client, for leader election on the same
// cluster.
func (b *Backend) Client() *clientv3.Client { return b.cli }

// Prefix is the key prefix the store lives under.
func (b *Backend) Prefix() string { return b.opts.Prefix }

// WriteLimits are the most operations and bytes one transaction may hold.
func (b *Backend) WriteLimits() (ops, bytes int) { return b.opts.MaxTxnOps, b.opts.MaxRequestBytes }

// View implements store.Backend: fn reads one snapshot.
func (b *Backend) View(ctx context.Context, fn func(store.ReadTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if b.closed.Load() {
		return errClosed
	}
	s := &snapshot{b: b, ctx: ctx}
	err := fn(&tx{s: s, cache: map[string]cached{}})
	if s.err != nil {
		// A failed read answered nil; whatever fn made of that is moot.
		return s.err
	}
	return err
}

var errClosed = errors.New("etcd: the backend is closed")

// Backup implements store.Backend: it writes a bbolt database, in the
// format of the embedded engine, holding every bucket as of one snapshot.
func (b *Backend) Backup(ctx context.Context, w io.Writer) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	dir, err := os.MkdirTemp(b.opts.TempDir, "rightsdesk-etcd-backup-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	dst, err := bolt.Open(dir, bolt.Options{})
	if err != nil {
		return 0, err
	}
	_, err = storecopy.Copy(ctx, b, dst, nil)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, err
	}
	f, err := os.Open(filepath.Join(dir, bolt.FileName))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return io.Copy(w, f)
}

// Close implements store.Backend: it waits for a commit in flight, removes
// this process's writer marker and, when Dial made the client, closes it.
func (b *Backend) Close() error {
	if b.closed.Swap(true) {
		return nil
	}
	b.mu.Lock()
	queued := b.queue
	b.queue = nil
	b.mu.Unlock()
	for _, c := range queued {
		c.done <- errClosed
	}
	b.inflight.Wait()
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	_, _ = b.cli.Delete(ctx, b.writer)
	cancel()
	if b.session != nil {
		_ = b.session.Close()
	}
	b.cancel()
	if b.ownClient {
		return b.cli.Close()
	}
	return nil
}

// keyspace maps buckets and keys to etcd keys.
type keyspace struct{ prefix string }

func (k keyspace) bucketStart(b store.Bucket) string { return k.prefix + "b/" + string(b) + "/" }

// bucketEnd is the first key after every key of the bucket ('0' follows '/').
func (k keyspace) bucketEnd(b store.Bucket) string { return k.prefix + "b/" + string(b) + "0" }

func (k keyspace) data(b store.Bucket, key []byte) string { return k.bucketStart(b) + string(key) }

func (k keyspace) deleted(b store.Bucket) string { return k.prefix + "x/deleted/" + string(b) }

func (k keyspace) writer(id string) string { return k.prefix + "x/writer/" + id }

// writeLock is the prefix of the cluster-wide write lock's queue.
func (k keyspace) writeLock() string { return k.prefix + "x/writelock" }

// retry runs op until it succeeds, fails for good, or RetryFor passes; a
// failure that outlasts RetryFor becomes a *fault.Unavailable.
func (b *Backend) retry(ctx context.Context, what string, op func(context.Context) error) error {
	deadline := time.Now().Add(b.opts.RetryFor)
	wait := 20 * time.Millisecond
	for {
		attempt, cancel := context.WithDeadline(ctx, b.attemptDeadline(deadline))
		err := op(attempt)
		cancel()
		if err == nil || !transient(err) {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !time.Now().Before(deadline) {
			return &fault.Unavailable{Description: "the etcd cluster did not answer " + what + " within " + b.opts.RetryFor.String(), Cause: err}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-b.ctx.Done():
			return errClosed
		case <-time.After(wait):
		}
		wait = min(2*wait, 500*time.Millisecond)
	}
}

// attemptDeadline is when one attempt gives up: AttemptTimeout from now,
// or the retries' deadline if sooner.
func (b *Backend) attemptDeadline(deadline time.Time) time.Time {
	if d := time.Now().Add(b.opts.AttemptTimeout); d.Before(deadline) {
		return d
	}
	return deadline
}

// transient reports whether err may go away by asking again: anything but
// the answers that say the request itself is wrong or has no answer.
func transient(err error) bool {
	switch {
	case errors.Is(err, context.Canceled),
		errors.Is(err, rpctypes.ErrCompacted), errors.Is(err, rpctypes.ErrFutureRev),
		errors.Is(err, rpctypes.ErrRequestTooLarge), errors.Is(err, rpctypes.ErrTooManyOps),
		errors.Is(err, rpctypes.ErrDuplicateKey), errors.Is(err, rpctypes.ErrPermissionDenied),
		errors.Is(err, rpctypes.ErrAuthFailed), errors.Is(err, rpctypes.ErrInvalidAuthToken),
		errors.Is(err, rpctypes.ErrNoSpace), errors.Is(err, rpctypes.ErrKeyNotFound):
		return false
	}
	switch status.Code(err) {
	case codes.InvalidArgument, codes.ResourceExhausted, codes.PermissionDenied, codes.Unauthenticated:
		return false
	}
	return true
}
