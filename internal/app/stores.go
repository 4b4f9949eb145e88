package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/blob"
	"github.com/rightsdesk/rightsdesk/internal/blob/fsblob"
	"github.com/rightsdesk/rightsdesk/internal/blob/s3blob"
	"github.com/rightsdesk/rightsdesk/internal/leader"
	"github.com/rightsdesk/rightsdesk/internal/leader/etcdleader"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/store/etcd"
)

// StoreAddress is a parsed --store: which engine, and where.
type StoreAddress struct {
	// Engine is "bolt" or "etcd".
	Engine string
	// Dir is the bbolt data directory.
	Dir string
	// Etcd is how to reach the cluster.
	Etcd etcd.Config
}

// ParseStore reads a store address:
//
//	bolt:///ABSOLUTE/DIR, bolt://RELATIVE/DIR or a plain directory:
//	    the embedded bbolt database in that data directory
//	etcd://HOST:PORT,HOST:PORT,HOST:PORT[/PREFIX][?cacert=…&cert=…&key=…]:
//	    an etcd cluster (see etcd.ParseURL for every option)
//
// and "" is bolt in dataDir, the default.
func ParseStore(addr, dataDir string) (StoreAddress, error) {
	switch {
	case addr == "":
		if dataDir == "" {
			return StoreAddress{}, fmt.Errorf("a data directory is required (--data)")
		}
		return StoreAddress{Engine: "bolt", Dir: dataDir}, nil
	case strings.HasPrefix(addr, "etcd://"):
		cfg, err := etcd.ParseURL(addr)
		if err != nil {
			return StoreAddress{}, err
		}
		return StoreAddress{Engine: "etcd", Etcd: cfg}, nil
	case strings.HasPrefix(addr, "bolt://"):
		dir := strings.TrimPrefix(addr, "bolt://")
		if dir == "" {
			return StoreAddress{}, fmt.Errorf("%q: name the data directory, as bolt:///var/lib/rightsdesk", addr)
		}
		return StoreAddress{Engine: "bolt", Dir: dir}, nil
	case strings.Contains(addr, "://"):
		return StoreAddress{}, fmt.Errorf("%q: a store is bolt:///DIR or etcd://HOST:PORT,…", addr)
	}
	return StoreAddress{Engine: "bolt", Dir: addr}, nil
}

// String names the store for messages: the directory, or the members and
// prefix (never a file path of a key).
func (a StoreAddress) String() string {
	if a.Engine == "etcd" {
		prefix := a.Etcd.Options.Prefix
		if prefix == "" {
			prefix = etcd.DefaultPrefix
		}
		return "etcd://" + strings.Join(a.Etcd.Endpoints, ",") + prefix
	}
	return a.Dir
}

// OpenOptions say how to open a backend.
type OpenOptions struct {
	// ReadOnly opens for reading only (offline commands that must not
	// change the store).
	ReadOnly bool
	// CheckPages runs bbolt's page check (see bolt.Options.CheckPages),
	// logging damage found in the background to Log.
	CheckPages bool
	Log        *slog.Logger
}

// OpenBackend opens the engine a store address names. For etcd it checks
// the cluster answers; the schema is store.Open's business.
func OpenBackend(ctx context.Context, a StoreAddress, opts OpenOptions) (store.Backend, error) {
	switch a.Engine {
	case "bolt":
		backend, err := bolt.Open(a.Dir, bolt.Options{ReadOnly: opts.ReadOnly, CheckPages: opts.CheckPages})
		if err != nil {
			return nil, err
		}
		if opts.CheckPages && opts.Log != nil {
			go func() {
				if err := backend.WaitPageCheck(context.WithoutCancel(ctx)); err != nil {
					opts.Log.Error("the database is damaged: reads and writes are refused; stop the server and run `rightsdesk check`", "error", err)
				}
			}()
		}
		return backend, nil
	case "etcd":
		cfg := a.Etcd
		cfg.Options.ReadOnly = opts.ReadOnly
		return etcd.Dial(ctx, cfg)
	}
	return nil, fmt.Errorf("unknown store engine %q", a.Engine)
}

// OpenBlobs opens the document store an address names: "" is a
// directory, blobs, in dataDir; file:///DIR another directory;
// s3://BUCKET[/PREFIX]?endpoint=HOST:PORT S3-compatible storage (see
// s3blob.ParseURL), which replicas on etcd need, sharing no disk.
func OpenBlobs(ctx context.Context, addr, dataDir string) (blob.Store, error) {
	switch {
	case strings.HasPrefix(addr, "s3://"):
		cfg, err := s3blob.ParseURL(addr)
		if err != nil {
			return nil, err
		}
		return s3blob.Open(ctx, cfg)
	case strings.HasPrefix(addr, "file://"):
		return fsblob.Open(strings.TrimPrefix(addr, "file://"), 0)
	case addr == "" && dataDir != "":
		return fsblob.Open(filepath.Join(dataDir, "blobs"), 0)
	case addr == "":
		return nil, fmt.Errorf("documents need --blobs (s3://… or file:///DIR) or a data directory")
	}
	return nil, fmt.Errorf("%q: a document store is file:///DIR or s3://BUCKET[/PREFIX]?endpoint=HOST:PORT", addr)
}

// electorFor is how replicas on the backend choose the one that runs the
// background work: alone on bbolt (the file's lock admits one process), an
// etcd election beside the store on etcd.
func electorFor(b store.Backend, replica string, ttl time.Duration) leader.Elector {
	if w, ok := b.(interface{ Unwrap() store.Backend }); ok {
		b = w.Unwrap() // the engine under the metrics
	}
	if e, ok := b.(*etcd.Backend); ok {
		return etcdleader.New(e.Client(), e.Prefix()+"x/leader", replica, ttl)
	}
	return leader.Local{}
}

// replicaName names this process among the replicas: host, process id and
// a random suffix, so a restarted process is a new replica.
func replicaName() string {
	host, _ := os.Hostname()
	suffix := make([]byte, 3)
	_, _ = rand.Read(suffix)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(suffix))
}
