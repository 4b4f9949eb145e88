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
	// requests and keys count the reads sent and the keys they returned
	// with their values, learnt those returned without (to learn fences);
	// counted is the keys the members walked to answer them, which for a
	// range is every key from its start to its end, whatever its limit.
	requests, keys, learnt int
	counted                int64
}

// at runs one read at the snapshot: do sends it with the options it
// gets, which every request of the read must carry, and returns the
// revision it was answered at. The first read of a snapshot is
// linearizable and fixes the revision; later ones ask for that revision,
// served by the member they reach when it has applied it.
func (s *snapshot) at(do func(ctx context.Context, at ...clientv3.OpOption) (rev int64, err error)) error {
	if s.err != nil {
		return s.err
	}
	read := func(at ...clientv3.OpOption) (rev int64, err error) {
		err = s.b.retry(s.ctx, "a read", func(ctx context.Context) (err error) {
			rev, err = do(ctx, at...)
			return err
		})
		return rev, err
	}
	var (
		rev int64
		err error
	)
	if s.rev == 0 {
		rev, err = read()
	} else if rev, err = read(clientv3.WithRev(s.rev), clientv3.WithSerializable()); errors.Is(err, rpctypes.ErrFutureRev) {
		rev, err = read(clientv3.WithRev(s.rev))
	}
	if err != nil {
		if errors.Is(err, rpctypes.ErrCompacted) {
			err = fmt.Errorf("%w: %w (the snapshot at revision %d was compacted while in use)", errSnapshotGone, err, s.rev)
		}
		s.err = err
		return err
	}
	if s.rev == 0 {
		s.rev = rev
	}
	return nil
}

// rangeOp reads key (and, with options, a range from it) at the snapshot.
func (s *snapshot) rangeOp(key string, opts ...clientv3.OpOption) (*clientv3.GetResponse, error) {
	var resp *clientv3.GetResponse
	err := s.at(func(ctx context.Context, at ...clientv3.OpOption) (rev int64, err error) {
		resp, err = s.b.cli.Get(ctx, key, append(slices.Clip(opts), at...)...)
		if err != nil {
			return 0, err
		}
		return resp.Header.Revision, nil
	})
	if err != nil {
		return nil, err
	}
	s.requests++
	s.keys += len(resp.Kvs)
	s.counted += resp.Count
	return resp, nil
}

// getMany reads single keys at the snapshot, as many to a request as the
// cluster takes in one Txn: a read-only Txn of serializable Gets is
// answered by the member it reaches, in one round trip, and a Get of one
// key (no range end) makes the member look up that key alone. It returns
// the keys present.
func (s *snapshot) getMany(keys []string) ([]*mvccpb.KeyValue, error) {
	var found []*mvccpb.KeyValue
	for chunk := range slices.Chunk(keys, s.b.opts.MaxTxnOps) {
		var resp *clientv3.TxnResponse
		err := s.at(func(ctx context.Context, at ...clientv3.OpOption) (rev int64, err error) {
			ops := make([]clientv3.Op, len(chunk))
			for i, k := range chunk {
				ops[i] = clientv3.OpGet(k, at...)
			}
			resp, err = s.b.cli.Txn(ctx).Then(ops...).Commit()
			if err != nil {
				return 0, err
			}
			return resp.Header.Revision, nil
		})
		if err != nil {
			return nil, err
		}
		s.requests++
		for _, r := range resp.Responses {
			kvs := r.GetResponseRange().GetKvs()
			found = append(found, kvs...)
			s.keys += len(kvs)
			s.counted += int64(len(kvs))
		}
	}
	return found, nil
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

// makeRoom empties the cache when n more entries would overflow it.
func (t *tx) makeRoom(n int) {
	if len(t.cache)+n > maxCached {
		clear(t.cache)
		clear(t.ahead) // a span vouches for the cache: they go together
	}
}

func (t *tx) remember(kvs []*mvccpb.KeyValue) {
	t.makeRoom(len(kvs))
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
	// learnt is how far the next read that counts to a bucket's end
	// learns; see learnSize.
	learnt map[store.Bucket]int64
}

// span says every key of its bucket in [from, to) is in the cache or
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

// Reading ahead costs more than the keys it returns (a range, and a page
// of records), so a bucket is read ahead only once walkEvidence Gets in a
// row have each asked for a higher key — a walk in key order; Gets in no
// order (a queue page's cases, found through an index) almost never do so
// eight times running — and then in pages of firstAhead keys, doubling
// while the walk uses at least half of each.
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
		if sp := t.ahead[b]; sp != nil && key > sp.from && key < sp.to && sp.used < sp.ahead {
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
	if sp.to != "" && key >= sp.from && key < sp.to {
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
	resp, to, err := t.pageAfter(b, key, size)
	if err != nil {
		return true, nil, 0
	}
	t.remember(resp.Kvs)
	if to == "" {
		to = t.s.b.keys.bucketEnd(b)
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

// GetMany implements store.ReadTx: what is neither written in the
// transaction nor already read is read in one request (or one per
// Options.MaxTxnOps keys), at the snapshot, and recorded as Get records it.
func (t *tx) GetMany(b store.Bucket, keys [][]byte) [][]byte {
	ks := t.s.b.keys
	known := make(map[string]cached, len(keys))
	var missing []string
	for _, key := range keys {
		k := ks.data(b, key)
		if _, ok := t.pending(k); ok {
			continue
		}
		if c, ok := t.cache[k]; ok {
			known[k] = c
		} else if _, asked := known[k]; !asked {
			known[k] = cached{} // absent unless the read finds it
			missing = append(missing, k)
		}
	}
	values := make([][]byte, len(keys))
	if len(missing) > 0 {
		kvs, err := t.s.getMany(missing)
		if err != nil {
			return values // the transaction fails with the error
		}
		for _, kv := range kvs {
			known[string(kv.Key)] = cached{value: present(kv.Value), modRev: kv.ModRevision}
		}
		t.makeRoom(len(missing))
		for _, k := range missing {
			t.cache[k] = known[k]
		}
	}
	for i, key := range keys {
		k := ks.data(b, key)
		if w, ok := t.pending(k); ok {
			if !w.deleted {
				values[i] = w.value
			}
			continue
		}
		c := known[k]
		values[i] = c.value
		if t.w != nil && t.s.err == nil {
			t.w.read.keys[k] = c.modRev
		}
	}
	return values
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

// pageAfter reads up to limit keys from cursor on, in a range that ends
// where the fences put about limit keys, so the member counts about a
// page, not the rest of the bucket. next is where the following page
// starts, "" when this one reached the bucket's end.
func (t *tx) pageAfter(b store.Bucket, cursor string, limit int64) (resp *clientv3.GetResponse, next string, err error) {
	ks, f := t.s.b.keys, &t.s.b.fences
	first, end := ks.bucketStart(b), ks.bucketEnd(b)
	e, ok := f.ahead(b, end, cursor, int(limit))
	if !ok {
		// Nothing learnt that far: the one read that counts to the end
		// of the bucket learns, from keys alone, far past this page.
		n := t.learnSize(b)
		learnt, err := t.s.rangeOp(cursor, clientv3.WithRange(end), clientv3.WithLimit(n), clientv3.WithKeysOnly())
		if err != nil {
			return nil, "", err
		}
		t.s.keys -= len(learnt.Kvs)
		t.s.learnt += len(learnt.Kvs)
		f.learn(b, first, end, cursor, end, learnt.Kvs, !learnt.More)
		if e, ok = f.ahead(b, end, cursor, int(limit)); !ok {
			e = end
		}
	}
	if resp, err = t.s.rangeOp(cursor, clientv3.WithRange(e), clientv3.WithLimit(limit)); err != nil {
		return nil, "", err
	}
	f.learn(b, first, end, cursor, e, resp.Kvs, !resp.More)
	switch {
	case resp.More:
		next = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
	case e != end:
		next = e
	}
	if resp.More && resp.Count > staleFactor*(limit+fenceGap) {
		// The fences here are stale (keys added since, or a stretch
		// never read): learn the rest of the range, which costs what
		// this read cost, instead of paying it again on every page.
		learnt, err := t.s.rangeOp(next, clientv3.WithRange(e), clientv3.WithLimit(t.learnSize(b)), clientv3.WithKeysOnly())
		if err != nil {
			return nil, "", err
		}
		t.s.keys -= len(learnt.Kvs)
		t.s.learnt += len(learnt.Kvs)
		f.learn(b, first, end, next, e, learnt.Kvs, !learnt.More)
	}
	return resp, next, nil
}

// staleFactor is how many times more keys than a page's range was meant
// to hold make its fences stale.
const staleFactor = 4

// pageBefore reads the keys in [lo, upper), lo a fence about limit keys
// below upper (or from, the bucket's start); next is upper for the page
// below, "" when this one reached from.
func (t *tx) pageBefore(b store.Bucket, from, upper string, limit int64) (kvs []*mvccpb.KeyValue, next string, err error) {
	ks, f := t.s.b.keys, &t.s.b.fences
	first, end := ks.bucketStart(b), ks.bucketEnd(b)
	lo, ok := f.below(b, first, upper, int(limit))
	if !ok {
		// Nothing learnt below: ask the member for the last keys before
		// upper, which it finds by sorting every key from the bucket's
		// start (it cannot range downwards), once, and learn from them.
		desc, err := t.s.rangeOp(from, clientv3.WithRange(upper), clientv3.WithLimit(limit),
			clientv3.WithSort(clientv3.SortByKey, clientv3.SortDescend), clientv3.WithKeysOnly())
		if err != nil {
			return nil, "", err
		}
		t.s.keys -= len(desc.Kvs)
		t.s.learnt += len(desc.Kvs)
		keys := slices.Clone(desc.Kvs)
		slices.Reverse(keys)
		lo = from
		if desc.More {
			lo = string(keys[0].Key)
		}
		f.learn(b, first, end, lo, upper, keys, true)
	}
	lo = max(lo, from)
	for {
		// A fence gone stale under many new keys makes the range hold
		// more than a page: keep to its top, which is what the scan wants.
		resp, err := t.s.rangeOp(lo, clientv3.WithRange(upper), clientv3.WithLimit(reversePageCap))
		if err != nil {
			return nil, "", err
		}
		f.learn(b, first, end, lo, upper, resp.Kvs, !resp.More)
		if !resp.More {
			kvs = resp.Kvs
			break
		}
		lo = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
	}
	if lo > from {
		next = lo
	}
	return kvs, next, nil
}

// reversePageCap bounds a reverse page read under a stale fence.
const reversePageCap = 4 * maxPage

// learnSize is how many keys the next read that counts to the end of
// bucket b learns from: more each time in one transaction, so a long walk
// past what was learnt counts to the end a few times, not once a page.
func (t *tx) learnSize(b store.Bucket) int64 {
	if t.learnt == nil {
		t.learnt = map[store.Bucket]int64{}
	}
	n := max(t.learnt[b], firstLearn)
	t.learnt[b] = min(4*n, maxLearn)
	return n
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
		cursor = from // "" once the bucket's end was read
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
		for len(m.page) == 0 && cursor != "" {
			resp, next, err := t.pageAfter(b, cursor, limit)
			if err != nil {
				return err
			}
			m.page, cursor = resp.Kvs, next
			t.remember(m.page)
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

// ScanReverse implements store.ReadTx. etcd ranges only ascend, so each
// page is an ascending range from a fence below the last page.
func (t *tx) ScanReverse(b store.Bucket, start []byte, fn func(k, v []byte) (bool, error)) error {
	ks := t.s.b.keys
	from, end := ks.bucketStart(b), ks.bucketEnd(b)
	if start != nil {
		end = ks.data(b, start) + "\x00"
	}
	strip := len(ks.bucketStart(b))
	m := merge{pend: t.overlay(from, end, true), first: func(stored, pending string) bool { return stored > pending }}
	var (
		upper = end // "" once the bucket's start was read
		limit = int64(firstPage)
		last  string
	)
	for {
		for len(m.page) == 0 && upper != "" {
			kvs, next, err := t.pageBefore(b, from, upper, limit)
			if err != nil {
				return err
			}
			t.remember(kvs)
			m.page, upper = slices.Clone(kvs), next
			slices.Reverse(m.page)
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
