package main

import (
	"context"
	"io"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/bench"
)

func runDevSoak(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("dev soak", stderr)
	cfg := bench.SoakConfig{Out: stdout}
	fs.DurationVar(&cfg.Duration, "duration", 10*time.Minute, "how long the mixed load runs")
	fs.DurationVar(&cfg.Every, "every", time.Minute, "how often resident memory, goroutines and open file descriptors are printed")
	fs.IntVar(&cfg.Clients, "clients", 8, "API clients creating, changing, reading and listing cases at once")
	fs.StringVar(&cfg.Dir, "dir", "", "where the temporary database goes (default the system temp directory)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return bench.Soak(ctx, cfg)
}
