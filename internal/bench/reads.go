package bench

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	bbolt "go.etcd.io/bbolt"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/store/etcd/etcdlocal"
	"github.com/rightsdesk/rightsdesk/internal/store/storecopy"
)

// ReadResult is the read phase over a seeded store.
type ReadResult struct {
	Cases       int     `json:"cases"`
	SeedSeconds float64 `json:"seed_seconds"`
	// StartupMs runs from server.New over the seeded store until SERVING.
	StartupMs    float64 `json:"startup_ms"`
	FileBytes    int64   `json:"file_bytes"`
	BytesPerCase float64 `json:"bytes_per_case"`
	// BucketBytesPerCase is each bucket's allocated pages over the cases;
	// the file also holds free pages, so these add up to less.
	BucketBytesPerCase map[store.Bucket]float64 `json:"bucket_bytes_per_case"`
	// InUseBytesPerCase is what the buckets' pages actually hold: the gap
	// to BytesPerCase is half-empty pages and free space.
	InUseBytesPerCase float64 `json:"in_use_bytes_per_case"`
	Queries           int     `json:"queries"`
	// The Query figures are the top-50 calls whose answers the driver
	// took undecoded (the target's), the Decoded ones the same number
	// after them whose answers it decoded (see queryTop50).
	QueryP50Ms   float64 `json:"query_p50_ms"`
	QueryP99Ms   float64 `json:"query_p99_ms"`
	QueryMaxMs   float64 `json:"query_max_ms"`
	DecodedP50Ms float64 `json:"decoded_p50_ms"`
	DecodedP99Ms float64 `json:"decoded_p99_ms"`
	DecodedMaxMs float64 `json:"decoded_max_ms"`
	// RSS is the whole process, driver included, after the queries; 0
	// where /proc/self/status cannot be read.
	RSSBytes     int64 `json:"rss_bytes"`
	RSSAnonBytes int64 `json:"rss_anon_bytes"`
	// Views are the first page of each staff queue view and filter
	// ListCases offers, through the same server.
	Views []ViewResult `json:"views"`
	// Growth is CreateCase over the seeded store against over a small one
	// (measureGrowth); nil when the seeded store is no larger.
	Growth *Growth `json:"growth,omitempty"`
	// Etcd is the same store copied to the local etcd cluster and queried
	// through a server on it (with --store etcd).
	Etcd *EtcdReads `json:"etcd,omitempty"`
}

// ViewResult is one queue view's first page, timed.
type ViewResult struct {
	Name    string  `json:"name"`
	Filter  string  `json:"filter"`
	OrderBy string  `json:"order_by"`
	Shown   int     `json:"cases_shown"`
	Calls   int     `json:"calls"`
	P50Ms   float64 `json:"p50_ms"`
	P99Ms   float64 `json:"p99_ms"`
	// OverDeadline is a view whose call the server cut at its deadline
	// for the call: it is timed no further.
	OverDeadline bool `json:"over_deadline,omitempty"`
}

// queueViews are the staff queue's views (internal/web/staff queue.go)
// and its filter form's terms, alone and combined, as ListCases filters.
// The seeded cases are all new, unassigned and about one notice, so some
// views are empty: an empty view still shows what reaching "no more"
// costs, which is what a view that scans pays.
var queueViews = []struct{ name, filter, orderBy string }{
	{"all open", "open = true", "due"},
	{"needs action", "open = true AND needs_action = true", "due"},
	{"assigned to one person", `open = true AND assignee = "token:bench"`, "due"},
	{"unassigned", `open = true AND assignee = ""`, "due"},
	{"due this week", "open = true AND due_this_week = true", "due"},
	{"overdue", "open = true AND overdue = true", "due"},
	{"waiting for the requester", "open = true AND waiting = true", "due"},
	{"new replies", "open = true AND new_reply = true", "due"},
	{"letter not delivered", "open = true AND undelivered = true", "due"},
	{"extension to decide", "open = true AND extension_due = true", "due"},
	{"state", `open = true AND state = "NEW"`, "due"},
	{"right", `open = true AND right = "ERASURE"`, "due"},
	{"notice", `open = true AND notice = "` + noticeID + `"`, "due"},
	{"right and state", `open = true AND right = "ERASURE" AND state = "NEW"`, "due"},
	{"right and notice", `open = true AND right = "RECTIFICATION" AND notice = "` + noticeID + `"`, "due"},
	{"right, overdue", `open = true AND right = "ACCESS" AND overdue = true`, "due"},
	{"received, newest first", "", "received desc"},
	{"notice, newest first", `notice = "` + noticeID + `"`, "received desc"},
}

// viewCalls is how many times each view's first page is timed, unless
// viewTime is up first: a view that still scans (new replies, with none
// to show, reads every open case) takes seconds a call at 1,000,000 cases,
// and is shown with the calls it had time for.
const (
	viewCalls = 50
	viewTime  = 5 * time.Second
)

// EtcdReads is the read phase on etcd.
type EtcdReads struct {
	// CopySeconds is `store copy` of the seeded bbolt store into etcd.
	CopySeconds float64 `json:"copy_seconds"`
	Keys        int     `json:"keys"`
	StartupMs   float64 `json:"startup_ms"`
	QueryP50Ms  float64 `json:"query_p50_ms"`
	QueryP99Ms  float64 `json:"query_p99_ms"`
	QueryMaxMs  float64 `json:"query_max_ms"`
}

// The query the targets name: the caseworkers' queue.
var top50 = &rdv1.ListCasesRequest{PageSize: 50, OrderBy: "due", Filter: "open=true"}

// seedWriters is enough concurrent creators for db.Batch to commit hundreds
// of cases per fsync.
const seedWriters = 256

func measureReads(ctx context.Context, root string, cfg Config, now time.Time, cluster *etcdlocal.Cluster) (*ReadResult, error) {
	dir := filepath.Join(root, "reads")
	res := &ReadResult{Cases: cfg.Cases, Queries: cfg.Queries}
	start := time.Now()
	if err := seed(ctx, "reads", dir, cfg, now); err != nil {
		return nil, fmt.Errorf("seed %d cases: %w", cfg.Cases, err)
	}
	res.SeedSeconds = time.Since(start).Seconds()
	// The seeding's garbage is not the server's memory.
	runtime.GC()
	debug.FreeOSMemory()

	cfg.progress("reads: starting a server over %d cases", cfg.Cases)
	inst, err := startServer(ctx, dir)
	if err != nil {
		return nil, err
	}
	res.StartupMs = ms(inst.startup)
	cfg.progress("reads: %d top-50 queries, then %d more decoded", cfg.Queries, cfg.Queries)
	queries, decoded, err := queryTop50(ctx, inst, cfg.Cases, cfg.Queries, true)
	if err == nil {
		cfg.progress("reads: the first page of %d queue views, %d calls each or %s", len(queueViews), viewCalls, viewTime)
		res.Views, err = queryViews(ctx, inst)
	}
	res.RSSBytes, res.RSSAnonBytes = readRSS()
	if err = errors.Join(err, inst.stop()); err != nil {
		return nil, err
	}
	res.QueryP50Ms, res.QueryP99Ms, res.QueryMaxMs = queries.percentile(50), queries.percentile(99), queries.percentile(100)
	res.DecodedP50Ms, res.DecodedP99Ms, res.DecodedMaxMs = decoded.percentile(50), decoded.percentile(99), decoded.percentile(100)
	if res.FileBytes, res.BucketBytesPerCase, res.InUseBytesPerCase, err = diskUsage(dir, cfg.Cases); err != nil {
		return nil, err
	}
	res.BytesPerCase = float64(res.FileBytes) / float64(cfg.Cases)
	if cfg.Cases > cfg.growthBase() && cfg.Duration > 0 {
		if res.Growth, err = measureGrowth(ctx, root, dir, cfg, now); err != nil {
			return nil, fmt.Errorf("creates as the store grows: %w", err)
		}
	}
	if cluster != nil {
		if res.Etcd, err = measureEtcdReads(ctx, root, dir, cfg, cluster); err != nil {
			return nil, fmt.Errorf("reads on etcd: %w", err)
		}
	}
	return res, os.RemoveAll(dir)
}

// measureEtcdReads copies the seeded store into etcd, as `rightsdesk store
// copy` does, and times the same query through a server on it.
func measureEtcdReads(ctx context.Context, root, dir string, cfg Config, cluster *etcdlocal.Cluster) (*EtcdReads, error) {
	addr := cluster.URL("bench-reads")
	cfg.progress("reads: copying the %d cases to etcd", cfg.Cases)
	res := &EtcdReads{}
	start := time.Now()
	src, err := bolt.Open(dir, bolt.Options{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	where, err := app.ParseStore(addr, "")
	if err != nil {
		return nil, err
	}
	dst, err := app.OpenBackend(ctx, where, app.OpenOptions{})
	if err != nil {
		_ = src.Close()
		return nil, err
	}
	sum, err := storecopy.Copy(ctx, src, dst, nil)
	if err = errors.Join(err, src.Close(), dst.Close()); err != nil {
		return nil, err
	}
	res.CopySeconds = time.Since(start).Seconds()
	for _, b := range sum.Buckets {
		res.Keys += b.Keys
	}
	cfg.progress("reads: starting a server on etcd over %d cases", cfg.Cases)
	inst, err := startServerOn(ctx, addr, filepath.Join(root, "etcd-reads"), sealedStore)
	if err != nil {
		return nil, err
	}
	res.StartupMs = ms(inst.startup)
	cfg.progress("reads: %d top-50 queries on etcd", cfg.Queries)
	queries, _, err := queryTop50(ctx, inst, cfg.Cases, cfg.Queries, false)
	if err = errors.Join(err, inst.stop()); err != nil {
		return nil, err
	}
	res.QueryP50Ms, res.QueryP99Ms, res.QueryMaxMs = queries.percentile(50), queries.percentile(99), queries.percentile(100)
	return res, nil
}

// seed creates cfg.Cases cases through casework.Service.Create, the write
// path CreateCase runs, without gRPC in the way; its progress lines name
// phase.
func seed(ctx context.Context, phase, dir string, cfg Config, now time.Time) error {
	st, err := openStore(ctx, dir)
	if err != nil {
		return err
	}
	defer st.Close()
	svc := newService(st)
	var next, done atomic.Int64
	step := int64(max(cfg.Cases/10, 1))
	start := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	for w := range min(seedWriters, cfg.Cases) {
		rng := rand.New(rand.NewPCG(uint64(w), seedStream))
		g.Go(func() error {
			for i := next.Add(1) - 1; i < int64(cfg.Cases); i = next.Add(1) - 1 {
				if _, err := svc.Create(gctx, "token:bench-seed", request(int(i), now, rng)); err != nil {
					return err
				}
				if n := done.Add(1); n%step == 0 {
					cfg.progress("%s: seeded %d/%d cases (%.0f/s)", phase, n, cfg.Cases, float64(n)/time.Since(start).Seconds())
				}
			}
			return nil
		})
	}
	return g.Wait()
}

// Growth is CreateCase at one client and at targetClients clients, each
// for the write phase's duration, on a server over Config.GrowthBase
// seeded cases and on one over the read phase's, in the same run: whether
// writes stay fast as the store grows. The target is the ratio at
// targetClients; one client shows the latency of a create alone.
type Growth struct {
	Clients              int     `json:"clients"`
	BaseCases            int     `json:"base_cases"`
	BasePerSec           float64 `json:"base_creates_per_sec"`
	BaseP99Ms            float64 `json:"base_create_p99_ms"`
	BaseOneClientPerSec  float64 `json:"base_one_client_creates_per_sec"`
	BaseOneClientP99Ms   float64 `json:"base_one_client_create_p99_ms"`
	Cases                int     `json:"cases"`
	GrownPerSec          float64 `json:"grown_creates_per_sec"`
	GrownP99Ms           float64 `json:"grown_create_p99_ms"`
	GrownOneClientPerSec float64 `json:"grown_one_client_creates_per_sec"`
	GrownOneClientP99Ms  float64 `json:"grown_one_client_create_p99_ms"`
	GrownToBaseRatio     float64 `json:"grown_to_base_ratio"`
	// GrownPageCheckMs is how long the server over the seeded store was
	// waited on, before the creates over it were timed, for the page check
	// it runs in the background after start-up; the small store is checked
	// before its server serves.
	GrownPageCheckMs float64 `json:"grown_page_check_ms"`
}

// growthBaseCases is the small store of the target: creates over a
// million cases at 75% or more of their rate over ten thousand.
const growthBaseCases = 10_000

func (c Config) growthBase() int { return cmp.Or(c.GrowthBase, growthBaseCases) }

// measureGrowth times CreateCase at targetClients clients over the read
// phase's store in dir (after its disk use was measured, so the creates
// do not count in it) and over a fresh store of cfg.GrowthBase cases. It
// times each server once its start-up page check is done: a store up to
// bolt.DefaultSyncCheckLimit is checked before it serves, a larger one in
// the background for a fifth of a core, which for a million cases is the
// first 8–9 s of a server that then runs for days.
func measureGrowth(ctx context.Context, root, dir string, cfg Config, now time.Time) (*Growth, error) {
	g := &Growth{Clients: targetClients, BaseCases: cfg.growthBase(), Cases: cfg.Cases}
	base := filepath.Join(root, "growth-base")
	if err := seed(ctx, "growth", base, Config{Cases: g.BaseCases, Progress: cfg.Progress}, now); err != nil {
		return nil, err
	}
	defer os.RemoveAll(base)
	for _, side := range []struct {
		dir     string
		cases   int
		clients int
		rate    *float64
		p99     *float64
	}{
		{base, g.BaseCases, 1, &g.BaseOneClientPerSec, &g.BaseOneClientP99Ms},
		{base, g.BaseCases, g.Clients, &g.BasePerSec, &g.BaseP99Ms},
		{dir, cfg.Cases, 1, &g.GrownOneClientPerSec, &g.GrownOneClientP99Ms},
		{dir, cfg.Cases, g.Clients, &g.GrownPerSec, &g.GrownP99Ms},
	} {
		cfg.progress("growth: CreateCase at %d clients for %s over %d cases", side.clients, cfg.Duration, side.cases)
		l, pageCheck, err := createsOn(ctx, side.dir, side.clients, cfg.Duration, now)
		if err != nil {
			return nil, err
		}
		*side.rate, *side.p99 = l.perSecond(), l.percentile(99)
		if side.dir == dir {
			g.GrownPageCheckMs = ms(pageCheck)
		}
	}
	g.GrownToBaseRatio = g.GrownPerSec / g.BasePerSec
	return g, nil
}

// createsOn starts a server over dir, waits for its page check, which it
// says the length of, and drives CreateCase from clients for d.
func createsOn(ctx context.Context, dir string, clients int, d time.Duration, now time.Time) (load, time.Duration, error) {
	inst, err := startServer(ctx, dir)
	if err != nil {
		return load{}, 0, err
	}
	start := time.Now()
	if err := inst.waitPageCheck(ctx); err != nil {
		return load{}, 0, errors.Join(err, inst.stop())
	}
	pageCheck := time.Since(start)
	create, hangUp, err := dialCreates(ctx, inst, clients, now)
	if err != nil {
		return load{}, 0, errors.Join(err, inst.stop())
	}
	l, err := drive(ctx, clients, d, create)
	hangUp()
	slices.Sort(l.latencies)
	return l, pageCheck, errors.Join(err, inst.stop())
}

// queryTop50 checks the queue once, then times n calls one after another
// whose answers the driver takes as bytes without decoding them, and, with
// decodedToo, n more whose answers it decodes. The driver runs in the
// server's process, so decoding there (the client's work, in the client's
// own process in real use) adds its garbage to what the server's collector
// sees: half of all the bytes allocated per call, and so twice the
// collections, whose mark phase takes both cores for milliseconds. The
// first figure is the server's answer; the second says what a client in
// the same process would see.
func queryTop50(ctx context.Context, inst *instance, cases, n int, decodedToo bool) (answered, decoded load, err error) {
	conn, err := dial(inst.addr)
	if err != nil {
		return load{}, load{}, err
	}
	defer conn.Close()
	client := rdv1.NewCaseServiceClient(conn)
	callCtx := inst.authorised(ctx)
	first, err := client.ListCases(callCtx, top50)
	if err != nil {
		return load{}, load{}, err
	}
	if err := checkQueue(first, min(cases, int(top50.PageSize))); err != nil {
		return load{}, load{}, err
	}
	var answer undecoded
	answered, err = timeCalls(n, func() error {
		return conn.Invoke(callCtx, rdv1.CaseService_ListCases_FullMethodName, top50, &answer, grpc.ForceCodec(undecodedCodec{}))
	})
	if err == nil && answer.size == 0 {
		err = errors.New("top-50 query: an empty answer")
	}
	if err != nil || !decodedToo {
		return answered, load{}, err
	}
	decoded, err = timeCalls(n, func() error {
		_, err := client.ListCases(callCtx, top50)
		return err
	})
	return answered, decoded, err
}

// timeCalls times n calls of call, one after another.
func timeCalls(n int, call func() error) (load, error) {
	l := load{ops: n}
	start := time.Now()
	for range n {
		t0 := time.Now()
		if err := call(); err != nil {
			return load{}, err
		}
		l.latencies = append(l.latencies, time.Since(t0))
	}
	l.elapsed = time.Since(start)
	slices.Sort(l.latencies)
	return l, nil
}

// undecoded is an answer taken as bytes and left unread.
type undecoded struct{ size int }

// undecodedCodec sends requests as the proto codec does and takes answers
// as undecoded.
type undecodedCodec struct{}

func (undecodedCodec) Name() string                  { return "proto" }
func (undecodedCodec) Marshal(v any) ([]byte, error) { return proto.Marshal(v.(proto.Message)) }
func (undecodedCodec) Unmarshal(data []byte, v any) error {
	v.(*undecoded).size = len(data)
	return nil
}

// queryViews times each queue view's first page.
func queryViews(ctx context.Context, inst *instance) ([]ViewResult, error) {
	conn, err := dial(inst.addr)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	client := rdv1.NewCaseServiceClient(conn)
	callCtx := inst.authorised(ctx)
	var out []ViewResult
	for _, v := range queueViews {
		req := &rdv1.ListCasesRequest{PageSize: top50.PageSize, OrderBy: v.orderBy, Filter: v.filter}
		var l load
		var shown int
		var over bool
		for start := time.Now(); len(l.latencies) < viewCalls && (len(l.latencies) == 0 || time.Since(start) < viewTime); {
			t0 := time.Now()
			resp, err := client.ListCases(callCtx, req)
			l.latencies = append(l.latencies, time.Since(t0))
			if status.Code(err) == codes.DeadlineExceeded {
				over = true
				break
			}
			if err != nil {
				return nil, fmt.Errorf("%s (%s): %w", v.name, v.filter, err)
			}
			if shown = len(resp.GetCases()); shown == 0 && resp.GetNextPageToken() != "" {
				return nil, fmt.Errorf("%s (%s): an empty first page offers a next page", v.name, v.filter)
			}
		}
		slices.Sort(l.latencies)
		out = append(out, ViewResult{Name: v.name, Filter: v.filter, OrderBy: v.orderBy, Shown: shown, Calls: len(l.latencies), P50Ms: l.percentile(50), P99Ms: l.percentile(99), OverDeadline: over})
	}
	return out, nil
}

// checkQueue makes a broken index fail the run instead of timing fast
// wrong answers.
func checkQueue(resp *rdv1.ListCasesResponse, want int) error {
	got := resp.GetCases()
	if len(got) != want {
		return fmt.Errorf("top-50 query returned %d cases, want %d", len(got), want)
	}
	for i, c := range got {
		if c.GetState() == rdv1.CaseState_CASE_STATE_CLOSED {
			return fmt.Errorf("top-50 query returned closed case %s", c.GetName())
		}
		if i > 0 && c.GetClock().GetDue() < got[i-1].GetClock().GetDue() {
			return fmt.Errorf("top-50 query is not in due order: %s after %s", c.GetClock().GetDue(), got[i-1].GetClock().GetDue())
		}
	}
	return nil
}

// diskUsage returns the database file's size, each bucket's allocated
// bytes per case, and the bytes per case all the buckets' pages hold.
func diskUsage(dir string, cases int) (int64, map[store.Bucket]float64, float64, error) {
	path := filepath.Join(dir, bolt.FileName)
	info, err := os.Stat(path)
	if err != nil {
		return 0, nil, 0, err
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return 0, nil, 0, err
	}
	defer db.Close()
	perCase := map[store.Bucket]float64{}
	inUse := 0
	err = db.View(func(tx *bbolt.Tx) error {
		for _, name := range store.Buckets() {
			if b := tx.Bucket([]byte(name)); b != nil {
				s := b.Stats()
				perCase[name] = float64(s.BranchAlloc+s.LeafAlloc) / float64(cases)
				inUse += s.BranchInuse + s.LeafInuse
			}
		}
		return nil
	})
	return info.Size(), perCase, float64(inUse) / float64(cases), err
}

// readRSS returns VmRSS and RssAnon from /proc/self/status, in bytes.
func readRSS() (rss, anon int64) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		name, value, ok := strings.Cut(s.Text(), ":")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			continue
		}
		switch name {
		case "VmRSS":
			rss = kb << 10
		case "RssAnon":
			anon = kb << 10
		}
	}
	return rss, anon
}
