package app_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/leader"
	"github.com/rightsdesk/rightsdesk/internal/leader/leadertest"
	"github.com/rightsdesk/rightsdesk/internal/notice/catalogue"
	"github.com/rightsdesk/rightsdesk/internal/server"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/store/etcd/etcdlocal"
	"github.com/rightsdesk/rightsdesk/internal/store/storecopy"
)

// The failure tests' scale: short in make test, long in make scaletest
// (RIGHTSDESK_SCALE=long).
type scale struct {
	clients  int           // concurrent CreateCase clients per replica
	load     time.Duration // how long the load runs
	kills    int           // etcd leaders stopped (and restarted) during it
	messages int           // background messages queued around each replica kill
	rounds   int           // replica kills
}

func failureScale() scale {
	if os.Getenv("RIGHTSDESK_SCALE") == "long" {
		return scale{clients: 32, load: 60 * time.Second, kills: 4, messages: 20, rounds: 4}
	}
	return scale{clients: 4, load: 5 * time.Second, kills: 1, messages: 3, rounds: 1}
}

// TestMain lets the test binary run as a replica of its own, for the
// tests that SIGKILL one.
func TestMain(m *testing.M) {
	etcdlocal.RunMemberIfAsked()
	if addr := os.Getenv("RIGHTSDESK_TEST_REPLICA_STORE"); addr != "" {
		os.Exit(runReplicaProcess(addr, os.Getenv("RIGHTSDESK_TEST_REPLICA_NAME")))
	}
	os.Exit(m.Run())
}

// runReplicaProcess serves on loopback with the stand-in background job,
// says "ready" on stdout, and runs until killed.
func runReplicaProcess(addr, name string) int {
	notices, err := catalogue.Builtin()
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "rightsdesk-replica-")
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	a, err := app.New(ctx, app.Config{
		Store: addr, DataDir: dir, Replica: name, LeaderTTL: 2 * time.Second,
		Jobs:      []leader.Job{leadertest.StandIn(20 * time.Millisecond)},
		Server:    server.Config{GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))},
		Catalogue: notices,
	})
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	fmt.Println("ready", a.GRPCAddr())
	if err := a.Run(ctx); err != nil {
		fmt.Println("error:", err)
		return 1
	}
	return 0
}

// process is a replica in a process of its own.
type process struct {
	name string
	cmd  *exec.Cmd
}

func startProcess(t *testing.T, addr, name string) *process {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "RIGHTSDESK_TEST_REPLICA_STORE="+addr, "RIGHTSDESK_TEST_REPLICA_NAME="+name)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{name: name, cmd: cmd}
	t.Cleanup(func() { p.kill() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "ready ") {
		t.Fatalf("replica %s did not start: %q %v", name, line, err)
	}
	return p
}

// kill sends SIGKILL: no drain, no resignation, the lease left to expire.
func (p *process) kill() {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		_ = p.cmd.Wait()
	}
}

// epochHolder reads who claimed the current leader epoch.
func epochHolder(t *testing.T, st *store.Store) (uint64, string) {
	t.Helper()
	var (
		epoch   uint64
		replica string
	)
	if err := st.View(t.Context(), func(tx store.ReadTx) (err error) {
		epoch, replica, err = leader.CurrentEpoch(tx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return epoch, replica
}

func waitLeader(t *testing.T, st *store.Store, after uint64, within time.Duration) (uint64, string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		epoch, replica := epochHolder(t, st)
		if epoch > after {
			return epoch, replica
		}
		if time.Now().After(deadline) {
			t.Fatalf("no replica claimed a leader epoch after %d within %s", after, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// SIGKILL the replica that leads the background work: another takes over
// once its lease expires and runs every message queued — before the kill
// and after it — exactly once; the killed replica comes back as a
// follower.
func TestReplicaKilledWhileLeading(t *testing.T) {
	sc := failureScale()
	cluster, err := etcdlocal.Start(t.Context(), etcdlocal.Options{NoFsync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	addr := cluster.URL("kill-replica")
	st := openURL(t, addr)
	t.Cleanup(func() { _ = st.Close() })

	procs := map[string]*process{"r1": startProcess(t, addr, "r1")}
	epoch, leaderName := waitLeader(t, st, 0, 10*time.Second)
	procs["r2"] = startProcess(t, addr, "r2")
	queued := 0
	enqueue := func(tag string) {
		for i := range sc.messages {
			if err := leadertest.Enqueue(t.Context(), st, fmt.Sprintf("%s-%d", tag, i)); err != nil {
				t.Fatal(err)
			}
			queued++
		}
	}
	enqueue("initial")
	waitExecuted(t, st, queued)
	for round := range sc.rounds {
		victim := procs[leaderName]
		victim.kill()
		killed := time.Now()
		enqueue(fmt.Sprintf("round%d", round)) // nobody leads until the lease expires
		var next string
		epoch, next = waitLeader(t, st, epoch, 15*time.Second)
		t.Logf("round %d: killed leader %s; %s took over in %s (epoch %d)", round, leaderName, next, time.Since(killed).Round(time.Millisecond), epoch)
		if next == leaderName {
			t.Fatalf("the killed replica %s claimed epoch %d", next, epoch)
		}
		runs := waitExecuted(t, st, queued)
		for _, r := range runs {
			if strings.HasPrefix(r.ID, fmt.Sprintf("round%d-", round)) && r.Replica != next {
				t.Errorf("message %s ran on %s in epoch %d, not on the new leader %s", r.ID, r.Replica, r.Epoch, next)
			}
		}
		// Bring the killed replica back under a new name: it follows.
		name := fmt.Sprintf("r%d", 3+round)
		procs[name] = startProcess(t, addr, name)
		enqueue(fmt.Sprintf("back%d", round))
		waitExecuted(t, st, queued)
		if e, holder := epochHolder(t, st); e != epoch || holder != next {
			t.Errorf("a returning replica took the lead: epoch %d by %s, want %d by %s", e, holder, epoch, next)
		}
		leaderName = next
	}
}

// outcome is what the load's clients saw.
type outcome struct {
	mu     sync.Mutex
	acked  map[string]string // case name → assignee acknowledged ("" when only created)
	unsure map[string]bool   // cases whose last update got no answer
	codes  map[codes.Code]int
	// ackedBegun is when (unix nanos) the latest-begun acknowledged call
	// began: one begun after the etcd leader died was committed by its
	// successor, so it marks the end of the outage.
	ackedBegun atomic.Int64
	start      time.Time
	slow       []string // calls that took over 5s: when, how long, what came back
}

// Stop the etcd leader under write load through two replicas: every
// acknowledged create and assignment is there afterwards with its index
// entries and audit events, the chain verifies, writes resume within 10s,
// and no call failed with anything but UNAVAILABLE.
func TestEtcdLeaderStoppedUnderLoad(t *testing.T) {
	sc := failureScale()
	// Members in processes of their own, so the leader can be SIGKILLed.
	cluster, err := etcdlocal.Start(t.Context(), etcdlocal.Options{Processes: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	addr := cluster.URL("kill-etcd")
	token := seedStaff(t, addr)
	replicas := []*replica{startReplica(t, addr, "a", token), startReplica(t, addr, "b", token)}

	out := &outcome{acked: map[string]string{}, unsure: map[string]bool{}, codes: map[codes.Code]int{}, start: time.Now()}
	// The load runs for sc.load and at least until the last stopped member
	// is back.
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	var wg sync.WaitGroup
	var seq atomic.Int64
	for _, r := range replicas {
		client := rdv1.NewCaseServiceClient(r.conn)
		for c := range sc.clients {
			wg.Go(func() { drive(ctx, r.ctx, client, fmt.Sprintf("%s%d", r.HTTPAddr(), c), &seq, out) })
		}
	}
	// Stop the etcd leader sc.kills times, spread over the load, and bring
	// each back before the next.
	killEvery := sc.load / time.Duration(sc.kills+1)
	for k := range sc.kills {
		time.Sleep(killEvery / 2)
		lead := cluster.Leader()
		if lead < 0 {
			t.Fatal("the cluster has no leader")
		}
		stopped := time.Now()
		cluster.Stop(lead) // returns once the member's process is gone
		dead := time.Now()
		// Writes resume on the two members left: a call begun after the
		// leader died is acknowledged. The outage counts from before the
		// kill, so it is never understated.
		for out.ackedBegun.Load() <= dead.UnixNano() {
			if time.Since(stopped) > 10*time.Second {
				t.Fatalf("kill %d: no write begun after etcd leader m%d died was acknowledged within 10s", k+1, lead+1)
			}
			time.Sleep(5 * time.Millisecond)
		}
		resumed := time.Since(stopped)
		t.Logf("kill %d at %s: stopped etcd leader m%d; writes acknowledged again after %s", k+1, stopped.Sub(out.start).Round(time.Millisecond), lead+1, resumed.Round(time.Millisecond))
		time.Sleep(killEvery / 2)
		restart := time.Now()
		if err := cluster.Restart(t.Context(), lead); err != nil {
			t.Fatal(err)
		}
		t.Logf("restarted m%d at %s in %s", lead+1, restart.Sub(out.start).Round(time.Millisecond), time.Since(restart).Round(time.Millisecond))
	}
	if rest := sc.load - time.Since(out.start); rest > 0 {
		time.Sleep(rest)
	}
	stop()
	wg.Wait()

	out.mu.Lock()
	defer out.mu.Unlock()
	for _, s := range out.slow {
		t.Log("slow call:", s)
	}
	t.Logf("%d cases acknowledged; answers by code: %v; %d cases with an unanswered last write", len(out.acked), out.codes, len(out.unsure))
	for code, n := range out.codes {
		if code != codes.OK && code != codes.Unavailable {
			t.Errorf("%d calls failed with %s: only UNAVAILABLE is acceptable while etcd elects a leader", n, code)
		}
	}
	if len(out.acked) == 0 {
		t.Fatal("no case was acknowledged")
	}
	// Every acknowledged case is checked on a bbolt copy of the etcd store
	// that store copy has verified key for key (SHA-256 over every bucket):
	// a check through single etcd reads takes a round trip a key. A sample
	// is also read back through replica B's gRPC door, on etcd itself.
	names := slices.Sorted(maps.Keys(out.acked))
	cases := rdv1.NewCaseServiceClient(replicas[1].conn)
	for i := 0; i < len(names); i += max(len(names)/100, 1) {
		c, err := cases.GetCase(replicas[1].ctx, &rdv1.GetCaseRequest{Name: names[i]})
		if err != nil {
			t.Errorf("acknowledged case %s on etcd: %v", names[i], err)
		} else if want := out.acked[names[i]]; !out.unsure[names[i]] && c.GetAssignee() != want {
			t.Errorf("acknowledged case %s on etcd: assignee %q, want %q", names[i], c.GetAssignee(), want)
		}
	}
	st := verifiedCopy(t, addr)
	err = st.View(t.Context(), func(tx store.ReadTx) error {
		for _, name := range names {
			assignee := out.acked[name]
			id := strings.TrimPrefix(name, "cases/")
			c, err := store.GetCase(tx, id)
			if err != nil {
				t.Errorf("acknowledged case %s: %v", id, err)
				continue
			}
			if !out.unsure[name] && c.Assignee != assignee {
				t.Errorf("case %s: assignee %q, want the acknowledged %q", id, c.Assignee, assignee)
			}
			if err := store.CaseIndexesConsistent(tx, c); err != nil {
				t.Error(err)
			}
			events, _, err := store.CaseEvents(tx, id)
			if err != nil {
				t.Errorf("case %s: audit events: %v", id, err)
				continue
			}
			if !slices.ContainsFunc(events, func(e audit.Event) bool { return e.Action == "case.created" }) {
				t.Errorf("acknowledged case %s has no case.created audit event among %d", id, len(events))
			}
			if assignee != "" && !slices.ContainsFunc(events, func(e audit.Event) bool {
				return e.Action == "case.assigned" && e.After["assignee"] == assignee
			}) {
				t.Errorf("case %s: the acknowledged assignment to %s has no case.assigned audit event", id, assignee)
			}
		}
		report, err := store.CheckConsistency(tx)
		if err != nil {
			return err
		}
		for _, p := range report.Problems {
			t.Errorf("consistency: %v", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	chain, err := casework.VerifyChain(t.Context(), st)
	if err != nil {
		t.Fatalf("audit chain: %v", err)
	}
	live := openURL(t, addr)
	defer live.Close()
	began := time.Now()
	onEtcd, err := casework.VerifyChain(t.Context(), live)
	if err != nil || onEtcd.Events != chain.Events || !bytes.Equal(onEtcd.Head, chain.Head) {
		t.Fatalf("audit chain on etcd: %d events, head %x (%v); on the copy %d, %x", onEtcd.Events, onEtcd.Head, err, chain.Events, chain.Head)
	}
	t.Logf("audit chain verified on etcd (in %s) and on the copy: %d events, head %x", time.Since(began).Round(time.Millisecond), chain.Events, chain.Head)
}

// verifiedCopy copies the store at addr into a bbolt database, verifies
// the copy against the source's summary, and opens it.
func verifiedCopy(t *testing.T, addr string) *store.Store {
	t.Helper()
	where, err := app.ParseStore(addr, "")
	if err != nil {
		t.Fatal(err)
	}
	src, err := app.OpenBackend(t.Context(), where, app.OpenOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dir := t.TempDir()
	dst, err := bolt.Open(dir, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := storecopy.Copy(t.Context(), src, dst, nil)
	if err == nil {
		_, err = storecopy.Verify(t.Context(), sum, dst)
	}
	if err = errors.Join(err, dst.Close()); err != nil {
		t.Fatal(err)
	}
	return openURL(t, "bolt://"+dir)
}

// drive creates cases and assigns each once, recording what was
// acknowledged, until ctx ends.
func drive(ctx, callCtx context.Context, client rdv1.CaseServiceClient, who string, seq *atomic.Int64, out *outcome) {
	call := func() (context.Context, context.CancelFunc) {
		c, cancel := context.WithTimeout(callCtx, 20*time.Second)
		return c, cancel
	}
	var began time.Time
	record := func(err error) bool {
		code := status.Code(err)
		out.mu.Lock()
		out.codes[code]++
		if took := time.Since(began); took > 5*time.Second && len(out.slow) < 20 {
			out.slow = append(out.slow, fmt.Sprintf("began at %s, took %s: %s", began.Sub(out.start).Round(time.Millisecond), took.Round(time.Millisecond), code))
		}
		out.mu.Unlock()
		if err == nil {
			for b := began.UnixNano(); ; {
				prev := out.ackedBegun.Load()
				if b <= prev || out.ackedBegun.CompareAndSwap(prev, b) {
					break
				}
			}
		}
		return err == nil
	}
	for ctx.Err() == nil {
		n := seq.Add(1)
		began = time.Now()
		c, cancel := call()
		created, err := client.CreateCase(c, &rdv1.CreateCaseRequest{RequestId: "load-" + strconv.FormatInt(n, 10), Case: &rdv1.Case{
			Notices: []*rdv1.CaseNotice{{Notice: "notices/it-service-desk"}}, ReceivedOn: time.Now().Format(time.DateOnly),
			Rights:    []*rdv1.RequestedRight{{Right: rdv1.Right_RIGHT_ERASURE}},
			Requester: &rdv1.Requester{Person: &rdv1.Person{Name: "Load " + who, Email: "load@example.org"}, Relationship: rdv1.Relationship_RELATIONSHIP_SELF},
		}})
		cancel()
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			return
		}
		if !record(err) {
			continue
		}
		out.mu.Lock()
		out.acked[created.GetName()] = ""
		out.mu.Unlock()
		assignee := "user" + strconv.FormatInt(n%7, 10)
		began = time.Now()
		c, cancel = call()
		_, err = client.AssignCase(c, &rdv1.AssignCaseRequest{Name: created.GetName(), Assignee: assignee})
		cancel()
		ok := record(err)
		out.mu.Lock()
		if ok {
			out.acked[created.GetName()] = assignee
		} else {
			out.unsure[created.GetName()] = true
		}
		out.mu.Unlock()
	}
}
