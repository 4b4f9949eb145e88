package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"time"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
)

// The targets of issue 18's first acceptance line: with a backup client
// that has stopped reading for targetStall, creates keep this share of
// their rate without it, and reads stay under this p99.
const (
	targetStall          = 60 * time.Second
	targetStallRatio     = 0.8
	targetStallReadP99Ms = 50
)

// Defaults of the backup-stall phase: enough cases that the database
// (about 4 KB a case) is many times what the socket buffers and gRPC's
// flow-control windows hold, so the server's send really blocks.
const (
	DefaultStallCases   = 20_000
	DefaultStallClients = 16
)

// BackupStallResult is the backup-stall phase: CreateCase from Clients
// clients and one reader for Duration without a backup, then as long again
// while an admin's Backup stream, read once, is left unread.
type BackupStallResult struct {
	Cases    int    `json:"cases"`
	Clients  int    `json:"clients"`
	Duration string `json:"duration_per_side"`
	// BackupBytes is the whole backup, read to its end after the phase
	// (so the server was still waiting on the client when it ended); the
	// client took BackupBytesRead of it before it stopped reading.
	BackupBytes     int64 `json:"backup_bytes"`
	BackupBytesRead int64 `json:"backup_bytes_read"`

	CreatesPerSec        float64 `json:"creates_per_sec"`
	StalledCreatesPerSec float64 `json:"stalled_creates_per_sec"`
	// Ratio is StalledCreatesPerSec / CreatesPerSec.
	Ratio              float64 `json:"ratio"`
	CreateP99Ms        float64 `json:"create_p99_ms"`
	StalledCreateP99Ms float64 `json:"stalled_create_p99_ms"`
	// Reads alternate GetCase and the top-50 ListCases, one at a time.
	Reads            int     `json:"reads"`
	ReadP50Ms        float64 `json:"read_p50_ms"`
	ReadP99Ms        float64 `json:"read_p99_ms"`
	StalledReads     int     `json:"stalled_reads"`
	StalledReadP50Ms float64 `json:"stalled_read_p50_ms"`
	StalledReadP99Ms float64 `json:"stalled_read_p99_ms"`
}

// RatioMet and ReadsMet compare the phase with its targets.
func (r *BackupStallResult) RatioMet() bool { return r.Ratio >= targetStallRatio }

// ReadsMet: see RatioMet.
func (r *BackupStallResult) ReadsMet() bool { return r.StalledReadP99Ms < targetStallReadP99Ms }

// measureBackupStall seeds cfg.StallCases cases, starts a server over them
// and measures creates and reads without, then with, a stalled backup.
func measureBackupStall(ctx context.Context, root string, cfg Config, now time.Time) (*BackupStallResult, error) {
	dir := filepath.Join(root, "backup-stall")
	res := &BackupStallResult{Cases: cfg.StallCases, Clients: cfg.StallClients, Duration: cfg.BackupStall.String()}
	seeding := cfg
	seeding.Cases = cfg.StallCases
	if err := seed(ctx, "backup stall", dir, seeding, now); err != nil {
		return nil, fmt.Errorf("seed %d cases: %w", cfg.StallCases, err)
	}
	inst, err := startServer(ctx, dir)
	if err != nil {
		return nil, err
	}
	err = runBackupStall(ctx, inst, cfg, now, res)
	if err = errors.Join(err, inst.stop()); err != nil {
		return nil, err
	}
	return res, os.RemoveAll(dir)
}

func runBackupStall(ctx context.Context, inst *instance, cfg Config, now time.Time, res *BackupStallResult) error {
	create, stopCreates, err := dialCreates(ctx, inst, cfg.StallClients, now)
	if err != nil {
		return err
	}
	defer stopCreates()
	read, stopReads, err := dialReads(ctx, inst)
	if err != nil {
		return err
	}
	defer stopReads()

	cfg.progress("backup stall: %d clients creating and one reading for %s, no backup", cfg.StallClients, cfg.BackupStall)
	creates, reads, err := createsBesideReads(ctx, cfg.StallClients, cfg.BackupStall, create, read)
	if err != nil {
		return fmt.Errorf("without a backup: %w", err)
	}
	res.CreatesPerSec, res.CreateP99Ms = creates.perSecond(), creates.percentile(99)
	res.Reads, res.ReadP50Ms, res.ReadP99Ms = reads.ops, reads.percentile(50), reads.percentile(99)

	stalled, err := stallBackup(ctx, inst)
	if err != nil {
		return err
	}
	cfg.progress("backup stall: the same for %s while a backup client, %d bytes in, has stopped reading", cfg.BackupStall, stalled.read)
	creates, reads, err = createsBesideReads(ctx, cfg.StallClients, cfg.BackupStall, create, read)
	if err != nil {
		_ = stalled.hangUp()
		return fmt.Errorf("beside a stalled backup: %w", err)
	}
	res.BackupBytesRead = stalled.read
	if res.BackupBytes, err = stalled.finish(); err != nil {
		return err
	}
	res.StalledCreatesPerSec, res.StalledCreateP99Ms = creates.perSecond(), creates.percentile(99)
	res.StalledReads, res.StalledReadP50Ms, res.StalledReadP99Ms = reads.ops, reads.percentile(50), reads.percentile(99)
	res.Ratio = res.StalledCreatesPerSec / res.CreatesPerSec
	return nil
}

// createsBesideReads drives create from clients goroutines and read from
// one more, for d, and returns each's load with its latencies sorted.
func createsBesideReads(ctx context.Context, clients int, d time.Duration, create, read func(int) error) (creates, reads load, err error) {
	readDone := make(chan error, 1)
	go func() {
		var err error
		reads, err = drive(ctx, 1, d, read)
		readDone <- err
	}()
	creates, err = drive(ctx, clients, d, create)
	err = errors.Join(err, <-readDone)
	slices.Sort(creates.latencies)
	slices.Sort(reads.latencies)
	return creates, reads, err
}

// creatorsDialled counts dialCreates calls.
var creatorsDialled atomic.Uint64

// dialCreates returns an operation that calls CreateCase on inst as one
// of clients, each on its own connection as separate client processes
// would be, made before any clock starts; and a function that hangs up.
func dialCreates(ctx context.Context, inst *instance, clients int, now time.Time) (func(int) error, func(), error) {
	stream := firstDialStream + creatorsDialled.Add(1)
	stubs := make([]rdv1.CaseServiceClient, clients)
	rngs := make([]*rand.Rand, clients)
	var hangUps []func() error
	hangUp := func() {
		for _, h := range hangUps {
			_ = h()
		}
	}
	for c := range clients {
		conn, err := dial(inst.addr)
		if err != nil {
			hangUp()
			return nil, nil, err
		}
		hangUps = append(hangUps, conn.Close)
		stubs[c], rngs[c] = rdv1.NewCaseServiceClient(conn), rand.New(rand.NewPCG(uint64(c), stream))
	}
	callCtx := inst.authorised(ctx)
	var seq atomic.Int64
	create := func(c int) error {
		_, err := stubs[c].CreateCase(callCtx, createRequest(request(int(seq.Add(1)), now, rngs[c])))
		return err
	}
	for c := range clients {
		if err := create(c); err != nil {
			hangUp()
			return nil, nil, err
		}
	}
	return create, hangUp, nil
}

// dialReads returns a reader's operation: GetCase of one of the first
// page's cases, and the first page itself, in turn.
func dialReads(ctx context.Context, inst *instance) (func(int) error, func(), error) {
	conn, err := dial(inst.addr)
	if err != nil {
		return nil, nil, err
	}
	hangUp := func() { _ = conn.Close() }
	client := rdv1.NewCaseServiceClient(conn)
	callCtx := inst.authorised(ctx)
	first, err := client.ListCases(callCtx, top50)
	if err == nil && len(first.GetCases()) == 0 {
		err = errors.New("the seeded store's queue is empty")
	}
	if err != nil {
		hangUp()
		return nil, nil, err
	}
	names := make([]string, len(first.GetCases()))
	for i, c := range first.GetCases() {
		names[i] = c.GetName()
	}
	var n atomic.Int64
	read := func(int) error {
		i := n.Add(1)
		if i%2 == 0 {
			_, err := client.ListCases(callCtx, top50)
			return err
		}
		_, err := client.GetCase(callCtx, &rdv1.GetCaseRequest{Name: names[int(i/2)%len(names)]})
		return err
	}
	return read, hangUp, nil
}

// stalledBackup is a Backup stream that was read once and then left.
type stalledBackup struct {
	stream interface {
		Recv() (*rdv1.BackupChunk, error)
	}
	hangUp func() error
	read   int64
}

// stallBackup starts the admin Backup call `rightsdesk backup --server`
// makes, reads its first chunk, and then stops reading: the server goes on
// sending until gRPC's flow-control windows and the socket buffers are
// full, and then waits on the client.
func stallBackup(ctx context.Context, inst *instance) (*stalledBackup, error) {
	conn, err := dial(inst.addr)
	if err != nil {
		return nil, err
	}
	stream, err := rdv1.NewAdminServiceClient(conn).Backup(inst.asAdmin(ctx), &rdv1.BackupRequest{})
	if err == nil {
		var chunk *rdv1.BackupChunk
		if chunk, err = stream.Recv(); err == nil {
			return &stalledBackup{stream: stream, hangUp: conn.Close, read: int64(len(chunk.GetData()))}, nil
		}
	}
	_ = conn.Close()
	return nil, fmt.Errorf("start a backup: %w", err)
}

// finish reads the rest of the backup and returns its whole size: a
// stream the server had given up on while it was left unread ends in an
// error instead, and the stall did not last the phase.
func (s *stalledBackup) finish() (int64, error) {
	defer s.hangUp()
	total := s.read
	for {
		chunk, err := s.stream.Recv()
		if errors.Is(err, io.EOF) {
			return total, nil
		}
		if err != nil {
			return total, fmt.Errorf("the stalled backup, read again after the phase: %w", err)
		}
		total += int64(len(chunk.GetData()))
	}
}
