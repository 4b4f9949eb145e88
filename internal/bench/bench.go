package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"
)

// MaxClients bounds a write level, so a typo cannot open thousands of
// connections.
const MaxClients = 512

// Config bounds one run.
type Config struct {
	// Dir is where the temporary databases go ("" is the system temp
	// directory). It must be on the disk being measured: fsync on tmpfs is
	// free and would make the baseline meaningless.
	Dir string
	// Clients are the write phase's concurrency levels; none skips it.
	Clients []int
	// Duration is each write measurement's length.
	Duration time.Duration
	// Cases are seeded for the read phase; 0 skips it.
	Cases int
	// Queries is how many top-50 calls are timed.
	Queries int
	// Progress receives a line as each phase starts; nil is silent.
	Progress io.Writer
}

func (c Config) validate() error {
	for _, n := range c.Clients {
		if n < 1 || n > MaxClients {
			return fmt.Errorf("clients: %d is not between 1 and %d", n, MaxClients)
		}
	}
	if len(c.Clients) > 0 && c.Duration <= 0 {
		return fmt.Errorf("duration: want a positive duration, got %s", c.Duration)
	}
	if c.Cases < 0 || (c.Cases > 0 && c.Queries < 1) {
		return fmt.Errorf("cases %d and queries %d: want cases ≥ 0 and, with cases, queries ≥ 1", c.Cases, c.Queries)
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
	Duration   string       `json:"duration_per_measurement,omitempty"`
	WriteShape WriteShape   `json:"write_shape"`
	Writes     []WriteLevel `json:"writes,omitempty"`
	Reads      *ReadResult  `json:"reads,omitempty"`
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
	rep := &Report{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, CPUs: runtime.NumCPU(), Dir: root}
	now := time.Now()
	if len(cfg.Clients) > 0 {
		rep.Duration = cfg.Duration.String()
		if rep.WriteShape, rep.Writes, err = measureWrites(ctx, root, cfg, now); err != nil {
			return nil, err
		}
	}
	if cfg.Cases > 0 {
		if rep.Reads, err = measureReads(ctx, root, cfg, now); err != nil {
			return nil, err
		}
	}
	return rep, nil
}
