package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"strings"
)

// MaxProblems bounds the problems CheckConsistency keeps; it counts the
// rest in Consistency.Omitted.
const MaxProblems = 1000

// Problem is one disagreement between stored records and their indexes.
// It names buckets, case ids and audit sequence numbers only, never an
// index key or a value, which may hold personal data (a request id, an
// assignee); a case id is shown only when it is a stored case's id or has
// the shape of one.
type Problem struct {
	Bucket Bucket // the bucket whose entry is missing, wrong or stale
	CaseID string // the case (or audit subject) concerned; "" when unknown or unsafe to show
	Seq    uint64 // the audit event concerned, 0 when none
	Detail string
}

// String reads like "idx_state: case 01J…: its entry is missing".
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(string(p.Bucket))
	if p.CaseID != "" {
		fmt.Fprintf(&b, ": case %s", p.CaseID)
	}
	if p.Seq != 0 {
		fmt.Fprintf(&b, ": event %d", p.Seq)
	}
	b.WriteString(": ")
	b.WriteString(p.Detail)
	return b.String()
}

// Consistency is what CheckConsistency found.
type Consistency struct {
	Cases        int // case records
	IndexEntries int // entries in the case indexes
	Events       int // audit events
	Problems     []Problem
	Omitted      int // problems found beyond MaxProblems
}

// OK reports whether no problem was found.
func (c *Consistency) OK() bool { return len(c.Problems) == 0 && c.Omitted == 0 }

func (c *Consistency) add(p Problem) {
	if len(c.Problems) < MaxProblems {
		c.Problems = append(c.Problems, p)
	} else {
		c.Omitted++
	}
}

// CheckConsistency checks that the indexes agree with the records they
// index, in one read transaction:
//
//   - every case has every index entry its record implies, computed by
//     indexEntries, the code PutCase writes them with, and the reference
//     entry and the request id's replay record point back at it;
//   - every entry of a case index is one that some case's record implies:
//     none is stale, and none points at a case that does not exist;
//   - every audit event has its per-case entry (BucketCaseEvents), every
//     such entry files an existing event under the subject the event names,
//     an event about a case names a stored case, and every personal payload
//     belongs to an event.
//
// It holds an 8-byte hash of every expected entry while it scans (about
// 80 MB for 1,000,000 cases), so a stale entry whose hash collides with an
// expected one could go unreported, with odds of about one in 2^64 per
// entry. The error is for a read that failed, not for a problem found.
func CheckConsistency(tx ReadTx) (*Consistency, error) {
	r := &Consistency{}
	chk := &checker{tx: tx, r: r, seed: maphash.MakeSeed()}
	h, err := requesterHasher(tx)
	switch {
	case errors.Is(err, ErrKeyringRequired):
		r.add(Problem{Bucket: BucketCaseKeys, Detail: "the store is encrypted and was opened without its keyring, so cases and their indexes were not checked"})
	case err != nil:
		r.add(Problem{Bucket: BucketMeta, Detail: "the requester index key is missing or corrupt, so the requester index was not checked"})
		h = nil
	}
	if !errors.Is(err, ErrKeyringRequired) {
		if err := chk.cases(h); err != nil {
			return r, err
		}
	}
	if err := chk.events(); err != nil {
		return r, err
	}
	return r, nil
}

type checker struct {
	tx   ReadTx
	r    *Consistency
	seed maphash.Seed
}

func (c *checker) hash(b Bucket, key []byte) uint64 {
	var h maphash.Hash
	h.SetSeed(c.seed)
	h.WriteString(string(b))
	h.WriteByte(0)
	h.Write(key)
	return h.Sum64()
}

// cases checks each case's entries, then every index for stale ones.
func (c *checker) cases(requesterTerms termHasher) error {
	var expected []uint64
	err := c.tx.Scan(BucketCases, nil, func(k, v []byte) (bool, error) {
		c.r.Cases++
		id := string(k)
		cs, err := DecodeCase(c.tx, id, v)
		if err != nil {
			c.r.add(Problem{Bucket: BucketCases, CaseID: c.showID(id), Detail: "the record cannot be decoded, so its index entries were not checked"})
			return true, nil
		}
		if cs.ID != id {
			c.r.add(Problem{Bucket: BucketCases, CaseID: c.showID(id), Detail: "the record is stored under another case's id"})
		}
		for _, e := range indexEntries(cs, requesterTerms) {
			expected = append(expected, c.hash(e.bucket, e.key))
			state, found := entryState(c.tx, e), ""
			if state == entryElsewhere {
				found = string(c.tx.Get(e.bucket, e.key))
			}
			c.entry(e.bucket, id, state, found)
		}
		if cs.RequestID != "" {
			expected = append(expected, c.hash(BucketRequestReplays, []byte(cs.RequestID)))
			state, found, err := requestIDState(c.tx, cs)
			if err != nil {
				c.r.add(Problem{Bucket: BucketRequestReplays, CaseID: c.showID(id), Detail: "its entry cannot be decoded"})
			}
			c.entry(BucketRequestReplays, id, state, found)
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("check cases: %w", err)
	}
	slices.Sort(expected)
	for _, b := range slices.Concat(caseIndexes, []Bucket{BucketRequestReplays}) {
		if b == BucketByRequester && requesterTerms == nil {
			continue
		}
		err := c.tx.Scan(b, nil, func(k, v []byte) (bool, error) {
			c.r.IndexEntries++
			if _, found := slices.BinarySearch(expected, c.hash(b, k)); found {
				return true, nil
			}
			id, ok := indexedID(b, k, v)
			switch {
			case !ok:
				c.r.add(Problem{Bucket: b, Detail: fmt.Sprintf("an entry (%d-byte key) names no case", len(k))})
			case c.tx.Get(BucketCases, []byte(id)) == nil:
				c.r.add(Problem{Bucket: b, Detail: fmt.Sprintf("an entry points at %s, which does not exist", c.describeID(id))})
			default:
				c.r.add(Problem{Bucket: b, CaseID: id, Detail: "a stale entry: not one the case's record implies"})
			}
			return true, nil
		})
		if err != nil {
			return fmt.Errorf("check index %s: %w", b, err)
		}
	}
	return nil
}

// entry reports a case's index entry that is missing, or names found
// instead of the case.
func (c *checker) entry(b Bucket, id string, state int, found string) {
	switch state {
	case entryMissing:
		c.r.add(Problem{Bucket: b, CaseID: c.showID(id), Detail: "its entry is missing"})
	case entryElsewhere:
		c.r.add(Problem{Bucket: b, CaseID: c.showID(id), Detail: fmt.Sprintf("its entry points at %s instead", c.describeID(found))})
	}
}

// indexedID returns the case id an index entry names: the one in its
// replay record (request ids), its value (references) or the end of its
// key.
func indexedID(b Bucket, k, v []byte) (string, bool) {
	if b == BucketRequestReplays {
		s, err := decodeReplay(v)
		return s.CaseID, err == nil && s.CaseID != ""
	}
	if len(v) > 0 {
		return string(v), true
	}
	if i := bytes.LastIndexByte(k, '/'); i >= 0 && i < len(k)-1 {
		return string(k[i+1:]), true
	}
	return "", false
}

// events checks the audit bucket against the per-case event index.
func (c *checker) events() error {
	var expected []uint64
	err := c.tx.Scan(BucketAudit, nil, func(k, v []byte) (bool, error) {
		c.r.Events++
		if len(k) != 8 {
			c.r.add(Problem{Bucket: BucketAudit, Detail: fmt.Sprintf("a %d-byte key that is not a sequence number", len(k))})
			return true, nil
		}
		seq := binary.BigEndian.Uint64(k)
		e, err := decodeEvent(v)
		if err != nil {
			c.r.add(Problem{Bucket: BucketAudit, Seq: seq, Detail: "the event cannot be decoded"})
			return true, nil
		}
		if e.Seq != seq {
			c.r.add(Problem{Bucket: BucketAudit, Seq: seq, Detail: fmt.Sprintf("the event stored under this sequence number says it is event %d", e.Seq)})
		}
		key := caseEventKey(e.CaseID, seq)
		expected = append(expected, c.hash(BucketCaseEvents, key))
		if c.tx.Get(BucketCaseEvents, key) == nil {
			c.r.add(Problem{Bucket: BucketCaseEvents, CaseID: c.showID(e.CaseID), Seq: seq, Detail: "the event's entry is missing"})
		}
		if isCaseSubject(e.CaseID) && c.tx.Get(BucketCases, []byte(e.CaseID)) == nil {
			c.r.add(Problem{Bucket: BucketAudit, Seq: seq, Detail: fmt.Sprintf("the event is about %s, which does not exist", c.describeID(e.CaseID))})
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("check audit events: %w", err)
	}
	slices.Sort(expected)
	err = c.tx.Scan(BucketCaseEvents, nil, func(k, _ []byte) (bool, error) {
		if _, found := slices.BinarySearch(expected, c.hash(BucketCaseEvents, k)); found {
			return true, nil
		}
		if len(k) < 9 || k[len(k)-9] != '/' {
			c.r.add(Problem{Bucket: BucketCaseEvents, Detail: fmt.Sprintf("a malformed %d-byte entry", len(k))})
			return true, nil
		}
		subject, seqKey := string(k[:len(k)-9]), k[len(k)-8:]
		seq := binary.BigEndian.Uint64(seqKey)
		if c.tx.Get(BucketAudit, seqKey) == nil {
			c.r.add(Problem{Bucket: BucketCaseEvents, CaseID: c.showID(subject), Seq: seq, Detail: "an entry for an event that does not exist"})
		} else {
			c.r.add(Problem{Bucket: BucketCaseEvents, CaseID: c.showID(subject), Seq: seq, Detail: "an entry files the event under a subject other than the one it names"})
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("check the case event index: %w", err)
	}
	err = c.tx.Scan(BucketAuditPayload, nil, func(k, _ []byte) (bool, error) {
		if c.tx.Get(BucketAudit, k) == nil {
			detail := fmt.Sprintf("a payload under a %d-byte key belongs to no event", len(k))
			var seq uint64
			if len(k) == 8 {
				seq, detail = binary.BigEndian.Uint64(k), "a payload belongs to no event"
			}
			c.r.add(Problem{Bucket: BucketAuditPayload, Seq: seq, Detail: detail})
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("check audit payloads: %w", err)
	}
	return nil
}

// isCaseSubject tells a case id from the other subjects of audit events
// ("notice:…", "account:…", "token:…").
func isCaseSubject(subject string) bool {
	return subject != "" && !strings.Contains(subject, ":")
}

// showID returns id when it is safe to print: the id of a stored case, one
// shaped like the ids cases are given, or such an id behind an audit
// subject's prefix. Anything else (a damaged key could hold a fragment of
// someone's details) is left out.
func (c *checker) showID(id string) string {
	if id == "" {
		return ""
	}
	if c.tx.Get(BucketCases, []byte(id)) != nil || looksLikeID(id) {
		return id
	}
	if kind, rest, ok := strings.Cut(id, ":"); ok && (kind == "notice" || kind == "account" || kind == "token") && looksLikeSlug(rest) {
		return id
	}
	return ""
}

// describeID names id for a message, or says it is not shown.
func (c *checker) describeID(id string) string {
	if shown := c.showID(id); shown != "" {
		return "case " + shown
	}
	return fmt.Sprintf("an id that is not shown (%d bytes, not shaped like a case id)", len(id))
}

// looksLikeID reports whether id is a ULID, as cases.NewID makes.
func looksLikeID(id string) bool {
	if len(id) != 26 {
		return false
	}
	for _, r := range id {
		if !strings.ContainsRune("0123456789ABCDEFGHJKMNPQRSTVWXYZ", r) {
			return false
		}
	}
	return true
}

// looksLikeSlug reports whether s is a notice id or a random account or
// token id: lower-case letters, digits and dashes, or a ULID.
func looksLikeSlug(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	if looksLikeID(s) {
		return true
	}
	for _, r := range s {
		if !strings.ContainsRune("abcdefghijklmnopqrstuvwxyz0123456789-", r) {
			return false
		}
	}
	return true
}
