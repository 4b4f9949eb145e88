package bolt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	bbolt "go.etcd.io/bbolt"
)

// ErrDamaged is matched (errors.Is) by every *DamageError: a page check
// found damaged pages.
var ErrDamaged = errors.New("the database file is damaged")

// maxProblems bounds the problems a DamageError keeps; a badly damaged file
// can make bbolt report one for every page.
const maxProblems = 1000

// DamageError is what a page check found. Problems name pages, bucket names
// and counts only, never a key or a value, so it can be logged and shown.
type DamageError struct {
	Path     string
	Problems []error
	// Omitted counts the problems found beyond the first maxProblems.
	Omitted int
	// Background is true when the damage was found by the check Open
	// started after returning, so the backend refuses work from then on.
	Background bool
}

// Error names the file, the first problems and what to do.
func (e *DamageError) Error() string {
	const shown = 5
	var b strings.Builder
	n := len(e.Problems) + e.Omitted
	fmt.Fprintf(&b, "%s: %v: the page check found %d problem(s)", e.Path, ErrDamaged, n)
	for i, p := range e.Problems {
		if i == shown {
			fmt.Fprintf(&b, "; and %d more (run `rightsdesk check` to list them)", n-shown)
			break
		}
		fmt.Fprintf(&b, "; %v", p)
	}
	if e.Background {
		b.WriteString("; reads and writes are refused until the server is stopped")
	}
	fmt.Fprintf(&b, "; %s", restoreAdvice)
	return b.String()
}

// Is makes errors.Is(err, ErrDamaged) true.
func (e *DamageError) Is(target error) bool { return target == ErrDamaged }

// Unwrap returns the problems found.
func (e *DamageError) Unwrap() []error { return e.Problems }

// collector gathers problems up to maxProblems.
type collector struct {
	problems []error
	omitted  int
	// touched keeps the bytes scanPages reads, so the reads stay in.
	touched byte
	// keys counts the keys scanPages read; pauses, the rests it took.
	keys, pauses int
}

func (c *collector) add(err error) {
	if len(c.problems) < maxProblems {
		c.problems = append(c.problems, err)
	} else {
		c.omitted++
	}
}

func (c *collector) damage(path string) *DamageError {
	if len(c.problems) == 0 {
		return nil
	}
	return &DamageError{Path: path, Problems: c.problems, Omitted: c.omitted}
}

// CheckPages runs bbolt's consistency check (tx.Check), which reads every
// page reachable from the root and the freelist, and returns nil or a
// *DamageError (errors.Is ErrDamaged) listing every problem found, with
// keys and values left out of the messages. ctx is consulted before the
// check starts; bbolt's check cannot be interrupted once it runs.
//
// bbolt's check reads the freelist, which writers change, so on a writable
// backend it runs inside a write transaction (rolled back, so nothing is
// written): writers wait for it. On a read-only backend, or in Open before
// any writer can start, a read transaction is enough.
func (b *Backend) CheckPages(ctx context.Context) error {
	return b.checkPages(ctx, !b.readOnly)
}

func (b *Backend) checkPages(ctx context.Context, writable bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	tx, err := b.db.Begin(writable)
	if err != nil {
		return fmt.Errorf("check pages: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	var c collector
	for err := range tx.Check(bbolt.WithKVStringer(redacted{})) {
		c.add(err)
	}
	if d := c.damage(b.path); d != nil {
		return d
	}
	return nil
}

// redacted keeps keys and values, which may hold personal data, out of
// bbolt's messages.
type redacted struct{}

func (redacted) KeyToString(k []byte) string   { return fmt.Sprintf("<a %d-byte key>", len(k)) }
func (redacted) ValueToString(v []byte) string { return fmt.Sprintf("<a %d-byte value>", len(v)) }

// WaitPageCheck waits for the page check Open started in the background
// (returning at once when there is none) and returns its finding: nil, or
// the *DamageError that View, Update and Backup now return.
func (b *Backend) WaitPageCheck(ctx context.Context) error {
	select {
	case <-b.checkDone:
	case <-ctx.Done():
		return ctx.Err()
	}
	if d := b.damage.Load(); d != nil {
		return d
	}
	return nil
}

// startBackgroundCheck scans every page in the background. bbolt's own
// check cannot run beside writers in a read transaction (it reads the
// freelist they change) and would hold every writer for its whole length
// in a write transaction, so the background check is scanPages, which
// needs only read transactions.
func (b *Backend) startBackgroundCheck() {
	ctx, cancel := context.WithCancel(context.Background())
	b.stopCheck = cancel
	go func() {
		defer close(b.checkDone)
		if d := b.scanPages(ctx, backgroundScan).damage(b.path); d != nil && ctx.Err() == nil {
			d.Background = true
			b.damage.Store(d)
		}
	}()
}

// scanPace is how the background scan shares the machine: it reads for
// slice, in one read transaction, then rests for rest before it goes on
// where it stopped. A scan of a million cases' file at full speed took a
// core for seconds while the server answered its first calls, and held
// one read transaction all that time, so no page a writer freed meanwhile
// could be used again and the file grew; the top-50 queue's p99 went from
// 0.9 to 14.6 ms while it ran.
type scanPace struct{ slice, rest time.Duration }

// backgroundScan takes a fifth of one core, in 10 ms transactions: a
// million cases' file (5 GB, warm) is checked in about half a minute.
var backgroundScan = scanPace{slice: 10 * time.Millisecond, rest: 40 * time.Millisecond}

// scanPages reads every page of every bucket, for pace.slice at a time in
// short read transactions, resting pace.rest after each slice: each key in
// order, checking that it sorts after the one before, and the last byte of
// each value, so every branch, leaf and overflow page is loaded through
// bbolt, which panics on a page that does not identify as the page it should
// be. A panic, or a fault on reading beyond the file (turned into a panic
// for this goroutine), ends the bucket's scan with a problem naming the
// bucket and bbolt's message. Each transaction goes on from the key the one
// before stopped at, so a key put meanwhile behind that point is checked at
// the next start, not now. It does not check the freelist; CheckPages does.
// It stops early, reporting nothing more, when ctx ends. What it found is in
// the collector it returns.
func (b *Backend) scanPages(ctx context.Context, pace scanPace) *collector {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	var c collector
	var names [][]byte
	err := b.db.View(func(tx *bbolt.Tx) (err error) {
		defer func() {
			if p := recover(); p != nil {
				c.add(fmt.Errorf("the root bucket: %v", p))
			}
		}()
		return tx.ForEach(func(name []byte, _ *bbolt.Bucket) error {
			names = append(names, bytes.Clone(name))
			return nil
		})
	})
	if err != nil {
		c.add(err)
	}
	sliceEnd := time.Now().Add(pace.slice)
	for _, name := range names {
		at := &bucketScan{name: string(name)}
		for done := false; !done && ctx.Err() == nil; {
			err := b.db.View(func(tx *bbolt.Tx) error {
				bk := tx.Bucket(name)
				if bk == nil {
					done = true // dropped since the scan began
					return nil
				}
				done = at.scan(ctx, bk, sliceEnd, &c)
				return nil
			})
			if err != nil {
				c.add(err)
				break
			}
			if !done || time.Now().After(sliceEnd) {
				c.pauses++
				select {
				case <-ctx.Done():
				case <-time.After(pace.rest):
				}
				sliceEnd = time.Now().Add(pace.slice)
			}
		}
	}
	return &c
}

// bucketScan is how far the scan of one bucket has gone: last is the key
// it read last (nil before the first), keys how many it has read.
type bucketScan struct {
	name string
	last []byte
	keys int
}

// scan checks bk's keys after s.last until the last key, and reports true,
// or until the deadline (zero for none) has passed, and reports false.
// After a panic it gives up on the bucket and reports true. A nested
// bucket is read whole, in the same transaction.
func (s *bucketScan) scan(ctx context.Context, bk *bbolt.Bucket, deadline time.Time, c *collector) (done bool) {
	defer func() {
		if p := recover(); p != nil {
			c.add(fmt.Errorf("bucket %s: %v", s.name, p))
			done = true
		}
	}()
	cur := bk.Cursor()
	k, v := cur.First()
	if s.last != nil {
		if k, v = cur.Seek(s.last); k != nil && bytes.Equal(k, s.last) {
			k, v = cur.Next()
		}
	}
	for n := 1; k != nil; k, v = cur.Next() {
		if n++; n%256 == 0 && (ctx.Err() != nil || !deadline.IsZero() && time.Now().After(deadline)) {
			return ctx.Err() != nil
		}
		s.keys++
		c.keys++
		if s.last != nil && bytes.Compare(s.last, k) >= 0 {
			c.add(fmt.Errorf("bucket %s: key %d does not sort after the key before it", s.name, s.keys))
		}
		s.last = append(s.last[:0], k...)
		if v == nil {
			if child := bk.Bucket(k); child != nil {
				nested := &bucketScan{name: fmt.Sprintf("%s/(nested bucket %d)", s.name, s.keys)}
				nested.scan(ctx, child, time.Time{}, c)
			}
			continue
		}
		if len(v) > 0 {
			c.touched ^= v[len(v)-1]
		}
	}
	return true
}
