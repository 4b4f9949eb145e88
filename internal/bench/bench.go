package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/store/etcd/etcdlocal"
)

// The bounds of a run, so a typo cannot open thousands of connections or
// fill the disk: a million cases take about 6.5 GB.
const (
	MaxClients = 512
	MaxCases   = 10_000_000
	MaxQueries = 1_000_000
)

// Config bounds one run.
type Config struct {
	// Dir is where the temporary databases go ("" is the system temp
	// directory). It must be on the disk being measured: fsync on tmpfs is
	// free and would make the baseline meaningless.
	Dir string
	// Clients are the write phase's concurrency levels; none skips it.
	Clients []int
	// Duration is how long the baseline runs at each level, and CreateCase
	// as long again, in alternating rounds.
	Duration time.Duration
	// Cases are seeded for the read phase; 0 skips it.
	Cases int
	// Queries is how many top-50 calls are timed.
	Queries int
	// GrowthBase is the small store CreateCase over the read phase's store
	// is compared with (Growth); zero is 10,000, the target's.
	GrowthBase int
	// Progress receives a line as each phase starts; nil is silent.
	Progress io.Writer
	// Store is "bolt" (or "") to measure the embedded engine, or "etcd" to
	// measure an etcd cluster of three local members beside it in the
	// same run: CreateCase at every level, and the read phase's store
	// copied to etcd and queried there.
	Store string
	// BackupStall is how long each side of the backup-stall phase runs
	// (BackupStallResult); 0 skips it. StallCases are seeded for it and
	// StallClients create cases during it.
	BackupStall  time.Duration
	StallCases   int
	StallClients int
}

// MaxBackupStall keeps the stalled side of the phase inside the two
// minutes a server waits for a backup client that has stopped reading
// (operations.Options.Stall) before giving up on it, which would end the
// stall early.
const MaxBackupStall = 100 * time.Second

func (c Config) validate() error {
	for _, n := range c.Clients {
		if n < 1 || n > MaxClients {
			return fmt.Errorf("clients: %d is not between 1 and %d", n, MaxClients)
		}
	}
	if len(c.Clients) > 0 && c.Duration <= 0 {
		return fmt.Errorf("duration: want a positive duration, got %s", c.Duration)
	}
	if c.Cases < 0 || c.Cases > MaxCases {
		return fmt.Errorf("cases: %d is not between 0 and %d", c.Cases, MaxCases)
	}
	if c.Store != "" && c.Store != "bolt" && c.Store != "etcd" {
		return fmt.Errorf("store: %q is not bolt or etcd", c.Store)
	}
	if c.BackupStall < 0 || c.BackupStall > MaxBackupStall {
		return fmt.Errorf("backup-stall: %s is not between 0 and %s", c.BackupStall, MaxBackupStall)
	}
	if c.BackupStall > 0 && (c.StallCases < 1 || c.StallCases > MaxCases) {
		return fmt.Errorf("backup-stall-cases: %d is not between 1 and %d", c.StallCases, MaxCases)
	}
	if c.BackupStall > 0 && (c.StallClients < 1 || c.StallClients > MaxClients) {
		return fmt.Errorf("backup-stall-clients: %d is not between 1 and %d", c.StallClients, MaxClients)
	}
	if c.Cases > 0 && (c.Queries < 1 || c.Queries > MaxQueries) {
		return fmt.Errorf("queries: %d is not between 1 and %d", c.Queries, MaxQueries)
	}
	return nil
}

func (c Config) progress(format string, args ...any) {
	if c.Progress != nil {
		fmt.Fprintf(c.Progress, format+"\n", args...)
	}
}

// Report is everything one run measured.
type Report struct {
	GOOS       string       `json:"goos"`
	GOARCH     string       `json:"goarch"`
	CPUs       int          `json:"cpus"`
	Dir        string       `json:"dir"`
	Store      string       `json:"store"`
	Duration   string       `json:"duration_per_side_per_level,omitempty"`
	WriteShape WriteShape   `json:"write_shape"`
	Writes     []WriteLevel `json:"writes,omitempty"`
	Reads      *ReadResult  `json:"reads,omitempty"`
	// BackupStall is the backup-stall phase (Config.BackupStall).
	BackupStall *BackupStallResult `json:"backup_stall,omitempty"`
}

// Run measures and returns the report. Every database it writes lives in a
// temporary directory under cfg.Dir that is gone when it returns.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	root, err := os.MkdirTemp(cfg.Dir, "rightsdesk-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(root)
	rep := &Report{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, CPUs: runtime.NumCPU(), Dir: root, Store: "bolt"}
	var cluster *etcdlocal.Cluster
	if cfg.Store == "etcd" {
		rep.Store = "bolt and etcd"
		cfg.progress("etcd: starting three local members (fsync on) under %s", root)
		if cluster, err = etcdlocal.Start(ctx, etcdlocal.Options{Dir: filepath.Join(root, "etcd")}); err != nil {
			return nil, err
		}
		defer cluster.Close()
	}
	now := time.Now()
	if len(cfg.Clients) > 0 {
		rep.Duration = cfg.Duration.String()
		if rep.WriteShape, rep.Writes, err = measureWrites(ctx, root, cfg, now, cluster); err != nil {
			return nil, err
		}
	}
	if cfg.Cases > 0 {
		if rep.Reads, err = measureReads(ctx, root, cfg, now, cluster); err != nil {
			return nil, err
		}
	}
	if cfg.BackupStall > 0 {
		if rep.BackupStall, err = measureBackupStall(ctx, root, cfg, now); err != nil {
			return nil, fmt.Errorf("backup stall: %w", err)
		}
	}
	return rep, nil
}
