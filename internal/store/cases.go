package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/keyring"
)

// GetCase reads one case.
func GetCase(tx ReadTx, id string) (*cases.Case, error) {
	raw := CaseRecord(tx, id)
	if raw == nil {
		return nil, fmt.Errorf("case %q: %w", id, ErrNotFound)
	}
	return DecodeCase(tx, id, raw)
}

// CaseRecord returns a case's stored bytes, or nil; they are valid only
// inside tx. With DecodeCase it lets a reader skip decoding a record it
// already holds decoded.
func CaseRecord(tx ReadTx, id string) []byte { return tx.Get(BucketCases, []byte(id)) }

// CaseRecords is CaseRecord for several cases at once, read together (one
// round trip on a networked engine), in the order of ids.
func CaseRecords(tx ReadTx, ids []string) [][]byte {
	keys := make([][]byte, len(ids))
	for i, id := range ids {
		keys[i] = []byte(id)
	}
	return tx.GetMany(BucketCases, keys)
}

// CaseIDByReference resolves a public reference.
func CaseIDByReference(tx ReadTx, reference string) (string, error) {
	return lookupID(tx, BucketByReference, reference)
}

func lookupID(tx ReadTx, b Bucket, key string) (string, error) {
	if key == "" {
		return "", ErrNotFound
	}
	id := tx.Get(b, []byte(key))
	if id == nil {
		return "", ErrNotFound
	}
	return string(id), nil
}

// CaseIndex is the set of index entries a case had when it was read, for
// PutCase to bring up to date. Take it with IndexOf before changing the case.
type CaseIndex []indexEntry

// IndexOf returns the index entries the case c should have, as it stands.
func IndexOf(tx ReadTx, c *cases.Case) (CaseIndex, error) {
	h, err := requesterHasher(tx)
	if err != nil {
		return nil, err
	}
	return indexEntries(c, h), nil
}

// PutCase writes a case and brings every secondary index in line with it,
// in the caller's transaction. before is IndexOf the case as it was read
// in this transaction, or nil for a new case.
func PutCase(tx WriteTx, before CaseIndex, c *cases.Case) error {
	raw, err := encodeCase(tx, c)
	if err != nil {
		return err
	}
	if err := tx.Put(BucketCases, []byte(c.ID), raw); err != nil {
		return err
	}
	after, err := IndexOf(tx, c)
	if err != nil {
		return err
	}
	return syncIndexes(tx, before, after)
}

// PreparedCase is a new case encoded ahead of the transaction that writes
// it: its record (JSON, compressed, and in a sealed store split and sealed
// under a new data key) and its index entries (the requester's keyed
// hashes among them). Concurrent writers share one commit, so work done
// inside a write transaction is work every waiting writer waits for; done
// here, each writer's own goroutine does it beforehand.
type PreparedCase struct {
	c      *cases.Case
	record []byte
	key    *newDataKey // nil in a plain store
	index  CaseIndex
}

// PrepareNewCase encodes c, a case not stored yet, for PutNewCase. tx is a
// read transaction of the store it will be written to. c must not change
// afterwards: what PutNewCase writes is what c was here.
func PrepareNewCase(tx ReadTx, c *cases.Case) (*PreparedCase, error) {
	index, err := IndexOf(tx, c)
	if err != nil {
		return nil, err
	}
	p := &PreparedCase{c: c, index: index}
	var key *keyring.DataKey
	if ctx, s := sealerOf(tx); s != nil {
		if p.key, err = s.newDataKey(ctx, c.ID); err != nil {
			return nil, err
		}
		key = p.key.key
	}
	p.record, err = encodeCaseRecord(c, key)
	return p, err
}

// PutNewCase writes a prepared case and its index entries in tx: what
// PutCase(tx, nil, c) writes, without encoding anything. A case that
// already has a data key in tx is not new after all, and is encoded again
// under that key.
func PutNewCase(tx WriteTx, p *PreparedCase) error {
	id := []byte(p.c.ID)
	_, s := sealerOf(tx)
	if (s == nil) != (p.key == nil) {
		return fmt.Errorf("case %q was prepared for another store", p.c.ID)
	}
	if s != nil {
		if tx.Get(BucketCaseKeys, id) != nil {
			return PutCase(tx, nil, p.c)
		}
		if err := s.putDataKey(tx, p.c.ID, p.key); err != nil {
			return err
		}
	}
	if err := tx.Put(BucketCases, id, p.record); err != nil {
		return err
	}
	return syncIndexes(tx, nil, p.index)
}

type indexEntry struct {
	bucket     Bucket
	key, value []byte
}

// caseIndexes lists every bucket indexEntries writes entries to, for
// CheckConsistency to look for stale entries in.
var caseIndexes = []Bucket{
	BucketByState, BucketByNotice, BucketByReceived, BucketByReference,
	BucketOpenByDue, BucketByAssignee, BucketByRequester, BucketUndelivered, BucketOpenByTerm, BucketClosed,
}

// indexEntries lists every index entry a case should have; the diff between
// its old and new lists is all PutCase writes, so indexes cannot drift, and
// CaseIndexesConsistent and CheckConsistency compare the stored indexes
// with it, so there is one definition of every index key. requesterTerms
// keys the requester index's hashes; with none (CheckConsistency on a
// database whose key is missing or out of reach) the requester entries are
// left out.
func indexEntries(c *cases.Case, requesterTerms termHasher) []indexEntry {
	id := []byte(c.ID)
	entries := []indexEntry{
		{BucketByState, indexKey(string(c.State), c.Clock.Due, c.ID), nil},
		{BucketByReceived, indexKey(c.ReceivedOn, c.ID), nil},
		{BucketByReference, []byte(c.Reference), id},
	}
	for _, n := range c.Notices { // one entry per notice the case names
		entries = append(entries, indexEntry{BucketByNotice, indexKey(n.ID+"\x00"+c.ReceivedOn, c.ID), nil})
	}
	if c.Open() {
		entries = append(entries, indexEntry{BucketOpenByDue, indexKey(c.Clock.Due, c.ID), nil})
		if c.Assignee != "" {
			entries = append(entries, indexEntry{BucketByAssignee, indexKey(c.Assignee+"\x00"+c.Clock.Due, c.ID), nil})
		}
		entries = append(entries, openTermEntries(c)...)
		if c.NewReply {
			entries = append(entries, newReplyEntry(c))
		}
		if e, ok := chaseEntry(c); ok {
			entries = append(entries, e)
		}
	}
	if c.Undelivered() {
		entries = append(entries, indexEntry{BucketUndelivered, indexKey(c.Clock.Due, c.ID), nil})
	}
	if !c.Open() {
		entries = append(entries, closedEntry(c))
	}
	if requesterTerms == nil {
		return entries
	}
	return append(entries, requesterEntries(c, requesterTerms)...)
}

// Open cases are also indexed in due order by each right they ask for and
// each notice they name (BucketOpenByTerm), so that the queue filtered by
// either, alone or with other indexed terms, reads only entries that match
// instead of every open case.
// Their prefixes are short: every open case has an entry under each.
// The open cases with a reply staff have not read are there too, under a
// prefix of their own, so the "new replies" view reads only them.
const (
	openTermRight  = "r:"
	openTermNotice = "n:"
	// OpenNewReplyPrefix is the prefix of the open cases with a new reply
	// in BucketOpenByTerm; what follows it is "due/id".
	OpenNewReplyPrefix = "f:new_reply\x00"
	// openChasePrefix is the prefix of the open cases with a search
	// request to chase once its due date has passed; what follows it is
	// the earliest such date (cases.Case.NextChase) "/id".
	openChasePrefix = "f:chase\x00"
)

// OpenRightPrefix is the prefix of the open cases asking for right in
// BucketOpenByTerm; what follows it is "due/id".
func OpenRightPrefix(right string) string { return openTermRight + right + "\x00" }

// OpenNoticePrefix is OpenRightPrefix for the open cases naming a notice.
func OpenNoticePrefix(noticeID string) string { return openTermNotice + noticeID + "\x00" }

func openTermEntries(c *cases.Case) []indexEntry {
	var entries []indexEntry
	for _, r := range c.Rights {
		entries = append(entries, indexEntry{BucketOpenByTerm, indexKey(OpenRightPrefix(string(r.Right))+c.Clock.Due, c.ID), nil})
	}
	for _, n := range c.Notices {
		entries = append(entries, indexEntry{BucketOpenByTerm, indexKey(OpenNoticePrefix(n.ID)+c.Clock.Due, c.ID), nil})
	}
	return entries
}

// The states of a stored index entry against the one a record implies.
const (
	entryPresent   = iota
	entryMissing   // no entry under the key
	entryElsewhere // an entry under the key, pointing at another case
)

// entryState compares the stored index with entry e.
func entryState(tx ReadTx, e indexEntry) int {
	got := tx.Get(e.bucket, e.key)
	switch {
	case got == nil:
		return entryMissing
	case e.value != nil && !bytes.Equal(got, e.value):
		return entryElsewhere
	}
	return entryPresent
}

// requestIDState is entryState for the request id of c, which its create's
// replay record indexes (replays.go), and the case id that record names.
// A case without a request id has nothing to find.
func requestIDState(tx ReadTx, c *cases.Case) (state int, found string, err error) {
	if c.RequestID == "" {
		return entryPresent, "", nil
	}
	switch found, err = CaseIDByRequestID(tx, c.RequestID); {
	case errors.Is(err, ErrNotFound):
		return entryMissing, "", nil
	case err != nil:
		return 0, "", err
	case found != c.ID:
		return entryElsewhere, found, nil
	}
	return entryPresent, found, nil
}

// indexKey joins parts with "/", the case id last.
func indexKey(parts ...string) []byte {
	var b bytes.Buffer
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(p)
	}
	return b.Bytes()
}

// IndexedCaseID returns the case id at the end of an index key.
func IndexedCaseID(key []byte) string {
	return string(key[bytes.LastIndexByte(key, '/')+1:])
}

// syncIndexes deletes the entries only before has and puts the ones only
// after has (or whose value changed). An entry both hold is left alone:
// rewriting it would dirty its page, and so cost a page write at commit,
// in every index on every change to a case.
func syncIndexes(tx WriteTx, before, after []indexEntry) error {
	had := make(map[string][]byte, len(before))
	for _, e := range before {
		had[string(e.bucket)+"\x01"+string(e.key)] = e.value
	}
	wanted := make(map[string]bool, len(after))
	for _, e := range after {
		id := string(e.bucket) + "\x01" + string(e.key)
		wanted[id] = true
		if value, ok := had[id]; ok && bytes.Equal(value, e.value) {
			continue
		}
		if len(e.key) > MaxKeySize {
			return fmt.Errorf("case %s: %w: an entry of index %s would be %d bytes", IndexedCaseID(e.key), ErrKeyTooLong, e.bucket, len(e.key))
		}
		if err := tx.Put(e.bucket, e.key, e.value); err != nil {
			return err
		}
	}
	for _, e := range before {
		if !wanted[string(e.bucket)+"\x01"+string(e.key)] {
			if err := tx.Delete(e.bucket, e.key); err != nil {
				return err
			}
		}
	}
	return nil
}

// CaseIndexesConsistent reports every index entry a stored case should have
// but lacks; the crash test and conformance suite use it.
func CaseIndexesConsistent(tx ReadTx, c *cases.Case) error {
	h, err := requesterHasher(tx)
	if err != nil {
		return err
	}
	for _, e := range indexEntries(c, h) {
		if entryState(tx, e) != entryPresent {
			return fmt.Errorf("case %s: index %s lacks %q", c.ID, e.bucket, e.key)
		}
	}
	if state, _, err := requestIDState(tx, c); err != nil || state != entryPresent {
		return fmt.Errorf("case %s: its request id does not find it (%d, %v)", c.ID, state, err)
	}
	return nil
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

// indexOpenTerms enters every open case in BucketOpenByTerm (schema
// version 4). It runs inside Open's transaction, before the keyring is at
// hand, and needs only what a sealed record keeps readable: state, due
// date, rights and notices.
func indexOpenTerms(tx WriteTx) error {
	return indexEveryCase(tx, func(k, v []byte) ([]indexEntry, error) {
		c, err := caseSkeleton(string(k), v)
		if err != nil || !c.Open() {
			return nil, err
		}
		return openTermEntries(c), nil
	})
}

func newReplyEntry(c *cases.Case) indexEntry {
	return indexEntry{BucketOpenByTerm, indexKey(OpenNewReplyPrefix+c.Clock.Due, c.ID), nil}
}

// indexNewReplies enters every open case with a new reply in
// BucketOpenByTerm (schema version 5). Whether a reply is new is sealed
// with the rest of the record, so this migration reads whole cases: it
// needs the keyring of a sealed store (ErrKeyringRequired without).
func indexNewReplies(tx WriteTx) error {
	return indexEveryCase(tx, func(k, v []byte) ([]indexEntry, error) {
		if skel, err := caseSkeleton(string(k), v); err != nil || !skel.Open() {
			return nil, err // closed cases are not decoded
		}
		c, err := DecodeCase(tx, string(k), v)
		if err != nil || !c.NewReply {
			return nil, err
		}
		return []indexEntry{newReplyEntry(c)}, nil
	})
}

func chaseEntry(c *cases.Case) (indexEntry, bool) {
	next := c.NextChase()
	return indexEntry{BucketOpenByTerm, indexKey(openChasePrefix+next, c.ID), nil}, next != ""
}

// CasesToChase lists the open cases with a search request sent and not
// chased whose due date is before today, from BucketOpenByTerm alone.
func CasesToChase(tx ReadTx, today string) ([]string, error) {
	var ids []string
	err := tx.Scan(BucketOpenByTerm, []byte(openChasePrefix), func(k, _ []byte) (bool, error) {
		rest, ok := bytes.CutPrefix(k, []byte(openChasePrefix))
		if !ok || string(rest) >= today { // "due/id" sorts from its date
			return false, nil
		}
		ids = append(ids, IndexedCaseID(k))
		return true, nil
	})
	return ids, err
}

func closedEntry(c *cases.Case) indexEntry {
	f := c.RetentionFacts()
	return indexEntry{BucketClosed, indexKey(string(f.Outcome), f.ClosedOn, flag(f.Held), flag(f.Purged), c.ID), nil}
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// EachClosedCase calls fn with the id and retention facts of every closed
// case, from BucketClosed alone: no case record is read or decoded.
func EachClosedCase(tx ReadTx, fn func(id string, f cases.RetentionFacts) error) error {
	return tx.Scan(BucketClosed, nil, func(k, _ []byte) (bool, error) {
		// The closing date is what lies between the outcome and the flags,
		// whatever it holds.
		key := string(k)
		last := strings.LastIndexByte(key, '/')
		first := strings.IndexByte(key, '/')
		if first < 0 || last-first < 5 || key[last-4] != '/' || key[last-2] != '/' {
			return false, fmt.Errorf("index %s: a malformed key of %d bytes", BucketClosed, len(k))
		}
		f := cases.RetentionFacts{
			Outcome:  cases.OutcomeKind(key[:first]),
			ClosedOn: key[first+1 : last-4],
			Held:     key[last-3] == '1',
			Purged:   key[last-1] == '1',
		}
		return true, fn(key[last+1:], f)
	})
}

// indexRetentionAndChases enters every closed case in BucketClosed, and
// every open case with a search request to chase in BucketOpenByTerm
// (schema version 6). Outcomes, holds and search requests are sealed with
// the rest of the record, so, like indexNewReplies, it reads whole cases
// and needs the keyring of a sealed store.
func indexRetentionAndChases(tx WriteTx) error {
	return indexEveryCase(tx, func(k, v []byte) ([]indexEntry, error) {
		c, err := DecodeCase(tx, string(k), v)
		if err != nil {
			return nil, err
		}
		if !c.Open() {
			return []indexEntry{closedEntry(c)}, nil
		}
		if e, ok := chaseEntry(c); ok {
			return []indexEntry{e}, nil
		}
		return nil, nil
	})
}

// indexEveryCase enters in their indexes the entries entriesOf gives for
// every stored case, for a migration that adds an index. It reads cases in
// batches and writes each batch's entries after the scan stops, so memory
// stays bounded and no backend is asked to write to one bucket while
// iterating another.
func indexEveryCase(tx WriteTx, entriesOf func(k, v []byte) ([]indexEntry, error)) error {
	const batch = 1000 // cases a scan reads before their entries are written
	var start []byte
	for {
		var (
			entries []indexEntry
			next    []byte
			n       int
		)
		err := tx.Scan(BucketCases, start, func(k, v []byte) (bool, error) {
			if n == batch {
				return false, nil
			}
			more, err := entriesOf(k, v)
			if err != nil {
				return false, err
			}
			entries = append(entries, more...)
			next = append(append(next[:0], k...), 0) // the first key after k
			n++
			return true, nil
		})
		if err != nil {
			return err
		}
		if err := syncIndexes(tx, nil, entries); err != nil {
			return err
		}
		if n < batch {
			return nil
		}
		start = next
	}
}

// caseSkeleton decodes what a record keeps readable without the keyring:
// the whole of a plain record, the clear fields (clearCaseFields) of a
// sealed one.
func caseSkeleton(id string, raw []byte) (*cases.Case, error) {
	if !bytes.HasPrefix(raw, sealedMagic) {
		return decodePlainCase(id, raw)
	}
	rest := raw[len(sealedMagic):]
	n, size := binary.Uvarint(rest)
	if size <= 0 || n > uint64(len(rest)-size) {
		return nil, fmt.Errorf("case %q: %w: bad skeleton length", id, errDamagedRecord)
	}
	return decodePlainCase(id, rest[size:size+int(n)])
}
