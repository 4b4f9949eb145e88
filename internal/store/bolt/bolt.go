package bolt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	bbolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

// FileName is the database file inside a data directory.
const FileName = "rightsdesk.db"

// ErrLocked is returned when another process holds the database open.
var ErrLocked = errors.New("the database is in use by another process (is `rightsdesk serve` running on this data directory?)")

// Options tune an opened database.
type Options struct {
	// LockTimeout is how long Open waits for another process to let go.
	LockTimeout time.Duration
	// ReadOnly opens an existing database for reading only, for offline
	// commands that must not change it: Open creates no directory and no
	// file (ErrNoDatabase when there is none), bbolt takes a shared lock
	// and never writes, so the file's bytes stay as they were, and Update
	// fails with store.ErrReadOnly.
	ReadOnly bool
	// CheckPages makes Open run bbolt's page check (see CheckPages) and
	// refuse a damaged database with a *DamageError (errors.Is ErrDamaged)
	// instead of serving from it. bbolt's check reads every page, about
	// 4 GB at the 1,000,000-case target, which takes seconds (see the
	// package documentation), so only a database whose pages fill at most
	// SyncCheckLimit bytes is checked before Open returns; a larger one is
	// scanned in the background after Open returns, and damage found then
	// puts the backend in a damaged state in which View, Update and Backup
	// return the *DamageError (see WaitPageCheck).
	CheckPages bool
	// SyncCheckLimit is the largest database, in bytes of pages in use,
	// that CheckPages checks before Open returns. Zero means
	// DefaultSyncCheckLimit; a negative value checks every database before
	// Open returns, however long it takes.
	SyncCheckLimit int64
}

// DefaultSyncCheckLimit is the SyncCheckLimit used when none is given:
// bbolt's check of 256 MiB takes well under a second (see the package
// documentation for measurements).
const DefaultSyncCheckLimit = 256 << 20

// Backend is a store.Backend on bbolt.
type Backend struct {
	db       *bbolt.DB
	path     string
	readOnly bool

	mu         sync.Mutex
	queue      []*call // writers waiting for the next commit
	committing bool

	// damage is set when a page check finds damage; every later View,
	// Update and Backup returns it.
	damage atomic.Pointer[DamageError]
	// stopCheck and checkDone control a background page check; checkDone
	// is closed when there is none.
	stopCheck context.CancelFunc
	checkDone chan struct{}

	// disk is the disk's refusal of the last commit (full, read-only,
	// failing), nil once a commit succeeds again; see WritesFailing.
	disk atomic.Pointer[fault.StorageUnavailable]
	// commitFault, set only by tests, fails commits as a refusing disk
	// would, where a real one cannot be had.
	commitFault atomic.Pointer[func() error]

	// The group commit's totals (store.WriterStats).
	groups, groupCalls      atomic.Uint64
	runningNs, committingNs atomic.Int64
}

// WriterStats implements store.GroupCommitter. A writer sent to run alone
// after its group failed is not counted.
func (b *Backend) WriterStats() store.WriterStats {
	return store.WriterStats{
		Commits: b.groups.Load(), Calls: b.groupCalls.Load(),
		Running: time.Duration(b.runningNs.Load()), Committing: time.Duration(b.committingNs.Load()),
	}
}

// maxGroup bounds one commit so a function that fails after writing, which
// makes the rest of its group run again, costs a bounded amount of repeated
// work.
const maxGroup = 1000

type call struct {
	ctx context.Context
	fn  func(store.WriteTx) error
	// done is buffered so the committer never waits for a caller to listen.
	done chan error
}

var (
	_ store.Backend        = (*Backend)(nil)
	_ store.GroupCommitter = (*Backend)(nil)
	_ store.PageChecker    = (*Backend)(nil)
)

// Open opens the database in dir and makes sure every bucket of the schema
// exists; without ReadOnly it creates the directory and the database when
// they do not exist yet. Before bbolt reads the file, Open refuses one that
// is empty (ErrEmptyFile) or shorter than its meta page says
// (ErrTruncated); see Options for ReadOnly and CheckPages.
func Open(dir string, opts Options) (*Backend, error) {
	path := databasePath(dir)
	exists, err := checkFile(path)
	if err != nil {
		return nil, err
	}
	if opts.ReadOnly && !exists {
		return nil, fmt.Errorf("%w at %s", ErrNoDatabase, path)
	}
	if !opts.ReadOnly {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}
	if opts.LockTimeout == 0 {
		opts.LockTimeout = time.Second
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: opts.LockTimeout, ReadOnly: opts.ReadOnly})
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, ErrLocked
	case opts.ReadOnly && errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%w at %s", ErrNoDatabase, path)
	case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrChecksum), errors.Is(err, bolterrors.ErrVersionMismatch):
		return nil, fmt.Errorf("%s is not a database this build can read (%w); %s", path, err, restoreAdvice)
	case err != nil:
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	b := &Backend{db: db, path: path, readOnly: opts.ReadOnly, checkDone: make(chan struct{})}
	fail := func(err error) (*Backend, error) {
		_ = db.Close()
		return nil, err
	}
	// Again under bbolt's lock, against the meta page bbolt chose, in case
	// the file changed between checkFile and the lock.
	used, err := b.usedSize()
	if err != nil {
		return fail(err)
	}
	if info, err := os.Stat(path); err != nil {
		return fail(fmt.Errorf("open database: %w", err))
	} else if info.Size() < used {
		return fail(truncated(path, info.Size(), used))
	}
	background := false
	if opts.CheckPages {
		limit := opts.SyncCheckLimit
		if limit == 0 {
			limit = DefaultSyncCheckLimit
		}
		if limit < 0 || used <= limit {
			// No writer can run yet, so a read transaction is safe.
			if err := b.checkPages(context.Background(), false); err != nil {
				return fail(err)
			}
		} else {
			background = true
		}
	}
	if !opts.ReadOnly {
		if err := db.Update(createBuckets); err != nil {
			return fail(fmt.Errorf("create buckets: %w", err))
		}
	}
	if background {
		b.startBackgroundCheck()
	} else {
		close(b.checkDone)
	}
	return b, nil
}

// databasePath is the database file in dir, with dir as given (not
// cleaned), so that messages name the directory the way the user typed it.
func databasePath(dir string) string {
	switch {
	case dir == "":
		return FileName
	case os.IsPathSeparator(dir[len(dir)-1]):
		return dir + FileName
	}
	return dir + string(filepath.Separator) + FileName
}

// Path is the database file's path.
func (b *Backend) Path() string { return b.path }

// usedSize is the length the file must have: bbolt's high-water page times
// the page size.
func (b *Backend) usedSize() (int64, error) {
	var size int64
	err := b.db.View(func(tx *bbolt.Tx) error {
		size = tx.Size()
		return nil
	})
	return size, err
}

func createBuckets(tx *bbolt.Tx) error {
	for _, name := range store.Buckets() {
		if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
			return err
		}
	}
	return nil
}

// View implements store.Backend.
func (b *Backend) View(ctx context.Context, fn func(store.ReadTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d := b.damage.Load(); d != nil {
		return d
	}
	return b.db.View(func(tx *bbolt.Tx) error { return fn(&txn{tx: tx}) })
}

// Update implements store.Backend with a group commit: every writer that
// arrives while a commit is in progress joins the next one, which starts as
// soon as that commit ends (or a moment later while writers arrive
// together: lingers), so concurrent writers share an fsync without the
// fixed wait of bbolt's Batch, and a lone writer commits at once. As with
// Batch, fn may run more than once (see store.Backend). On a backend
// opened ReadOnly it fails with store.ErrReadOnly without running fn.
func (b *Backend) Update(ctx context.Context, fn func(store.WriteTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if b.readOnly {
		return fmt.Errorf("%w: %s was opened for reading only", store.ErrReadOnly, b.path)
	}
	if d := b.damage.Load(); d != nil {
		return d
	}
	c := &call{ctx: ctx, fn: fn, done: make(chan error, 1)}
	b.mu.Lock()
	b.queue = append(b.queue, c)
	start := !b.committing
	var group []*call
	if start {
		b.committing = true
		group = b.nextGroup()
	}
	b.mu.Unlock()
	if start {
		b.commit(group)
	}
	err := <-c.done
	if err == errTrySolo {
		err = b.solo(c)
	}
	return err
}

// nextGroup takes the calls for the next commit; b.mu must be held.
func (b *Backend) nextGroup() []*call {
	n := min(len(b.queue), maxGroup)
	group := b.queue[:n:n]
	if b.queue = b.queue[n:]; len(b.queue) == 0 {
		b.queue = nil
	}
	return group
}

// commit commits group, then starts the group that queued meanwhile on a
// goroutine of its own, so that the writer that started a run of commits
// waits only for its own; first, when lingers says so, it lets more
// writers join that group.
func (b *Backend) commit(group []*call) {
	b.runGroup(group)
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.queue) == 0 {
		b.committing = false
		return
	}
	if !lingers(len(group), len(b.queue)) {
		go b.commit(b.nextGroup())
		return
	}
	go func() {
		time.Sleep(linger)
		b.mu.Lock()
		next := b.nextGroup() // never empty: the queue only grows while committing
		b.mu.Unlock()
		b.commit(next)
	}()
}

// linger is how long a commit waits for more writers when lingers says
// so. A commit's fsync and the pages writers share are paid once per
// group, so under concurrent load a slightly later, larger group costs
// less than a prompt, small one, and the wait leaves the processor to the
// writers still preparing. Measured on the 2-core development machine in
// three pairs alternating with no wait: CreateCase at 16 clients rose by
// a tenth (2,005 → 2,218/s, p99 lower) and at 64 by 1% (its ratio to the
// raw ceiling 53.1 → 56.3%); a wait of 1 ms did worse than none at 16
// clients. PostgreSQL's commit_delay, with commit_siblings, is the same
// idea.
const linger = 300 * time.Microsecond

// lingerGroup is the number of queued writers at which a commit starts
// at once: enough to share a commit well.
const lingerGroup = 24

// lingers decides whether the next commit waits linger before taking the
// queue: only when the commit before it held several writers (writers
// are arriving concurrently, so more are on their way) and fewer than
// lingerGroup wait. A lone writer, and the first commit after a quiet
// spell, never wait.
func lingers(lastGroup, queued int) bool {
	return lastGroup > 1 && queued < lingerGroup
}

// runGroup runs every call of group in one transaction.
//
// A call whose function fails having written nothing (the common
// refusal: a stale etag, an illegal transition, found by reading) leaves
// the transaction as the others made it, so the group goes on without it
// and the call is answered with its own error once the commit's outcome
// is known: its refusal was decided on the group's writes, so it holds
// only if they land, and if the commit fails it gets the commit's error.
// A call that fails after writing would take its partial writes into the
// others' commit, and bbolt cannot roll back part of a transaction, so,
// as bbolt's Batch does, the transaction is rolled back, the failing call
// is sent to run on its own and the rest run again without it.
func (b *Backend) runGroup(group []*call) {
	for {
		if group = dropCancelled(group); len(group) == 0 {
			return
		}
		failed := -1
		var refused []refusal
		wroteAny := false
		start := time.Now()
		ran := start
		err := b.db.Update(func(tx *bbolt.Tx) error {
			defer func() { ran = time.Now() }()
			for i, c := range group {
				wrote, err := c.run(tx)
				switch {
				case err == nil:
					wroteAny = wroteAny || wrote
				case !wrote:
					refused = append(refused, refusal{i, err})
				default:
					failed = i
					return err
				}
			}
			return b.injectedCommitFault()
		})
		b.groups.Add(1)
		b.groupCalls.Add(uint64(len(group)))
		b.runningNs.Add(int64(ran.Sub(start)))
		b.committingNs.Add(int64(time.Since(ran)))
		if failed < 0 {
			// Success, or a failure of bbolt itself, which is every call's.
			err = b.noteCommit(err, wroteAny)
			answers := make([]error, len(group))
			for i := range answers {
				answers[i] = err
			}
			if err == nil {
				for _, r := range refused {
					answers[r.call] = r.err
				}
			}
			for i, c := range group {
				c.done <- answers[i]
			}
			return
		}
		group[failed].done <- errTrySolo
		group = append(group[:failed], group[failed+1:]...)
	}
}

// refusal is a call of a group that failed without writing: its index in
// the group and its error.
type refusal struct {
	call int
	err  error
}

// dropCancelled answers the calls whose context ended while they queued, so
// a cancelled Update never starts its function.
func dropCancelled(group []*call) []*call {
	kept := group[:0]
	for _, c := range group {
		if err := c.ctx.Err(); err != nil {
			c.done <- err
			continue
		}
		kept = append(kept, c)
	}
	return kept
}

// errTrySolo tells a caller its function failed within a group and must be
// run again alone to learn its own result; callers never see it.
var errTrySolo = errors.New("bolt: update function failed in a group; run it alone")

func (b *Backend) solo(c *call) error {
	if err := c.ctx.Err(); err != nil {
		return err
	}
	fnFailed, wrote := false, false
	err := b.db.Update(func(tx *bbolt.Tx) (err error) {
		if wrote, err = c.run(tx); err != nil {
			fnFailed = true
			return err
		}
		return b.injectedCommitFault()
	})
	if fnFailed {
		return err // the function's own refusal: says nothing about the disk
	}
	return b.noteCommit(err, wrote)
}

// run calls the function, turning a panic into an error: functions may run
// on a committer's goroutine, where a panic would take the whole process
// down instead of failing one request. It reports whether the function
// put or deleted anything, even when it then failed.
func (c *call) run(tx *bbolt.Tx) (wrote bool, err error) {
	w := &txn{tx: tx}
	defer func() {
		wrote = w.wrote
		if p := recover(); p != nil {
			err = fmt.Errorf("update function panicked: %v\n%s", p, debug.Stack())
		}
	}()
	return false, c.fn(w)
}

// Backup implements store.Backend; readers and writers carry on meanwhile.
// A backend in the damaged state refuses: a copy of damaged pages is no
// backup to restore from.
func (b *Backend) Backup(ctx context.Context, w io.Writer) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if d := b.damage.Load(); d != nil {
		return 0, d
	}
	var n int64
	err := b.db.View(func(tx *bbolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// Check runs bbolt's page check and returns every problem found; it is
// CheckPages without a context, for tests.
func (b *Backend) Check() error { return b.CheckPages(context.Background()) }

// Close implements store.Backend. It stops a background page check first.
func (b *Backend) Close() error {
	if b.stopCheck != nil {
		b.stopCheck()
	}
	<-b.checkDone
	return b.db.Close()
}

// txn is a transaction as the store sees it. wrote records whether a
// function put or deleted anything, which decides what its failure costs
// the rest of its group (see runGroup).
type txn struct {
	tx    *bbolt.Tx
	wrote bool
}

func (t *txn) bucket(name store.Bucket) *bbolt.Bucket { return t.tx.Bucket([]byte(name)) }

func (t *txn) Get(name store.Bucket, key []byte) []byte {
	if bk := t.bucket(name); bk != nil {
		return bk.Get(key)
	}
	return nil
}

// GetMany reads the memory map key by key: nothing to batch.
func (t *txn) GetMany(name store.Bucket, keys [][]byte) [][]byte {
	values := make([][]byte, len(keys))
	if bk := t.bucket(name); bk != nil {
		for i, k := range keys {
			values[i] = bk.Get(k)
		}
	}
	return values
}

func (t *txn) Scan(name store.Bucket, start []byte, fn func(k, v []byte) (bool, error)) error {
	bk := t.bucket(name)
	if bk == nil {
		return nil
	}
	c := bk.Cursor()
	for k, v := c.Seek(start); k != nil; k, v = c.Next() {
		more, err := fn(k, v)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

func (t *txn) ScanReverse(name store.Bucket, start []byte, fn func(k, v []byte) (bool, error)) error {
	bk := t.bucket(name)
	if bk == nil {
		return nil
	}
	c := bk.Cursor()
	k, v := c.Last()
	if start != nil {
		// Seek lands on the first key ≥ start; step back unless it is start.
		if k, v = c.Seek(start); k == nil {
			k, v = c.Last()
		} else if string(k) != string(start) {
			k, v = c.Prev()
		}
	}
	for ; k != nil; k, v = c.Prev() {
		more, err := fn(k, v)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// appendOrdered lists the buckets whose new keys arrive after every key
// already there, or after every key of their region: the audit buckets'
// big-endian sequence; cases and their data keys, whose ULID keys are
// time-ordered; the status tokens kept for retries, keyed by creation time
// first; and the indexes keyed by a state, right or notice and then a date
// a new case takes near the end of its region (received today, due in a
// month). bbolt splits a page at half full by default to leave room for
// keys inserted in the middle; keys that arrive in order never use that
// room, so each page the default splits stays half empty for good (the
// indexes were 50% full over 100,000 cases). Filling these pages to 95%
// more than halves the audit buckets and the ordered indexes and, with
// compressed case records of about 1 KB, the cases bucket. A key that
// lands in the middle later (a case that grows, a state change, an
// extended due date) splits its page then, which costs one more page
// write, not a full page's worth of disk for every case. Left at the
// default: buckets of scattered keys (hashes, client request ids,
// references) and idx_case_events, keyed by case id first, whose events on
// older cases land all over.
var appendOrdered = map[store.Bucket]bool{
	store.BucketAudit:        true,
	store.BucketAuditPayload: true,
	store.BucketCases:        true,
	store.BucketCaseKeys:     true,
	store.BucketReplayTokens: true,
	store.BucketOpenByDue:    true,
	store.BucketOpenByTerm:   true,
	store.BucketByState:      true,
	store.BucketByNotice:     true,
	store.BucketByReceived:   true,
}

func (t *txn) Put(name store.Bucket, key, value []byte) error {
	t.wrote = true
	bk := t.bucket(name)
	if bk == nil {
		return fmt.Errorf("bucket %q does not exist", name)
	}
	if appendOrdered[name] {
		// Not stored in the file: it applies to this transaction's splits.
		bk.FillPercent = 0.95
	}
	return bk.Put(key, value)
}

func (t *txn) Delete(name store.Bucket, key []byte) error {
	t.wrote = true
	bk := t.bucket(name)
	if bk == nil {
		return fmt.Errorf("bucket %q does not exist", name)
	}
	return bk.Delete(key)
}
