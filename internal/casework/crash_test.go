package casework_test

import (
	"bufio"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/testkeys"
)

// The crash test's child is told where its store is and which cases, made
// by earlier lives, it goes on changing.
const (
	crashDirEnv   = "RIGHTSDESK_CRASH_CHILD_DIR"
	crashCasesEnv = "RIGHTSDESK_CRASH_CHILD_CASES"
)

// crashWriters is how many goroutines of the child write at once; each
// changes only the cases it made or was handed, so its etags are never
// stale and every refusal is a fault.
const crashWriters = 8

// crashCarried bounds the cases of earlier lives a child is handed.
const crashCarried = 64

// The child's protocol on stdout, one line a write. "try" is printed
// before an update is sent, so that the parent can account for an update
// that committed but was killed before its acknowledgement; "ack" once the
// use case has returned, which is when a client would count the write as
// done. A line is only whole with its closing ".", so a line cut short is
// never read as an acknowledgement.
//
//	try <case id> <version before> <action>
//	ack <case id> <version after> <summary> .
const (
	crashTry = "try"
	crashAck = "ack"
)

// crashSummary is what the parent compares of an acknowledged case: each
// field some command of the child's mix changes.
func crashSummary(c *cases.Case) string {
	assignee := c.Assignee
	if assignee == "" {
		assignee = "-"
	}
	// The description's checksum keeps the summary one word.
	return fmt.Sprintf("state=%s;waiting=%s;assignee=%s;identity=%s;notes=%d;clarifications=%d;extended=%t;description=%08x",
		c.State, c.WaitingFor, assignee, c.IdentityStatus, len(c.Notes), len(c.Clarifications), c.Extension != nil, crc32.ChecksumIEEE([]byte(c.Description)))
}

// TestCrashChild is not a test on its own but the entry point of the crash
// test's child process: the crash test runs the test binary again with
// crashDirEnv set, and this function then creates and changes cases from
// crashWriters goroutines until killed (see crashTry and crashAck). In an
// ordinary run it does nothing (rather than skip, so that make test's list
// of skipped checks names only real gaps). Any error is a fault: the child
// exits with status 3, which the parent reports, since it must die of the
// kill alone.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		return
	}
	w, _ := newService(t, dir)
	var carried []string
	if list := os.Getenv(crashCasesEnv); list != "" {
		carried = strings.Split(list, ",")
	}
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	report := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(out, format+"\n", args...)
		if err := out.Flush(); err != nil {
			os.Exit(4)
		}
	}
	fail := func(what string, err error) {
		fmt.Fprintf(os.Stderr, "crash child: %s: %v\n", what, err)
		os.Exit(3)
	}
	var wg sync.WaitGroup
	for writer := range crashWriters {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(writer)))
			var mine []*cases.Case
			for i := writer; i < len(carried); i += crashWriters {
				c, err := w.Get(ctx, carried[i])
				if err != nil {
					fail("reading a carried case", err)
				}
				mine = append(mine, c)
			}
			for n := 0; ; n++ {
				if len(mine) == 0 || r.IntN(8) == 0 { // one write in eight a create, so the store the checks read grows slowly
					right := notice.RightAccess
					if n%2 == 1 {
						right = notice.RightErasure
					}
					res, err := w.Create(ctx, "token:crash", request(right, ""))
					if err != nil {
						fail("create", err)
					}
					report("%s %s %d %s .", crashAck, res.Case.ID, res.Case.Version, crashSummary(res.Case))
					mine = append(mine, res.Case)
					continue
				}
				i := r.IntN(len(mine))
				c := mine[i]
				cmd := crashCommand(r, c, n)
				report("%s %s %d %s", crashTry, c.ID, c.Version, cmd.Action())
				updated, err := w.Apply(ctx, "token:crash", c.ID, c.Etag(), cmd)
				if err != nil {
					fail(cmd.Action(), err)
				}
				report("%s %s %d %s .", crashAck, updated.ID, updated.Version, crashSummary(updated))
				mine[i] = updated
			}
		})
	}
	wg.Wait()
}

// crashCommand picks, at random, a command the case allows as it stands:
// assignment, notes, a new description (an update with a field mask),
// identity, requests to the requester and their answers, extension, close
// and reopen, so that every index a command moves a case in is exercised.
func crashCommand(r *rand.Rand, c *cases.Case, n int) cases.Command {
	var choices []cases.Command
	if c.Open() {
		assignee := []string{"", "caseworker-a", "caseworker-b"}[r.IntN(3)]
		choices = append(choices,
			cases.Assign{Assignee: assignee},
			cases.Update{Paths: []string{"description"}, From: cases.Case{Description: fmt.Sprintf("Described again, change %d.", n)}},
			cases.Close{Outcome: cases.OutcomeRefused, RefusalReason: "other", Detail: "Closed by the crash test."},
		)
		if len(c.Notes) < cases.MaxNotes {
			choices = append(choices, cases.AddNote{Text: fmt.Sprintf("Note %d.", n)})
		}
	}
	working := c.State == cases.StateNew || c.State == cases.StateInProgress
	if working && c.IdentityStatus != cases.IdentityVerified {
		choices = append(choices, cases.ConfirmIdentity{})
	}
	// The clock stands still on today, and two pauses of the clock may not
	// share a day, so each case asks the requester once.
	if working && len(c.Exchanges) == 0 {
		what := []cases.WaitingFor{cases.WaitingForClarification, cases.WaitingForIdentity}[r.IntN(2)]
		choices = append(choices, cases.RequestFromRequester{What: what, Detail: "Which system?"})
	}
	if working && c.Extension == nil {
		choices = append(choices, cases.Extend{Reason: "The request is complex.", Months: 1})
	}
	switch c.State {
	case cases.StateAwaitingRequester:
		choices = append(choices, cases.RecordResponse{Detail: "The payroll system."})
	case cases.StateClosed:
		choices = append(choices, cases.Reopen{Reason: "Reopened by the crash test."})
	}
	return choices[r.IntN(len(choices))]
}

// crashRounds is 5 in `make test` and set by make crashtest.
func crashRounds() int { return roundsFrom("RIGHTSDESK_CRASH_ROUNDS", 5) }

// roundsFrom is a crash test's rounds: the positive number in the
// environment variable env (make crashtest sets it), or def.
func roundsFrom(env string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(env)); err == nil && n > 0 {
		return n
	}
	return def
}

// crashModel is what the parent knows of each case from the child's lines:
// its last acknowledged version and summary, and the update sent after it,
// if any, which may have committed unacknowledged.
type crashModel struct {
	acked   map[string]crashAcked
	pending map[string]crashTried
	order   []string       // case ids, oldest first
	actions map[string]int // acknowledged updates by action, for the log
}

type crashAcked struct {
	version int64
	summary string
}

type crashTried struct {
	base   int64
	action string
}

func newCrashModel() *crashModel {
	return &crashModel{acked: map[string]crashAcked{}, pending: map[string]crashTried{}, actions: map[string]int{}}
}

// read takes one life's lines; a line that is not whole is ignored.
func (m *crashModel) read(lines []string) (acks int) {
	for _, line := range lines {
		f := strings.Fields(line)
		if len(f) < 4 {
			continue
		}
		version, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			continue
		}
		id := f[1]
		switch {
		case f[0] == crashTry && len(f) == 4:
			m.pending[id] = crashTried{base: version, action: f[3]}
		case f[0] == crashAck && len(f) == 5 && f[4] == ".":
			if _, known := m.acked[id]; !known {
				m.order = append(m.order, id)
			}
			if tried, sent := m.pending[id]; sent {
				m.actions[tried.action]++
			}
			m.acked[id] = crashAcked{version: version, summary: f[3]}
			delete(m.pending, id)
			acks++
		}
	}
	return acks
}

// carried is the most recent cases, for the next life to go on changing.
func (m *crashModel) carried() string {
	return strings.Join(m.order[max(0, len(m.order)-crashCarried):], ",")
}

func TestCrashLosesNoAcknowledgedWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	dir := t.TempDir()
	model := newCrashModel()
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))
	acks, adopted := 0, 0
	var running, checking time.Duration
	for round := range crashRounds() {
		env := []string{crashDirEnv + "=" + dir, crashCasesEnv + "=" + model.carried(), testkeys.Env(t, dir)}
		started := time.Now()
		lines := runAndKill(t, "TestCrashChild", env, time.Duration(50+r.IntN(400))*time.Millisecond)
		acks += model.read(lines)
		killed := time.Now()
		adopted += checkAfterCrash(t, dir, model, round)
		running, checking = running+killed.Sub(started), checking+time.Since(killed)
	}
	t.Logf("children ran for %v in all, checks took %v", running.Round(time.Millisecond), checking.Round(time.Millisecond))
	if acks == 0 {
		t.Fatal("no write was acknowledged in any round: the child never got going")
	}
	t.Logf("%d rounds, %d acknowledged writes to %d cases, none lost; %d updates committed unacknowledged, each whole; updates acknowledged by action: %v",
		crashRounds(), acks, len(model.acked), adopted, model.actions)
}

// runAndKill starts the test binary again running only the test named
// child, with env added to its environment; lets it run for after from its
// first acknowledgement (a child that acknowledges nothing is given 30
// seconds); SIGKILLs it and returns the lines it printed, those read after
// the kill included, since a line printed before it was acknowledged. The
// test fails unless the child died of that SIGKILL: a child that panicked
// or exited first is a fault, not a crash.
func runAndKill(t *testing.T, child string, env []string, after time.Duration) []string {
	t.Helper()
	lines, state := runChild(t, child, env, 30*time.Second, after)
	if ws, ok := state.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the crash child did not die of the SIGKILL: %v (its stderr is above)", state)
	}
	return lines
}

// runToEnd runs child as runAndKill does but lets it finish, within
// limit, and fails the test unless it exits 0.
func runToEnd(t *testing.T, child string, env []string, limit time.Duration) []string {
	t.Helper()
	lines, state := runChild(t, child, env, limit, limit)
	if !state.Success() {
		t.Fatalf("the child %s did not finish cleanly within %v: %v", child, limit, state)
	}
	return lines
}

// runChild runs child, killing it after from its first acknowledgement, or
// startWithin from its start if it acknowledges nothing by then.
func runChild(t *testing.T, child string, env []string, startWithin, after time.Duration) ([]string, *os.ProcessState) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+child+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lineCh := make(chan string)
	go func() {
		defer close(lineCh)
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			lineCh <- scanner.Text()
		}
	}()
	var lines []string
	started := false
	timer := time.NewTimer(startWithin)
	defer timer.Stop()
	for {
		select {
		case line, ok := <-lineCh:
			if !ok {
				return lines, wait(t, cmd)
			}
			lines = append(lines, line)
			if !started && strings.HasPrefix(line, crashAck+" ") {
				started = true
				timer.Reset(after)
			}
		case <-timer.C:
			_ = cmd.Process.Signal(syscall.SIGKILL)
			for line := range lineCh {
				lines = append(lines, line)
			}
			return lines, wait(t, cmd)
		}
	}
}

// wait reaps the child; its state says how it ended, and an error
// other than the exit itself means it was never reaped.
func wait(t *testing.T, cmd *exec.Cmd) *os.ProcessState {
	t.Helper()
	if err := cmd.Wait(); err != nil {
		if exit := (*exec.ExitError)(nil); !errors.As(err, &exit) {
			t.Fatalf("waiting for the child: %v", err)
		}
	}
	return cmd.ProcessState
}

// checkAfterCrash opens the store a killed child left and checks it whole
// (checkStoreWhole: no index entry is stale), that no update is
// half-applied (everyVersionHasItsEvents), and that every acknowledged
// write is there, as acknowledged or
// followed by the one update sent after it (whose audit event says so). It
// returns how many updates had committed unacknowledged, adopting them
// into the model.
func checkAfterCrash(t *testing.T, dir string, model *crashModel, round int) (adopted int) {
	t.Helper()
	st := caseworktest.OpenStore(t, dir) // the store alone: the checks write nothing
	defer st.Close()
	checkStoreWhole(t, st, round)
	err := st.View(ctx, func(tx store.ReadTx) error {
		if err := everyVersionHasItsEvents(tx); err != nil {
			return err
		}
		for _, id := range model.order {
			n, err := checkAcknowledged(tx, model, id)
			if err != nil {
				return err
			}
			adopted += n
		}
		return nil
	})
	if err != nil {
		t.Fatalf("round %d: %v", round, err)
	}
	return adopted
}

// checkStoreWhole runs the checks every crash test makes of the store a
// killed child left: bbolt's own check; every index entry is one some
// record implies, and every record has its entries (store.CheckConsistency,
// over every case); and the audit chain verifies.
func checkStoreWhole(t *testing.T, st *store.Store, round int) {
	t.Helper()
	if err := st.Backend().(*bolt.Backend).Check(); err != nil {
		t.Fatalf("round %d: bbolt consistency check after SIGKILL: %v", round, err)
	}
	err := st.View(ctx, func(tx store.ReadTx) error {
		found, err := store.CheckConsistency(tx)
		if err != nil {
			return err
		}
		if !found.OK() {
			shown := found.Problems[:min(5, len(found.Problems))]
			return fmt.Errorf("the indexes disagree with the records in %d places, first %q", len(found.Problems)+found.Omitted, shown)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("round %d: %v", round, err)
	}
	if _, err := casework.VerifyChain(ctx, st); err != nil {
		t.Fatalf("round %d: audit chain after a crash: %v", round, err)
	}
}

// everyVersionHasItsEvents checks each stored case, acknowledged or not:
// a create writes version 1 and "case.created", and each command one
// version more and one event, in the same transaction. It reads the chain
// once rather than each case's events, which would decode them all again.
func everyVersionHasItsEvents(tx store.ReadTx) error {
	type trail struct {
		events int64
		first  string
	}
	trails := map[string]*trail{}
	err := store.EachEvent(tx, func(e *audit.Event, _ *audit.Payload) error {
		t := trails[e.CaseID]
		if t == nil {
			t = &trail{first: e.Action}
			trails[e.CaseID] = t
		}
		t.events++
		return nil
	})
	if err != nil {
		return err
	}
	return tx.Scan(store.BucketCases, nil, func(k, v []byte) (bool, error) {
		c, err := store.DecodeCase(tx, string(k), v)
		if err != nil {
			return false, fmt.Errorf("case %s cannot be read: %w", k, err)
		}
		t := trails[c.ID]
		if t == nil || t.first != "case.created" {
			return false, fmt.Errorf("case %s has no creation event", c.ID)
		}
		if t.events != c.Version {
			return false, fmt.Errorf("case %s is at version %d with %d audit events: a write was half-applied", c.ID, c.Version, t.events)
		}
		return true, nil
	})
}

// checkAcknowledged compares case id with its last acknowledgement.
func checkAcknowledged(tx store.ReadTx, model *crashModel, id string) (adopted int, err error) {
	want := model.acked[id]
	c, err := store.GetCase(tx, id)
	if err != nil {
		return 0, fmt.Errorf("acknowledged case %s lost: %w", id, err)
	}
	switch tried, sent := model.pending[id]; {
	case c.Version == want.version:
		if got := crashSummary(c); got != want.summary {
			return 0, fmt.Errorf("case %s at its acknowledged version %d is %s, acknowledged as %s", id, c.Version, got, want.summary)
		}
	case sent && tried.base == want.version && c.Version == want.version+1:
		events, _, err := store.CaseEvents(tx, id)
		if err != nil {
			return 0, err
		}
		if last := events[len(events)-1].Action; last != tried.action {
			return 0, fmt.Errorf("case %s went past its acknowledged version %d by %s, but the update sent was %s", id, want.version, last, tried.action)
		}
		model.acked[id] = crashAcked{version: c.Version, summary: crashSummary(c)}
		adopted = 1
	case c.Version < want.version:
		return 0, fmt.Errorf("case %s is at version %d, but version %d was acknowledged: an acknowledged update was lost", id, c.Version, want.version)
	default:
		return 0, fmt.Errorf("case %s is at version %d; %d was acknowledged and no more than one update was sent after it", id, c.Version, want.version)
	}
	delete(model.pending, id)
	return adopted, nil
}
