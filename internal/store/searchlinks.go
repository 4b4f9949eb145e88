package store

// SearchLinkHash is the keyed hash a case keeps of the token of a data
// owner's search link (cases.SearchRequest.LinkHash): the token itself is
// never stored, and without the installation's root secret a copy of the
// store cannot test guesses against the hash. A plain store (tests, or one
// not yet migrated) keys it with its requester-index key, apart from the
// index's own hashes by a prefix.
func SearchLinkHash(tx ReadTx, token string) ([]byte, error) {
	if _, s := sealerOf(tx); s != nil {
		if s.locked() {
			return nil, ErrKeyringRequired
		}
		return s.searchLinks.Sum([]byte(token)), nil
	}
	h, err := legacyRequesterHasher(tx)
	if err != nil {
		return nil, err
	}
	return h.Sum([]byte(purposeSearchLink + "/" + token)), nil
}
