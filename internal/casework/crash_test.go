package casework_test

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/testkeys"
)

// crashDirEnv tells a re-executed test binary to act as the crash child.
const crashDirEnv = "RIGHTSDESK_CRASH_CHILD_DIR"

// TestCrashChild is not a test on its own but the entry point of the crash
// test's child process: the crash test runs the test binary again with
// crashDirEnv set, and this function then creates cases from 8 goroutines
// until killed, printing each id once Create returns. In an ordinary run it
// does nothing (rather than skip, so that make test's list of skipped
// checks names only real gaps).
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		return
	}
	w, _ := newService(t, dir)
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				res, err := w.Create(ctx, "token:crash", request(notice.RightErasure, ""))
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(3)
				}
				mu.Lock()
				fmt.Fprintf(out, "ack %s\n", res.Case.ID)
				_ = out.Flush()
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}

// crashRounds is 5 in `make test` and 50 in `make crashtest`.
func crashRounds() int {
	if n, err := strconv.Atoi(os.Getenv("RIGHTSDESK_CRASH_ROUNDS")); err == nil && n > 0 {
		return n
	}
	return 5
}

func TestCrashLosesNoAcknowledgedCase(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	dir := t.TempDir()
	var acked []string
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))
	for round := range crashRounds() {
		ids := runAndKill(t, "TestCrashChild", []string{crashDirEnv + "=" + dir, testkeys.Env(t, dir)}, time.Duration(50+r.IntN(400))*time.Millisecond)
		acked = append(acked, ids...)
		checkAfterCrash(t, dir, acked, round)
	}
	if len(acked) == 0 {
		t.Fatal("no case was acknowledged in any round: the child never got going")
	}
	t.Logf("%d rounds, %d acknowledged cases, none lost", crashRounds(), len(acked))
}

// runAndKill starts the test binary again running only the test named
// child, with env added to its environment; lets it run for after from its
// first acknowledgement (a child that acknowledges nothing is given 30
// seconds to finish by itself); SIGKILLs it and returns the ids it
// acknowledged ("ack ID" lines on its stdout).
func runAndKill(t *testing.T, child string, env []string, after time.Duration) []string {
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
	lines := make(chan string)
	go func() {
		defer close(lines)
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			lines <- scanner.Text()
		}
	}()
	var ids []string
	first := true
	timer := time.NewTimer(30 * time.Second) // the child must start within this
	defer timer.Stop()
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				_ = cmd.Wait()
				return ids
			}
			if id, found := strings.CutPrefix(line, "ack "); found {
				ids = append(ids, id)
				if first {
					first = false
					timer.Reset(after)
				}
			}
		case <-timer.C:
			_ = cmd.Process.Signal(syscall.SIGKILL)
			for line := range lines { // an ack printed before the kill still counts
				if id, found := strings.CutPrefix(line, "ack "); found {
					ids = append(ids, id)
				}
			}
			_ = cmd.Wait()
			return ids
		}
	}
}

func checkAfterCrash(t *testing.T, dir string, acked []string, round int) {
	t.Helper()
	_, st, backend := openService(t, dir)
	defer st.Close()
	if err := backend.Check(); err != nil {
		t.Fatalf("round %d: bbolt consistency check after SIGKILL: %v", round, err)
	}
	err := st.View(ctx, func(tx store.ReadTx) error {
		for _, id := range acked {
			c, err := store.GetCase(tx, id)
			if err != nil {
				return fmt.Errorf("acknowledged case lost: %w", err)
			}
			if err := store.CaseIndexesConsistent(tx, c); err != nil {
				return err
			}
			events, _, err := store.CaseEvents(tx, id)
			if err != nil || len(events) == 0 || events[0].Action != "case.created" {
				return fmt.Errorf("case %s has no creation event (%d events, %v)", id, len(events), err)
			}
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
