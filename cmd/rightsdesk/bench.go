package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/bench"
)

func runDevBench(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlags("dev bench", stderr)
	cfg := bench.Config{Progress: stderr}
	clients := fs.String("clients", "1,16,64", "concurrency levels of the write phase, comma-separated; empty skips the write phase")
	fs.DurationVar(&cfg.Duration, "duration", 10*time.Second, "how long the bbolt baseline runs at each level, and CreateCase as long again, in alternating rounds")
	fs.IntVar(&cfg.Cases, "cases", 100_000, "cases seeded for the read phase (the DESIGN targets are at 1000000); 0 skips the read phase")
	fs.IntVar(&cfg.Queries, "queries", 2000, "top-50 ListCases calls timed in the read phase")
	fs.StringVar(&cfg.Dir, "dir", "", "where the temporary databases go (default the system temp directory); put it on the disk to measure, not tmpfs")
	fs.StringVar(&cfg.Store, "store", "bolt", "bolt, or etcd to measure an etcd cluster of three members on this machine beside bbolt in the same run (CreateCase at every level; the read phase's store copied to etcd and queried there)")
	fs.DurationVar(&cfg.BackupStall, "backup-stall", 0, "how long CreateCase and reads run without a backup, and again beside an admin backup whose client has stopped reading (make bench-backup: 60s); 0 skips the phase")
	fs.IntVar(&cfg.StallCases, "backup-stall-cases", bench.DefaultStallCases, "cases seeded for the backup-stall phase, so the backup is far larger than what socket buffers hold")
	fs.IntVar(&cfg.StallClients, "backup-stall-clients", bench.DefaultStallClients, "CreateCase clients in the backup-stall phase")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run, server and driver, to this file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if cfg.Clients, err = parseClients(*clients); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer func() {
			pprof.StopCPUProfile()
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	rep, err := bench.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return rep.Print(stdout)
}

func parseClients(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > bench.MaxClients {
			return nil, fmt.Errorf("--clients %q: %q is not a number of clients from 1 to %d", s, f, bench.MaxClients)
		}
		out = append(out, n)
	}
	return out, nil
}
