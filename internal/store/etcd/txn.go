package etcd

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/rightsdesk/rightsdesk/internal/store"
)

// snapshot reads the cluster as of one revision, fixed by its first read.
type snapshot struct {
	b   *Backend
	ctx context.Context
	rev int64
	// err is the first read that failed; the transaction fails with it.
	err error
	// requests and keys count the reads sent and the keys they returned.
	requests, keys int
}

// rangeOp reads key (and, with options, a range from it) at the snapshot.
func (s *snapshot) rangeOp(key string, opts ...clientv3.OpOption) (*clientv3.GetResponse, error) {
	if s.err != nil {
		return nil, s.err
	}
	var resp *clientv3.GetResponse
	read := func(opts []clientv3.OpOption) error {
		return s.b.retry(s.ctx, "a read", func(ctx context.Context) (err error) {
			resp, err = s.b.cli.Get(ctx, key, opts...)
			return err
		})
	}
	var err error
	if s.rev == 0 {
		err = read(opts)
	} else {
		at := append(slices.Clip(opts), clientv3.WithRev(s.rev))
		// A member that has applied the revision answers on its own.
		if err = read(append(slices.Clip(at), clientv3.WithSerializable())); errors.Is(err, rpctypes.ErrFutureRev) {
			err = read(at)
		}
	}
	if err != nil {
		if errors.Is(err, rpctypes.ErrCompacted) {
			err = fmt.Errorf("%w: %w (the snapshot at revision %d was compacted while in use)", errSnapshotGone, err, s.rev)
		}
		s.err = err
		return nil, err
	}
	if s.rev == 0 {
		s.rev = resp.Header.Revision
	}
	s.requests++
	s.keys += len(resp.Kvs)
	return resp, nil
}

// present is a stored value as the store sees it: never nil, since Get
// answers nil only for an absent key (protobuf decodes an empty value as
// nil).
func present(v []byte) []byte {
	if v == nil {
		return []byte{}
	}
	return v
}

// errSnapshotGone makes a write transaction start again on a new snapshot.
var errSnapshotGone = errors.New("etcd: snapshot compacted")

// get reads one key; nil when absent.
func (s *snapshot) get(key string) (*mvccpb.KeyValue, error) {
	resp, err := s.rangeOp(key)
	if err != nil || len(resp.Kvs) == 0 {
		return nil, err
	}
	return resp.Kvs[0], nil
}

// maxCached bounds a transaction's cache; past it the cache starts again
// (what it held can be read again at the same revision).
const maxCached = 8192

func (t *tx) remember(kvs []*mvccpb.KeyValue) {
	if len(t.cache)+len(kvs) > maxCached {
		clear(t.cache)
		clear(t.ahead) // a span vouches for the cache: they go together
	}
	for _, kv := range kvs {
		t.cache[string(kv.Key)] = cached{value: present(kv.Value), modRev: kv.ModRevision}
	}
}

// Scan pages: small first, since most scans stop after a page of results.
const (
	firstPage = 64
	maxPage   = 1024
)

// write is a pending put (or, deleted, a delete) of a transaction.
type write struct {
	value   []byte
	deleted bool
}

// keyRange is [from, end) as etcd keys.
type keyRange struct{ from, end string }

// readSet is what one transaction read from etcd, for the Txn's comparisons.
type readSet struct {
	keys    map[string]int64 // key → mod revision read (0: absent)
	ranges  []keyRange
	scanned map[store.Bucket]bool // buckets whose delete marker must stay
	deletes map[store.Bucket]bool // buckets this transaction deletes in
}

func newReadSet() readSet {
	return readSet{keys: map[string]int64{}, scanned: map[store.Bucket]bool{}, deletes: map[store.Bucket]bool{}}
}

// tx is a read transaction or, with w set, one function's part of a
// group's write transaction.
type tx struct {
	s *snapshot
	// cache holds values read at the snapshot, shared by a group: those
	// read by Get and those a scan has paged in, since callers often Get
	// the key a scan just visited (the audit chain's walk does).
	cache map[string]cached
	// w is set in a write transaction.
	w *fnTx
	// ahead is, in a read transaction, what reading ahead learnt per
	// bucket; see readAhead.
	ahead map[store.Bucket]*span
}

// span says every key of its bucket in [from, to] is in the cache or
// absent, as of the snapshot.
type span struct {
	from, to string
	// lastMiss is the last key read from etcd by Get in the bucket.
	lastMiss string
	// size is the limit the span was read with; ahead counts the keys it
	// returned after from, and used how many Gets were answered from them.
	size, ahead, used int64
	// ascending counts the Gets read one by one since the last span, each
	// at a higher key than the one before.
	ascending int
}

// Reading ahead costs more than the keys it returns: etcd counts every key
// from the start of a range to its end, whatever its limit, so a page
// read from a case to the end of the cases bucket costs the member a walk
// over the rest of the bucket. A bucket is read ahead only once
// walkEvidence Gets in a row have each asked for a higher key — a walk in
// key order; Gets in no order (a queue page's cases, found through an
// index) almost never do so eight times running — and then in pages of
// firstAhead keys, doubling while the walk uses at least half of each.
const (
	walkEvidence = 8
	firstAhead   = 16
)

type cached struct {
	value  []byte
	modRev int64
}

// fnTx is one function's writes and reads, kept apart from its group's
// until it returns nil.
type fnTx struct {
	g      *group
	writes map[string]*write
	read   readSet
	bytes  int // encoded size of its writes
	// sawPending is set when it read a write of an earlier function of
	// its group, which holds only if the group commits.
	sawPending bool
}

func (t *tx) pending(key string) (*write, bool) {
	if t.w == nil {
		return nil, false
	}
	if w, ok := t.w.writes[key]; ok {
		return w, true
	}
	w, ok := t.w.g.writes[key]
	if ok {
		t.w.sawPending = true
	}
	return w, ok
}

// load reads key at the snapshot through the cache.
func (t *tx) load(b store.Bucket, key string) ([]byte, int64) {
	if c, ok := t.cache[key]; ok {
		if sp := t.ahead[b]; sp != nil && key > sp.from && key <= sp.to && sp.used < sp.ahead {
			sp.used++
		}
		return c.value, c.modRev
	}
	if t.w == nil {
		if found, v, rev := t.readAhead(b, key); found {
			return v, rev
		}
	}
	kv, err := t.s.get(key)
	if err != nil {
		return nil, 0
	}
	c := cached{}
	if kv != nil {
		c = cached{value: present(kv.Value), modRev: kv.ModRevision}
	}
	t.remember(nil)
	t.cache[key] = c
	return c.value, c.modRev
}

// readAhead serves a read transaction's Gets that walk a bucket in key
// order — the audit chain's payloads, a check's records — with one range
// read per run of keys instead of one read per key: once Gets in a bucket
// have walked upwards (see walkEvidence), it reads a page of keys from
// the one asked for, remembering that every key of the page's span not
// returned is absent. It reports whether it answered.
func (t *tx) readAhead(b store.Bucket, key string) (found bool, value []byte, modRev int64) {
	if t.ahead == nil {
		t.ahead = map[store.Bucket]*span{}
	}
	sp := t.ahead[b]
	if sp == nil {
		sp = &span{}
		t.ahead[b] = sp
	}
	if sp.to != "" && key >= sp.from && key <= sp.to {
		return true, nil, 0 // inside a span and not cached: absent
	}
	var size int64
	switch {
	case sp.lastMiss == "" || key <= sp.lastMiss:
		sp.lastMiss, sp.ascending = key, 0
		return false, nil, 0
	case sp.ahead > 0 && 2*sp.used >= sp.ahead: // the walk goes on
		size = min(2*sp.size, maxPage)
	case sp.ascending+1 < walkEvidence:
		sp.lastMiss = key
		sp.ascending++
		return false, nil, 0
	default:
		size = firstAhead
	}
	end := t.s.b.keys.bucketEnd(b)
	resp, err := t.s.rangeOp(key, clientv3.WithRange(end), clientv3.WithLimit(size))
	if err != nil {
		return true, nil, 0
	}
	t.remember(resp.Kvs)
	to := end
	if resp.More && len(resp.Kvs) > 0 {
		to = string(resp.Kvs[len(resp.Kvs)-1].Key)
	}
	ahead := int64(len(resp.Kvs))
	if ahead > 0 && string(resp.Kvs[0].Key) == key {
		ahead--
	}
	*sp = span{from: key, to: to, lastMiss: key, size: size, ahead: ahead}
	t.ahead[b] = sp
	if c, ok := t.cache[key]; ok {
		return true, c.value, c.modRev
	}
	return true, nil, 0
}

// Get implements store.ReadTx.
func (t *tx) Get(b store.Bucket, key []byte) []byte {
	k := t.s.b.keys.data(b, key)
	if w, ok := t.pending(k); ok {
		if w.deleted {
			return nil
		}
		return w.value
	}
	v, rev := t.load(b, k)
	if t.w != nil && t.s.err == nil {
		t.w.read.keys[k] = rev
	}
	return v
}

// Put implements store.WriteTx.
func (t *tx) Put(b store.Bucket, key, value []byte) error {
	if t.w == nil {
		return store.ErrReadOnly
	}
	k := t.s.b.keys.data(b, key)
	t.w.set(k, &write{value: append(make([]byte, 0, len(value)), value...)})
	return nil
}

// Delete implements store.WriteTx.
func (t *tx) Delete(b store.Bucket, key []byte) error {
	if t.w == nil {
		return store.ErrReadOnly
	}
	t.w.set(t.s.b.keys.data(b, key), &write{deleted: true})
	t.w.read.deletes[b] = true
	return nil
}

func (f *fnTx) set(key string, w *write) {
	if old, ok := f.writes[key]; ok {
		f.bytes -= opSize(key, old)
	}
	f.writes[key] = w
	f.bytes += opSize(key, w)
}

// opSize is about what a put or delete adds to a Txn request.
func opSize(key string, w *write) int { return len(key) + len(w.value) + 16 }

// overlay lists the pending writes in [from, end), in key order (reverse
// for a reverse scan), the function's own over its group's.
func (t *tx) overlay(from, end string, reverse bool) []string {
	if t.w == nil {
		return nil
	}
	var keys []string
	add := func(m map[string]*write) int {
		n := len(keys)
		for k := range m {
			if k >= from && k < end {
				keys = append(keys, k)
			}
		}
		return len(keys) - n
	}
	add(t.w.writes)
	if add(t.w.g.writes) > 0 {
		t.w.sawPending = true
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	if reverse {
		slices.Reverse(keys)
	}
	return keys
}

// merge walks a scan's stored keys, a page at a time, together with the
// transaction's pending writes in the same range, in scan order.
type merge struct {
	page []*mvccpb.KeyValue // what is left of the page read from etcd
	pend []string           // what is left of the pending writes' keys
	// first reports whether a stored key comes before a pending one in
	// scan order.
	first func(stored, pending string) bool
}

// take removes and returns the next key in scan order; a pending write
// wins over the stored value of its key, and deleted reports a pending
// delete, which the scan passes over. ok is false when both are used up.
func (m *merge) take(t *tx) (key string, value []byte, deleted, ok bool) {
	switch {
	case len(m.page) == 0 && len(m.pend) == 0:
		return "", nil, false, false
	case len(m.page) > 0 && (len(m.pend) == 0 || m.first(string(m.page[0].Key), m.pend[0])):
		key, value = string(m.page[0].Key), present(m.page[0].Value)
		m.page = m.page[1:]
		return key, value, false, true
	}
	key = m.pend[0]
	m.pend = m.pend[1:]
	if len(m.page) > 0 && string(m.page[0].Key) == key {
		m.page = m.page[1:]
	}
	w, _ := t.pending(key)
	return key, w.value, w.deleted, true
}

// scanned adds the range [from, end) of bucket b, which a scan read, to a
// write transaction's read set.
func (t *tx) scanned(b store.Bucket, from, end string) {
	if t.w != nil && t.s.err == nil {
		t.w.read.scanned[b] = true
		t.w.read.ranges = append(t.w.read.ranges, keyRange{from, end})
	}
}

// Scan implements store.ReadTx.
func (t *tx) Scan(b store.Bucket, start []byte, fn func(k, v []byte) (bool, error)) error {
	ks := t.s.b.keys
	from, end := ks.bucketStart(b), ks.bucketEnd(b)
	if start != nil {
		from = ks.data(b, start)
	}
	strip := len(ks.bucketStart(b))
	m := merge{pend: t.overlay(from, end, false), first: func(stored, pending string) bool { return stored < pending }}
	var (
		more   = true
		cursor = from
		limit  = int64(firstPage)
		last   string // the last key visited, for the read set
	)
	stop := func(err error) error {
		if last == "" { // stopped before visiting anything: nothing read past from
			last = from
		}
		t.scanned(b, from, last+"\x00")
		return err
	}
	for {
		if len(m.page) == 0 && more {
			resp, err := t.s.rangeOp(cursor, clientv3.WithRange(end), clientv3.WithLimit(limit))
			if err != nil {
				return err
			}
			m.page, more = resp.Kvs, resp.More
			t.remember(m.page)
			if len(m.page) > 0 {
				cursor = string(m.page[len(m.page)-1].Key) + "\x00"
			}
			limit = min(limit*4, maxPage)
		}
		key, value, deleted, ok := m.take(t)
		if !ok {
			t.scanned(b, from, end)
			return nil
		}
		last = key
		if deleted {
			continue
		}
		cont, err := fn([]byte(key[strip:]), value)
		if err != nil || !cont {
			return stop(err)
		}
	}
}

// ScanReverse implements store.ReadTx. etcd ranges only ascend, and a
// descending range is sorted on the member after reading the whole range,
// so each page is read as keys only (from the member's in-memory index,
// without touching values) and then the page's values with one ascending
// range over exactly those keys.
func (t *tx) ScanReverse(b store.Bucket, start []byte, fn func(k, v []byte) (bool, error)) error {
	ks := t.s.b.keys
	from, end := ks.bucketStart(b), ks.bucketEnd(b)
	if start != nil {
		end = ks.data(b, start) + "\x00"
	}
	strip := len(ks.bucketStart(b))
	m := merge{pend: t.overlay(from, end, true), first: func(stored, pending string) bool { return stored > pending }}
	var (
		more  = true
		upper = end
		limit = int64(firstPage)
		last  string
	)
	for {
		if len(m.page) == 0 && more {
			resp, err := t.s.rangeOp(from, clientv3.WithRange(upper), clientv3.WithLimit(limit),
				clientv3.WithSort(clientv3.SortByKey, clientv3.SortDescend), clientv3.WithKeysOnly())
			if err != nil {
				return err
			}
			keys := resp.Kvs
			more = resp.More
			if len(keys) > 0 {
				hi, lo := string(keys[0].Key), string(keys[len(keys)-1].Key)
				vals, err := t.s.rangeOp(lo, clientv3.WithRange(hi+"\x00"))
				if err != nil {
					return err
				}
				m.page = slices.Clone(vals.Kvs)
				t.remember(m.page)
				slices.Reverse(m.page)
				upper = lo
			}
			limit = min(limit*4, maxPage)
		}
		key, value, deleted, ok := m.take(t)
		if !ok {
			t.scanned(b, from, end)
			return nil
		}
		last = key
		if deleted {
			continue
		}
		cont, err := fn([]byte(key[strip:]), value)
		if err != nil || !cont {
			t.scanned(b, last, end)
			return err
		}
	}
}
