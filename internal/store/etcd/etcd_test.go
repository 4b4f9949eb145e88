package etcd_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/store/etcd"
	"github.com/rightsdesk/rightsdesk/internal/store/etcd/etcdlocal"
	"github.com/rightsdesk/rightsdesk/internal/store/storecopy"
	"github.com/rightsdesk/rightsdesk/internal/store/storetest"
)

// One three-member cluster serves every test of the package; each test's
// store lives under a prefix of its own.
var cluster *etcdlocal.Cluster

func TestMain(m *testing.M) {
	var err error
	// The conformance suite's migration test writes 2,500 cases in one
	// transaction: limits well above the recommended ones.
	cluster, err = etcdlocal.Start(context.Background(), etcdlocal.Options{MaxTxnOps: 16384, MaxRequestBytes: 8 << 20})
	if err != nil {
		fmt.Fprintln(os.Stderr, "start the embedded etcd cluster:", err)
		os.Exit(1)
	}
	code := m.Run()
	cluster.Close()
	os.Exit(code)
}

func config(prefix string) etcd.Config {
	ops, bytes := cluster.Limits()
	return etcd.Config{Endpoints: cluster.Endpoints(), Options: etcd.Options{Prefix: prefix, MaxTxnOps: ops, MaxRequestBytes: bytes}}
}

// prefixFor gives each of the suite's directories a key prefix of its own.
func prefixFor(dir string) string {
	return fmt.Sprintf("/rdtest/%x/", sha256.Sum256([]byte(dir)))
}

func openAt(t testing.TB, prefix string) *etcd.Backend {
	t.Helper()
	b, err := etcd.Dial(context.Background(), config(prefix))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The suite runs against a real cluster of three voting members, as
// deployed, not a single member that would never see a follower's answer.
func TestTheClusterHasThreeVotingMembers(t *testing.T) {
	b := openAt(t, "/rdtest/members/")
	defer b.Close()
	resp, err := b.Client().MemberList(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	voting := 0
	for _, m := range resp.Members {
		if !m.IsLearner && len(m.ClientURLs) > 0 {
			voting++
		}
	}
	if voting != 3 || cluster.Members() != 3 {
		t.Fatalf("%d voting members serve (of %d listed, %d started); want 3", voting, len(resp.Members), cluster.Members())
	}
}

func TestConformance(t *testing.T) {
	storetest.RunAll(t, storetest.Harness{
		Open: func(t testing.TB, dir string) store.Backend { return openAt(t, prefixFor(dir)) },
		Restore: func(t testing.TB, backup []byte, dir string) {
			// A backup is a bbolt database: restore it as one, then copy it in.
			boltDir := t.TempDir()
			if err := os.WriteFile(filepath.Join(boltDir, bolt.FileName), backup, 0o600); err != nil {
				t.Fatal(err)
			}
			src, err := bolt.Open(boltDir, bolt.Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			dst := openAt(t, prefixFor(dir))
			defer dst.Close()
			if _, err := storecopy.Copy(context.Background(), src, dst, nil); err != nil {
				t.Fatal(err)
			}
		},
	})
}

// A write over the cluster's request size fails whole, naming the limit.
func TestOverLimitWriteIsRefusedWhole(t *testing.T) {
	ctx := context.Background()
	b := openAt(t, "/rdtest/limits/")
	defer b.Close()
	_, maxBytes := cluster.Limits()
	big := make([]byte, maxBytes)
	err := b.Update(ctx, func(tx store.WriteTx) error {
		if err := tx.Put(store.BucketMeta, []byte("small"), []byte("x")); err != nil {
			return err
		}
		return tx.Put(store.BucketMeta, []byte("big"), big)
	})
	if !errors.Is(err, etcd.ErrTooLarge) || !strings.Contains(err.Error(), "--max-request-bytes") {
		t.Fatalf("an over-size write returned %v, want ErrTooLarge naming --max-request-bytes", err)
	}
	ops, _ := cluster.Limits()
	err = b.Update(ctx, func(tx store.WriteTx) error {
		for i := range ops + 1 {
			if err := tx.Put(store.BucketMeta, fmt.Appendf(nil, "many-%d", i), nil); err != nil {
				return err
			}
		}
		return nil
	})
	if !errors.Is(err, etcd.ErrTooLarge) || !strings.Contains(err.Error(), "--max-txn-ops") {
		t.Fatalf("a write of too many keys returned %v, want ErrTooLarge naming --max-txn-ops", err)
	}
	_ = b.View(ctx, func(tx store.ReadTx) error {
		if tx.Get(store.BucketMeta, []byte("small")) != nil || tx.Get(store.BucketMeta, []byte("many-0")) != nil {
			t.Error("part of a refused transaction was written")
		}
		return nil
	})
	// The cluster's own limit is lower than this process was told: the
	// cluster refuses and the error still names the limit.
	lying := config("/rdtest/limits-lying/")
	lying.Options.MaxRequestBytes = 4 * maxBytes
	lb, err := etcd.Dial(ctx, lying)
	if err != nil {
		t.Fatal(err)
	}
	defer lb.Close()
	err = lb.Update(ctx, func(tx store.WriteTx) error { return tx.Put(store.BucketMeta, []byte("big"), append(big, big...)) })
	if !errors.Is(err, etcd.ErrTooLarge) || !strings.Contains(err.Error(), "--max-request-bytes") {
		t.Fatalf("a write the cluster refuses returned %v, want ErrTooLarge naming --max-request-bytes", err)
	}
}

// Two processes (two backends, two clients) incrementing one counter never
// lose an increment: conflicting transactions run again.
func TestWritersOnTwoReplicasSerialise(t *testing.T) {
	ctx := context.Background()
	const prefix = "/rdtest/counter/"
	a, b := openAt(t, prefix), openAt(t, prefix)
	defer a.Close()
	defer b.Close()
	const each = 40
	var wg sync.WaitGroup
	errs := make(chan error, 2*each)
	for _, be := range []*etcd.Backend{a, b} {
		for range each {
			wg.Go(func() {
				errs <- be.Update(ctx, func(tx store.WriteTx) error {
					n := 0
					if v := tx.Get(store.BucketMeta, []byte("counter")); v != nil {
						fmt.Sscan(string(v), &n)
					}
					// A scan in the same transaction: the range it read is
					// part of what must not change.
					if err := tx.Scan(store.BucketMeta, []byte("seen/"), func(k, _ []byte) (bool, error) { return false, nil }); err != nil {
						return err
					}
					if err := tx.Put(store.BucketMeta, fmt.Appendf(nil, "seen/%04d", n), nil); err != nil {
						return err
					}
					return tx.Put(store.BucketMeta, []byte("counter"), fmt.Append(nil, n+1))
				})
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var got string
	seen := 0
	_ = a.View(ctx, func(tx store.ReadTx) error {
		got = string(tx.Get(store.BucketMeta, []byte("counter")))
		return tx.Scan(store.BucketMeta, []byte("seen/"), func(k, _ []byte) (bool, error) {
			if !strings.HasPrefix(string(k), "seen/") {
				return false, nil
			}
			seen++
			return true, nil
		})
	})
	if got != fmt.Sprint(2*each) || seen != 2*each {
		t.Fatalf("counter = %s and %d distinct values seen after %d increments from two replicas", got, seen, 2*each)
	}
}

// A delete inside a range another transaction scanned makes that
// transaction run again, though no key in the range was modified.
func TestDeleteInScannedRangeConflicts(t *testing.T) {
	ctx := context.Background()
	const prefix = "/rdtest/phantom/"
	a, b := openAt(t, prefix), openAt(t, prefix)
	defer a.Close()
	defer b.Close()
	for _, k := range []string{"q/1", "q/2"} {
		if err := a.Update(ctx, func(tx store.WriteTx) error { return tx.Put(store.BucketMeta, []byte(k), nil) }); err != nil {
			t.Fatal(err)
		}
	}
	runs := 0
	err := a.Update(ctx, func(tx store.WriteTx) error {
		runs++
		n := 0
		if err := tx.Scan(store.BucketMeta, []byte("q/"), func(k, _ []byte) (bool, error) {
			if !strings.HasPrefix(string(k), "q/") {
				return false, nil
			}
			n++
			return true, nil
		}); err != nil {
			return err
		}
		if runs == 1 {
			// Another replica deletes a key this transaction counted.
			if err := b.Update(ctx, func(tx store.WriteTx) error { return tx.Delete(store.BucketMeta, []byte("q/1")) }); err != nil {
				return err
			}
		}
		return tx.Put(store.BucketMeta, []byte("count"), fmt.Append(nil, n))
	})
	if err != nil {
		t.Fatal(err)
	}
	var count string
	_ = a.View(ctx, func(tx store.ReadTx) error { count = string(tx.Get(store.BucketMeta, []byte("count"))); return nil })
	if runs != 2 || count != "1" {
		t.Fatalf("ran %d times and stored count %s; want a second run that counts 1", runs, count)
	}
}

// With every member down, a write fails within the retry time as
// *fault.Unavailable, never hangs.
func TestNoClusterIsUnavailable(t *testing.T) {
	// A cluster of its own, since this one is stopped.
	c, err := etcdlocal.Start(context.Background(), etcdlocal.Options{Members: 1, NoFsync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cfg := etcd.Config{Endpoints: c.Endpoints(), Options: etcd.Options{RetryFor: 1500 * 1e6}}
	b, err := etcd.Dial(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	c.Stop(0)
	err = b.Update(context.Background(), func(tx store.WriteTx) error { return tx.Put(store.BucketMeta, []byte("k"), nil) })
	var down *fault.Unavailable
	if !errors.As(err, &down) {
		t.Fatalf("a write with the cluster down returned %v, want *fault.Unavailable", err)
	}
}

// Gets that walk a bucket in key order are read ahead in ranges; they must
// answer exactly as single reads would, for present and absent keys.
func TestViewReadAheadAnswersAsGets(t *testing.T) {
	ctx := context.Background()
	b := openAt(t, "/rdtest/readahead/")
	defer b.Close()
	err := b.Update(ctx, func(tx store.WriteTx) error {
		for i := 0; i < 300; i += 2 {
			if err := tx.Put(store.BucketAuditPayload, fmt.Appendf(nil, "p/%04d", i), fmt.Appendf(nil, "v%d", i)); err != nil {
				return err
			}
		}
		return tx.Put(store.BucketAudit, []byte("p/0001"), []byte("another bucket"))
	})
	if err != nil {
		t.Fatal(err)
	}
	check := func(tx store.ReadTx, i int) {
		got := tx.Get(store.BucketAuditPayload, fmt.Appendf(nil, "p/%04d", i))
		switch {
		case i%2 == 0 && i < 300 && string(got) != fmt.Sprintf("v%d", i):
			t.Errorf("p/%04d = %q, want v%d", i, got, i)
		case (i%2 == 1 || i >= 300) && got != nil:
			t.Errorf("p/%04d = %q, want absent", i, got)
		}
	}
	err = b.View(ctx, func(tx store.ReadTx) error {
		for i := range 320 { // forwards: read ahead
			check(tx, i)
		}
		for i := 319; i >= 0; i -= 7 { // backwards, and again
			check(tx, i)
		}
		if string(tx.Get(store.BucketAudit, []byte("p/0001"))) != "another bucket" {
			t.Error("a key of another bucket was taken for absent")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Scans inside a write transaction merge its pending puts and deletes with
// the stored keys, forwards and backwards, across several of the engine's
// range pages: every answer is the one a map of the same writes gives.
func TestScansInAWriteSeeItsOwnWrites(t *testing.T) {
	ctx := context.Background()
	b := openAt(t, "/rdtest/own-scans/")
	defer b.Close()
	key := func(i int) string { return fmt.Sprintf("s/%04d", i) }
	model := map[string]string{}
	err := b.Update(ctx, func(tx store.WriteTx) error {
		for i := 0; i < 600; i += 2 {
			model[key(i)] = "stored"
			if err := tx.Put(store.BucketMeta, []byte(key(i)), []byte("stored")); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// In one transaction: new keys between stored ones and past both ends,
	// overwrites, and deletes, including the first and last stored keys.
	pending := map[string]string{}
	for i := 1; i < 601; i += 3 {
		pending[key(i)] = "pending"
	}
	for i := 0; i < 600; i += 10 {
		pending[key(i)] = "overwritten"
	}
	for _, i := range []int{0, 2, 4, 64, 128, 130, 300, 598} {
		pending[key(i)] = "" // deleted
	}
	for k, v := range pending {
		if v == "" {
			delete(model, k)
		} else {
			model[k] = v
		}
	}
	keys := slices.Sorted(maps.Keys(model))
	want := func(start string, reverse bool) []string {
		var out []string
		for _, k := range keys {
			if reverse && (start == "" || k <= start) || !reverse && k >= start {
				out = append(out, k+"="+model[k])
			}
		}
		if reverse {
			slices.Reverse(out)
		}
		return out
	}
	err = b.Update(ctx, func(tx store.WriteTx) error {
		for k, v := range pending {
			var err error
			if v == "" {
				err = tx.Delete(store.BucketMeta, []byte(k))
			} else {
				err = tx.Put(store.BucketMeta, []byte(k), []byte(v))
			}
			if err != nil {
				return err
			}
		}
		for _, start := range []string{"", key(0), key(129), key(300), key(599), key(700)} {
			for _, reverse := range []bool{false, true} {
				var got []string
				collect := func(k, v []byte) (bool, error) {
					if !strings.HasPrefix(string(k), "s/") {
						return false, nil
					}
					got = append(got, string(k)+"="+string(v))
					return true, nil
				}
				var err error
				switch {
				case reverse && start == "":
					err = tx.ScanReverse(store.BucketMeta, nil, collect)
				case reverse:
					err = tx.ScanReverse(store.BucketMeta, []byte(start), collect)
				default:
					err = tx.Scan(store.BucketMeta, []byte(max(start, "s/")), collect)
				}
				if err != nil {
					return err
				}
				if w := want(start, reverse); !slices.Equal(got, w) {
					t.Errorf("scan from %q (reverse %v): %d keys, want %d; first difference at %d", start, reverse, len(got), len(w), firstDifference(got, w))
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func firstDifference(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// Reading ahead pays off for Gets in key order and costs nothing for Gets
// in no order: a queue page looks up its cases by ids from an index, and a
// range read per lookup would make the member count the rest of the
// bucket (and send a page of records) for each one it uses.
func TestReadAheadFollowsTheWalk(t *testing.T) {
	ctx := context.Background()
	b := openAt(t, "/rdtest/readahead-cost/")
	defer b.Close()
	const n = 3000
	key := func(i int) []byte { return fmt.Appendf(nil, "r/%05d", i) }
	for from := 0; from < n; from += 500 {
		if err := b.Update(ctx, func(tx store.WriteTx) error {
			for i := from; i < from+500; i++ {
				if err := tx.Put(store.BucketCases, key(i), []byte("a record")); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	walk := func(order []int) (requests, keys int) {
		if err := b.View(ctx, func(tx store.ReadTx) error {
			for _, i := range order {
				if string(tx.Get(store.BucketCases, key(i))) != "a record" {
					t.Fatalf("key %d was not read back", i)
				}
			}
			requests, keys = etcd.ReadCost(tx)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return requests, keys
	}
	inOrder := make([]int, n)
	for i := range inOrder {
		inOrder[i] = i
	}
	if requests, keys := walk(inOrder); requests > 24 || keys > n+maxPageForTest {
		t.Errorf("a walk of %d keys in order sent %d reads for %d keys; want a few large pages", n, requests, keys)
	}
	// A queue page: 50 ids in no order, as an index by due date gives them.
	page := rand.New(rand.NewPCG(1, 2)).Perm(n)[:50]
	if requests, keys := walk(page); requests > 50 || keys > 50 {
		t.Errorf("50 Gets in no order sent %d reads for %d keys; want one read of one key a Get, no range", requests, keys)
	}
}

// maxPageForTest is the engine's largest read-ahead page: a walk may read
// at most one page past its last key.
const maxPageForTest = 1024
