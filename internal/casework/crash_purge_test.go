package casework_test

import (
	"bufio"
	"bytes"
	"context"
	crand "crypto/rand"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/blob"
	"github.com/rightsdesk/rightsdesk/internal/blob/fsblob"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/testkeys"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// The purge crash test's child is told where its store is; its documents
// are in purgeDocs beside the database.
const (
	purgeCrashDirEnv    = "RIGHTSDESK_PURGE_CRASH_DIR"
	purgeCrashRoundsEnv = "RIGHTSDESK_PURGE_CRASH_ROUNDS"
	purgeDocs           = "docs"
)

// purgeCrashCases are the closed cases, past retention, each round's child
// purges: each with a document, a note, a reply and a queued letter.
const purgeCrashCases = 24

// purgeSchedule keeps a fulfilled case 24 months; the child's clock is
// 25 months after the cases closed (as retentionFixture.pastRetention).
const purgeSchedule = "fulfilled=24m"

var pastRetention = today.Add(25 * 31 * 24 * time.Hour)

// The child's protocol on stdout: "ack begin ." as the run starts (the
// parent's kill timer starts there), "commit <cases purged>" after each
// transaction the run commits, and "done <nanoseconds since begin>" if it finishes before
// the kill, which it then waits for.
const (
	purgeBegin  = crashAck + " begin ."
	purgeCommit = "commit"
	purgeDone   = "done"
)

// purgeService is the service the purge crash test works through: a
// clock it sets, documents in the blob store beside the database, letters
// queued to the outbox (never sent) and the test's retention schedule.
func purgeService(t testing.TB, dir string, clk clock.Clock) (*casework.Service, *store.Store, blob.Store) {
	t.Helper()
	_, st := caseworktest.New(t, dir, today) // the store, with the catalogue
	docs, err := fsblob.Open(filepath.Join(dir, purgeDocs), 0)
	if err != nil {
		t.Fatal(err)
	}
	sch, err := cases.ParseSchedule(purgeSchedule)
	if err != nil {
		t.Fatal(err)
	}
	w := casework.New(st, deadline.NewEngine(deadline.BuiltinCalendars()), clk, crand.Reader,
		casework.WithDocuments(docs), casework.RetentionSchedule(sch), casework.SendLetters(caseworktest.Letters(t)))
	return w, st, docs
}

// committing is the store as RunRetention's transactor: once each of its
// writes has committed it prints how many cases are purged, so the parent
// knows what the run had made durable before the kill.
type committing struct {
	*store.Store
	out *bufio.Writer
}

func (c committing) Update(ctx context.Context, fn func(store.WriteTx) error) error {
	if err := c.Store.Update(ctx, fn); err != nil {
		return err
	}
	purged := 0
	err := c.View(ctx, func(tx store.ReadTx) error {
		return tx.Scan(store.BucketCases, nil, func(k, v []byte) (bool, error) {
			got, err := store.DecodeCase(tx, string(k), v)
			if err == nil && got.Purged != nil {
				purged++
			}
			return err == nil, err
		})
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(c.out, purgeCommit, purged)
	return c.out.Flush()
}

// TestPurgeCrashChild is the entry point of the purge crash test's child
// process and does nothing in an ordinary run (see TestCrashChild): on a
// clock past retention it runs the daily retention run, which purges
// every case the parent made, until killed. Any error is a fault: it exits
// with status 3.
func TestPurgeCrashChild(t *testing.T) {
	dir := os.Getenv(purgeCrashDirEnv)
	if dir == "" {
		return
	}
	w, st, _ := purgeService(t, dir, clock.Fixed(pastRetention))
	out := bufio.NewWriter(os.Stdout)
	fmt.Fprintln(out, purgeBegin)
	if err := out.Flush(); err != nil {
		os.Exit(4)
	}
	began := time.Now()
	run, err := w.RunRetention(ctx, committing{Store: st, out: out}, casework.RetentionOptions{Log: quietLog})
	if err != nil || run.Purged != purgeCrashCases {
		fmt.Fprintf(os.Stderr, "purge crash child: run %+v: %v\n", run, err)
		os.Exit(3)
	}
	fmt.Fprintln(out, purgeDone, time.Since(began).Nanoseconds())
	if err := out.Flush(); err != nil {
		os.Exit(4)
	}
	time.Sleep(time.Hour) // the parent's SIGKILL ends it, as every child
}

// purgeFacts is what the parent compares of a case before and after a
// crash: what a purge removes, counted.
type purgeFacts struct {
	Version  int64
	Purged   bool
	Email    string
	Notes    int
	DataKey  bool
	Events   int // audit events
	Bodies   int // message bodies
	Outbox   int // queued letters
	Payloads int // audit payloads
	Files    int // documents in the blob store
	Pending  bool
}

// readPurgeFacts reads every case's facts from the store and the blob
// store.
func readPurgeFacts(t *testing.T, st *store.Store, docs blob.Store) map[string]purgeFacts {
	t.Helper()
	facts := map[string]purgeFacts{}
	err := st.View(ctx, func(tx store.ReadTx) error {
		outbox, err := store.OutboxEntries(tx)
		if err != nil {
			return err
		}
		err = tx.Scan(store.BucketCases, nil, func(k, v []byte) (bool, error) {
			c, err := store.DecodeCase(tx, string(k), v)
			if err != nil {
				return false, fmt.Errorf("case %s cannot be read: %w", k, err)
			}
			f := purgeFacts{Version: c.Version, Purged: c.Purged != nil, Email: c.Requester.Person.Email, Notes: len(c.Notes),
				DataKey: tx.Get(store.BucketCaseKeys, k) != nil, Pending: tx.Get(store.BucketPurgedFiles, k) != nil}
			f.Events = countPrefix(tx, store.BucketCaseEvents, c.ID+"/", nil)
			f.Bodies = countPrefix(tx, store.BucketMessageBodies, c.ID+"/", nil)
			f.Payloads = countPrefix(tx, store.BucketCaseEvents, c.ID+"/", func(seq []byte) bool { return tx.Get(store.BucketAuditPayload, seq) != nil })
			for _, e := range outbox {
				if e.CaseID == c.ID {
					f.Outbox++
				}
			}
			facts[c.ID] = f
			return true, nil
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for id, f := range facts {
		err := docs.List(ctx, strings.ToLower(id)+"/", func(blob.Info) error { f.Files++; return nil })
		if err != nil {
			t.Fatal(err)
		}
		facts[id] = f
	}
	return facts
}

// countPrefix counts b's keys under prefix, only those whose rest passes
// keep when it is given.
func countPrefix(tx store.ReadTx, b store.Bucket, prefix string, keep func(rest []byte) bool) (n int) {
	_ = tx.Scan(b, []byte(prefix), func(k, _ []byte) (bool, error) {
		if !bytes.HasPrefix(k, []byte(prefix)) {
			return false, nil
		}
		if keep == nil || keep(k[len(prefix):]) {
			n++
		}
		return true, nil
	})
	return n
}

// makePurgeable makes purgeCrashCases cases as the public pages and staff
// would, each with a requester's reply carrying a document, a note and a
// queued acknowledgement, and closes them; it returns their facts.
func makePurgeable(t *testing.T, dir string) map[string]purgeFacts {
	t.Helper()
	w, st, docs := purgeService(t, dir, clock.Fixed(today))
	for i := range purgeCrashCases {
		// Erasure, whose close needs only the action taken stated, not a
		// released response pack (cases.ClosureProblems).
		r := request(notice.RightErasure, "")
		r.Channel = cases.ChannelWeb
		r.Requester.Person = cases.Person{Name: fmt.Sprintf("Purgeable %d", i), Email: fmt.Sprintf("purgeable%d@example.org", i)}
		res, err := w.Create(ctx, "web:public", r)
		if err != nil {
			t.Fatal(err)
		}
		id := res.Case.ID
		if _, err := w.Apply(ctx, "token:test", id, "", cases.RequestFromRequester{What: cases.WaitingForIdentity, On: "2026-02-23"}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Reply(ctx, res.Case.Reference, res.StatusToken, "My passport.", []usecase.Upload{upload("passport.pdf", pdf)}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Apply(ctx, "user:sam", id, "", cases.AddNote{Text: fmt.Sprintf("Rang purgeable %d", i)}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Apply(ctx, "user:sam", id, "", cases.Close{Outcome: cases.OutcomeFulfilled, Detail: "Erased from the payroll system.", ActionTaken: "Erased from the payroll system."}); err != nil {
			t.Fatal(err)
		}
	}
	facts := readPurgeFacts(t, st, docs)
	for id, f := range facts {
		if f.Purged || !f.DataKey || f.Bodies == 0 || f.Outbox == 0 || f.Payloads == 0 || f.Files != 1 || f.Notes != 1 || f.Email == "" {
			t.Fatalf("case %s before the purge lacks something the purge must remove: %+v", id, f)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return facts
}

// TestCrashInAPurgeLeavesEachCaseWholeOrPurged SIGKILLs the daily
// retention run at a random moment, purgeCrashRounds times, each over a
// fresh store of closed cases past retention. After each kill every case
// must be untouched (its record, key, letters, audit events and payloads
// and document as before) or fully purged (a tombstone one version and
// one audit event on; no key, letters or audit payloads; its document gone
// or its removal recorded as pending); the indexes must agree with the
// records and the chain verify. Then the next day's run, the documented sweep, must
// finish the job: every case purged, no document left, nothing pending.
func TestCrashInAPurgeLeavesEachCaseWholeOrPurged(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	// window is how long a whole run takes, learned from runs that
	// finished before their kill; kills are spread over it.
	window := 200 * time.Millisecond
	var before, midway, after int
	for round := range roundsFrom(purgeCrashRoundsEnv, 3) {
		dir := t.TempDir()
		made := makePurgeable(t, dir)
		env := []string{purgeCrashDirEnv + "=" + dir, testkeys.Env(t, dir)}
		lines := runAndKill(t, "TestPurgeCrashChild", env, time.Duration(r.Int64N(int64(window))))
		if took, finished := purgeRunTook(lines); finished {
			window = took
		}
		purged := checkAfterPurgeCrash(t, dir, made, round)
		if reported := purgedAsReported(lines); purged < reported {
			t.Fatalf("round %d: the child saw %d cases purged after a commit, but only %d are: a committed purge was lost", round, reported, purged)
		}
		switch purged {
		case 0:
			before++
		case len(made):
			after++
		default:
			midway++
		}
	}
	t.Logf("killed before the first purge committed in %d rounds, midway in %d, after the last in %d (kills spread over %v)",
		before, midway, after, window.Round(time.Millisecond))
}

// purgedAsReported is the most cases a child saw purged after a commit.
func purgedAsReported(lines []string) (most int) {
	for _, line := range lines {
		if rest, ok := strings.CutPrefix(line, purgeCommit+" "); ok {
			if n, err := strconv.Atoi(rest); err == nil {
				most = max(most, n)
			}
		}
	}
	return most
}

// purgeRunTook reads a child's lines for how long its run took, if it
// finished.
func purgeRunTook(lines []string) (time.Duration, bool) {
	for _, line := range lines {
		if rest, ok := strings.CutPrefix(line, purgeDone+" "); ok {
			if ns, err := strconv.ParseInt(rest, 10, 64); err == nil {
				return time.Duration(ns), true
			}
		}
	}
	return 0, false
}

// checkAfterPurgeCrash checks the store a killed purge left (see
// TestCrashInAPurgeLeavesEachCaseWholeOrPurged) and returns how many cases
// the child had purged.
func checkAfterPurgeCrash(t *testing.T, dir string, made map[string]purgeFacts, round int) (purged int) {
	t.Helper()
	w, st, docs := purgeService(t, dir, clock.Fixed(pastRetention.Add(24*time.Hour)))
	checkStoreWhole(t, st, round)
	for id, f := range readPurgeFacts(t, st, docs) {
		was, ok := made[id]
		switch {
		case !ok:
			t.Fatalf("round %d: case %s appeared during the purge", round, id)
		case f == was:
		case f.Purged && f.Version == was.Version+1 && f.Events == was.Events+1 && f.Email == "" && f.Notes == 0 && !f.DataKey &&
			f.Bodies == 0 && f.Outbox == 0 && f.Payloads == 0 && (f.Files == 0 || f.Pending):
			purged++
		default:
			t.Fatalf("round %d: case %s is neither untouched nor fully purged after the kill:\n  before %+v\n  after  %+v", round, id, was, f)
		}
	}
	// The next day's run is the documented sweep: it purges the rest and
	// removes every document a purge left behind.
	if _, err := w.RunRetention(ctx, st, casework.RetentionOptions{Log: quietLog}); err != nil {
		t.Fatalf("round %d: the run after the crash: %v", round, err)
	}
	for id, f := range readPurgeFacts(t, st, docs) {
		if !f.Purged || f.Files != 0 || f.Pending || f.DataKey {
			t.Fatalf("round %d: after the next day's run, case %s is %+v, want purged with no document left", round, id, f)
		}
	}
	checkStoreWhole(t, st, round)
	return purged
}
