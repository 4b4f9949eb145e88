package etcd

import (
	"slices"
	"sync"

	"go.etcd.io/etcd/api/v3/mvccpb"

	"github.com/rightsdesk/rightsdesk/internal/store"
)

// fences are what the backend has learnt of where the keys of each bucket
// lie, so that a range read can end about a page ahead instead of at the
// bucket's end. etcd counts every key from a range's start to its end,
// whatever its limit: a page of 64 read up to the end of an index of
// 100,000 keys costs the member a walk over all of them, a range that
// ends a page ahead costs it that page.
//
// A bucket's fences are points of its key space, in order, about fenceGap
// stored keys apart as reads last saw them. Every range read replaces the
// fences inside the span it covered with ones drawn from the keys it
// returned, so they follow the data where it is read, and the places no
// one reads cost nothing. Fences only ever end a range, and any key can:
// a stale one makes a page shorter (one more read) or a walk longer, never
// an answer wrong.
type fences struct {
	mu       sync.Mutex
	byBucket map[store.Bucket][]string
}

const (
	// fenceGap is the stored keys between fences, a fraction of the
	// first page, so a page's end lies close to the keys it wants.
	fenceGap = 32
	// maxFences bounds a bucket's fences (about 1 MB of keys, for half a
	// million keys read); past it a bucket starts again from what the
	// last read saw.
	maxFences = 1 << 14
	// firstLearn is how many keys a read learns from when it finds no
	// fence ahead: it pays for one count to the end of the bucket, so it
	// learns far ahead, for the pages after this one (keys only, no values).
	// A scan that keeps going learns four times as far each time.
	firstLearn = 4096
	maxLearn   = 1 << 16
)

// ahead returns a fence with about want keys (or more) between from and
// it, or, when the fences reach the bucket's end, that end. ok is false
// when nothing learnt lies far enough ahead.
func (f *fences) ahead(b store.Bucket, bucketEnd, from string, want int) (end string, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fs := f.byBucket[b]
	i, _ := slices.BinarySearch(fs, from)
	if i < len(fs) && fs[i] == from {
		i++
	}
	switch j := i + (want+fenceGap-1)/fenceGap; {
	case j < len(fs):
		return fs[j], true
	case len(fs) > 0 && fs[len(fs)-1] == bucketEnd:
		return bucketEnd, true
	}
	return "", false
}

// below returns a fence with about want keys (or more) between it and
// upper, or, when the fences reach back to the bucket's start, that start.
func (f *fences) below(b store.Bucket, bucketStart, upper string, want int) (lo string, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fs := f.byBucket[b]
	i, _ := slices.BinarySearch(fs, upper) // fs[i-1] is the last fence before upper
	switch j := i - 1 - (want+fenceGap-1)/fenceGap; {
	case j >= 0:
		return fs[j], true
	case len(fs) > 0 && fs[0] == bucketStart:
		return bucketStart, true
	}
	return "", false
}

// learn takes in a read of bucket b over [lo, hi) that returned kvs, in
// key order: all the keys of the range when complete, else its first
// ones. Where the read reached the bucket's start or end it says so too,
// so the bucket's edges need no count to find.
func (f *fences) learn(b store.Bucket, bucketStart, bucketEnd, lo, hi string, kvs []*mvccpb.KeyValue, complete bool) {
	covered := hi // the span whose every key the read saw
	if !complete {
		if len(kvs) == 0 {
			return
		}
		covered = string(kvs[len(kvs)-1].Key) + "\x00"
	}
	learnt := make([]string, 0, len(kvs)/fenceGap+2)
	for i := fenceGap; i < len(kvs); i += fenceGap {
		learnt = append(learnt, string(kvs[i].Key))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.byBucket == nil {
		f.byBucket = map[store.Bucket][]string{}
	}
	fs := f.byBucket[b]
	// The fences strictly inside the span go; lo, where a page began,
	// stays a fence if it was one.
	from, _ := slices.BinarySearch(fs, lo)
	if from < len(fs) && fs[from] == lo {
		from++
	} else if lo == bucketStart {
		learnt = slices.Insert(learnt, 0, lo)
	}
	to, _ := slices.BinarySearch(fs, covered)
	if complete && hi == bucketEnd && (to == len(fs) || fs[to] != hi) {
		learnt = append(learnt, hi)
	}
	fs = slices.Replace(fs, from, to, learnt...)
	if len(fs) > maxFences {
		fs = learnt
	}
	f.byBucket[b] = fs
}
