package store

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/rightsdesk/rightsdesk/internal/cases"
)

// The requester index holds a keyed hash of each normalised term
// (cases.RequesterTerms), never the term. A plain hash of an email address
// or a name can be reversed by hashing a list of likely ones; with a secret
// key a copy of the index alone reveals nothing. A sealed store derives
// that key from its root secret (sealing.go), which lives wrapped under the
// keyring, so a copy of the database without the keyring cannot even test
// a guess; a plain store (before encryption) keeps a random key in the
// meta bucket, which travels with its backups.

// keyRequesterKey is the meta key of a plain store's requester index key.
var keyRequesterKey = []byte("requester_index_key")

// requesterKeySize matches the HMAC's hash, as RFC 2104 advises.
const requesterKeySize = sha256.Size

// errNoRequesterKey means the database was not opened through Open.
var errNoRequesterKey = errors.New("the requester index key is missing: open the database with store.Open")

func ensureRequesterKey(tx WriteTx, candidate []byte) error {
	if tx.Get(BucketMeta, keyRequesterKey) != nil {
		return nil
	}
	return tx.Put(BucketMeta, keyRequesterKey, candidate)
}

// termHasher computes the keyed hash of a requester term.
type termHasher interface {
	Sum(normalised []byte) []byte
}

// plainTermHasher is a plain store's: HMAC-SHA256 under the meta key.
type plainTermHasher []byte

func (k plainTermHasher) Sum(term []byte) []byte {
	mac := hmac.New(sha256.New, k)
	mac.Write(term)
	return mac.Sum(nil)
}

// requesterHasher returns the hasher of the store tx belongs to.
func requesterHasher(tx ReadTx) (termHasher, error) {
	if _, s := sealerOf(tx); s != nil {
		if s.locked() {
			return nil, ErrKeyringRequired
		}
		return s.requesterTerms, nil
	}
	return legacyRequesterHasher(tx)
}

func legacyRequesterHasher(tx ReadTx) (termHasher, error) {
	key := tx.Get(BucketMeta, keyRequesterKey)
	switch {
	case key == nil:
		return nil, errNoRequesterKey
	case len(key) != requesterKeySize:
		return nil, fmt.Errorf("the requester index key is corrupt (%d bytes)", len(key))
	}
	return plainTermHasher(bytes.Clone(key)), nil
}

// requesterDigest is the fixed-length prefix of every index key for term,
// "/" included so a prefix scan stops at the term's last case.
func requesterDigest(h termHasher, term string) []byte {
	return append(h.Sum([]byte(term)), '/')
}

func requesterEntries(c *cases.Case, h termHasher) []indexEntry {
	terms := cases.RequesterTerms(c)
	entries := make([]indexEntry, len(terms))
	for i, term := range terms {
		entries[i] = indexEntry{BucketByRequester, append(requesterDigest(h, term), c.ID...), nil}
	}
	return entries
}

// CaseIDsByRequesterTerm returns the ids of up to limit cases indexed under
// a term from cases.EmailTerm or cases.NameTerms, in id order (which is
// creation order), and whether more follow.
func CaseIDsByRequesterTerm(tx ReadTx, term string, limit int) (ids []string, more bool, err error) {
	h, err := requesterHasher(tx)
	if err != nil {
		return nil, false, err
	}
	prefix := requesterDigest(h, term)
	err = tx.Scan(BucketByRequester, prefix, func(k, _ []byte) (bool, error) {
		if !bytes.HasPrefix(k, prefix) {
			return false, nil
		}
		if len(ids) == limit {
			more = true
			return false, nil
		}
		ids = append(ids, string(k[len(prefix):]))
		return true, nil
	})
	return ids, more, err
}

// indexEveryRequester is the migration to schema version 2: it enters every
// stored case in the requester index, which version 1 did not have.
func indexEveryRequester(tx WriteTx) error {
	h, err := legacyRequesterHasher(tx)
	if err != nil {
		return err
	}
	return indexEveryCase(tx, func(k, v []byte) ([]indexEntry, error) {
		c, err := DecodeCase(tx, string(k), v)
		if err != nil {
			return nil, err
		}
		return requesterEntries(c, h), nil
	})
}

// CaseHasRequesterTerm reports whether the case with the given id is
// indexed under term, with one read instead of a scan.
func CaseHasRequesterTerm(tx ReadTx, term, id string) (bool, error) {
	h, err := requesterHasher(tx)
	if err != nil {
		return false, err
	}
	return tx.Get(BucketByRequester, append(requesterDigest(h, term), id...)) != nil, nil
}
