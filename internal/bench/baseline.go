package bench

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"sync/atomic"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

// The baselines put what CreateCase puts, straight into bbolt: the same
// buckets, the same number of keys and value sizes, and keys distributed
// as the real ones are. Counter keys would append at a few insertion
// points and flatter bbolt; here each create's keys are those of one
// recorded create (createTemplate) with its per-case parts made new: a
// fresh time-ordered case id, the next audit sequence, and fresh random
// bytes for each part unique to the case (reference, request id,
// requester hashes). Parts shared between cases (dates, states, notice
// ids, a requester's e-mail domain) stay, so each index keeps the
// insertion points it has in use.

// templateCount is how many creates are recorded: two per received date,
// so that a part two recorded cases share (a date) is told apart from
// one unique to its case.
const templateCount = 2 * receivedDays

// createTemplate is one recorded create.
type createTemplate struct {
	puts   []recordedPut
	caseID []byte
	// seq is the audit sequence the create took, as its keys hold it.
	seq []byte
	// unique are the parts of its keys no other recorded create has.
	unique [][]byte
}

// keyParts splits an index key at its separators.
func keyParts(key []byte) [][]byte {
	return bytes.FieldsFunc(key, func(r rune) bool { return r == '/' || r == 0 })
}

// isoDate matches a date part: dates are shared by the cases of a day
// even where only one recorded create has a given one.
var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// minUniquePart keeps a short run of bytes, which a hash cut at a
// separator byte can leave, from being replaced wherever it occurs.
const minUniquePart = 4

// makeTemplates finds, in each recorded create, its case id (the key of
// its case record), its audit sequence and its unique parts.
func makeTemplates(recorded [][]recordedPut) ([]createTemplate, error) {
	templates := make([]createTemplate, len(recorded))
	seen := map[string]int{} // part → how many creates have it
	for i, puts := range recorded {
		t := &templates[i]
		t.puts = puts
		for _, p := range puts {
			switch p.bucket {
			case store.BucketCases:
				t.caseID = p.key
			case store.BucketAudit:
				t.seq = p.key
			}
		}
		if t.caseID == nil || len(t.seq) != 8 {
			return nil, fmt.Errorf("recorded create %d wrote no case record or no audit event: the baseline cannot mirror it", i)
		}
		for _, part := range t.parts() {
			seen[string(part)]++
		}
	}
	for i := range templates {
		t := &templates[i]
		for _, part := range t.parts() {
			if seen[string(part)] == 1 && len(part) >= minUniquePart && !isoDate.Match(part) {
				t.unique = append(t.unique, part)
			}
		}
	}
	return templates, nil
}

// parts are the distinct parts of t's keys once its case id and audit
// sequence are taken out.
func (t *createTemplate) parts() [][]byte {
	var out [][]byte
	have := map[string]bool{}
	for _, p := range t.puts {
		key := bytes.ReplaceAll(p.key, t.caseID, []byte{'/'})
		key = bytes.ReplaceAll(key, t.seq, []byte{'/'})
		for _, part := range keyParts(key) {
			if !have[string(part)] {
				have[string(part)] = true
				out = append(out, part)
			}
		}
	}
	return out
}

// keyedPut is one put of a baseline create.
type keyedPut struct {
	bucket []byte
	key    []byte
	value  []byte
}

// baselineWrites makes the puts of baseline creates, each from the next
// template, safely from many clients at once.
type baselineWrites struct {
	templates []createTemplate
	value     []byte // random, as sealed and compressed values are
	next      atomic.Uint64
	// random is each client's own source: the creates' ids and unique
	// parts are drawn without a shared lock.
	random []*rand.ChaCha8
}

func newBaselineWrites(templates []createTemplate, clients int) *baselineWrites {
	longest := 0
	for _, t := range templates {
		for _, p := range t.puts {
			longest = max(longest, p.valueLen)
		}
	}
	w := &baselineWrites{templates: templates, value: make([]byte, longest)}
	seedRandom := rand.NewChaCha8([32]byte{'b', 'e', 'n', 'c', 'h'})
	_, _ = seedRandom.Read(w.value)
	for c := range clients {
		var seed [32]byte
		binary.BigEndian.PutUint64(seed[:], uint64(c)+1)
		w.random = append(w.random, rand.NewChaCha8(seed))
	}
	return w
}

// puts returns the puts of the next create, made by client.
func (w *baselineWrites) puts(client int) ([]keyedPut, error) {
	n := w.next.Add(1)
	t := &w.templates[n%uint64(len(w.templates))]
	random := w.random[client]
	id, err := cases.NewID(time.Now(), random)
	if err != nil {
		return nil, err
	}
	seq := binary.BigEndian.AppendUint64(nil, n)
	fresh := make([][]byte, len(t.unique))
	for i, part := range t.unique {
		fresh[i] = make([]byte, len(part))
		_, _ = random.Read(fresh[i])
	}
	out := make([]keyedPut, len(t.puts))
	for i, p := range t.puts {
		key := bytes.ReplaceAll(p.key, t.caseID, []byte(id))
		key = bytes.ReplaceAll(key, t.seq, seq)
		for j, part := range t.unique {
			key = bytes.ReplaceAll(key, part, fresh[j])
		}
		out[i] = keyedPut{bucket: []byte(p.bucket), key: key, value: w.value[:p.valueLen]}
	}
	return out, nil
}

// openRawBolt makes a bbolt database with bbolt's default options (fsync
// on every commit, as the store has) and the templates' buckets.
func openRawBolt(dir string, templates []createTemplate) (*bbolt.DB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	db, err := bbolt.Open(filepath.Join(dir, "raw.db"), 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		return nil, err
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		for _, t := range templates {
			for _, p := range t.puts {
				if _, err := tx.CreateBucketIfNotExists([]byte(p.bucket)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, errors.Join(err, db.Close())
	}
	return db, nil
}

func putAll(tx *bbolt.Tx, puts []keyedPut) error {
	for _, p := range puts {
		if err := tx.Bucket(p.bucket).Put(p.key, p.value); err != nil {
			return err
		}
	}
	return nil
}

// openDBBatch returns an operation that puts one create in one db.Batch
// call. db.Batch waits up to its 10 ms timer for company, so with one
// client it commits about 86 times a second: it is shown beside the honest
// baseline, not as it.
func openDBBatch(dir string, templates []createTemplate, clients int) (func(int) error, func() error, error) {
	db, err := openRawBolt(dir, templates)
	if err != nil {
		return nil, nil, err
	}
	writes := newBaselineWrites(templates, clients)
	op := func(client int) error {
		puts, err := writes.puts(client)
		if err != nil {
			return err
		}
		return db.Batch(func(tx *bbolt.Tx) error { return putAll(tx, puts) })
	}
	return op, db.Close, nil
}

// maxGroup bounds how many creates one group commit takes; more clients
// than that are never measured (MaxClients).
const maxGroup = MaxClients

// groupCommit is the honest ceiling: one writer goroutine that takes every
// create queued, commits them in one transaction with no timer, and
// answers them all. A lone client pays one fsync per create; many clients
// share each fsync as they queue behind the one in progress.
type groupCommit struct {
	db      *bbolt.DB
	queue   chan pendingCreate
	stopped chan struct{}
}

type pendingCreate struct {
	puts   []keyedPut
	result chan error
}

func (g *groupCommit) run() {
	defer close(g.stopped)
	group := make([]pendingCreate, 0, maxGroup)
	for first := range g.queue {
		group = append(group[:0], first)
	drain:
		for len(group) < maxGroup {
			select {
			case next, ok := <-g.queue:
				if !ok {
					break drain
				}
				group = append(group, next)
			default:
				break drain
			}
		}
		err := g.db.Update(func(tx *bbolt.Tx) error {
			for _, c := range group {
				if err := putAll(tx, c.puts); err != nil {
					return err
				}
			}
			return nil
		})
		for _, c := range group {
			c.result <- err
		}
	}
}

// openGroupCommit returns an operation that puts one create through a
// groupCommit, and a function that stops the writer and closes the file.
func openGroupCommit(dir string, templates []createTemplate, clients int) (func(int) error, func() error, error) {
	db, err := openRawBolt(dir, templates)
	if err != nil {
		return nil, nil, err
	}
	g := &groupCommit{db: db, queue: make(chan pendingCreate, maxGroup), stopped: make(chan struct{})}
	go g.run()
	writes := newBaselineWrites(templates, clients)
	results := make([]chan error, clients)
	for c := range results {
		results[c] = make(chan error, 1)
	}
	op := func(client int) error {
		puts, err := writes.puts(client)
		if err != nil {
			return err
		}
		g.queue <- pendingCreate{puts: puts, result: results[client]}
		return <-results[client]
	}
	stop := func() error {
		close(g.queue)
		<-g.stopped
		return db.Close()
	}
	return op, stop, nil
}
