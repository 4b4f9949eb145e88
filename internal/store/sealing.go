package store

import (
	"bytes"
	"container/list"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/rightsdesk/rightsdesk/internal/keyring"
)

// Personal data is sealed at rest with envelope encryption (package
// keyring): each case has its own data key, stored wrapped under the
// installation's key-encryption key in BucketCaseKeys, apart from the case
// record, so that deleting that one entry destroys everything sealed under
// it (crypto-shredding, for retention). What is sealed with it: the
// personal part of the case record (casecodec.go), the case's message
// bodies, its audit payloads and its outbox entries. Installation-wide
// secrets — the keyed hash of the requester index and the key of the web
// sessions — are derived from a root secret, itself stored wrapped
// (meta "root_key"); the keyring's check values (meta "keyring_check") make
// a wrong keyring a clear error before anything is read or written.
//
// A store without "keyring_check" is plain: written by a build before
// encryption, or opened without a keyring by a test or an offline command
// that never touches personal data. A plain store that holds cases is
// encrypted by MigrateToSealed (`rightsdesk keys migrate`); one that holds
// none is sealed the first time it is opened with a keyring.

// Keyring is what the store needs of the installation's keys:
// *keyring.Keyring is one.
type Keyring interface {
	keyring.KeyEncryptionKey
	Check() keyring.Check
	Verify(keyring.Check) error
}

var (
	keyKeyringCheck = []byte("keyring_check")
	keyRootKey      = []byte("root_key")
	// keySealingMigration holds the id of the last case MigrateToSealed
	// sealed, while it runs: a store with it is half migrated.
	keySealingMigration = []byte("sealing_migration")
)

// Purposes of the keys derived from the root secret; changing one changes
// every hash or seal made with it.
const (
	purposeRequesterTerm = "requester-term"
	purposeSearchLink    = "search-link"
	purposeWebSession    = "web-session"
	purposeAuditPayload  = "audit-payload"
	purposeDeliveryCode  = "delivery-code"
)

var (
	// ErrKeyringRequired means the store's personal data is sealed and the
	// store was opened without a keyring.
	ErrKeyringRequired = errors.New("this store's personal data is encrypted: open it with the keyring it was used with (serve --keyring FILE; for other commands RIGHTSDESK_KEYRING=FILE; or the keyring itself in RIGHTSDESK_KEK)")
	// ErrNotMigrated means a store written before encryption at rest (or
	// one whose migration was interrupted) was opened with a keyring.
	ErrNotMigrated = errors.New("this store holds personal data that is not encrypted yet: stop the server and run `rightsdesk keys migrate --data DIR --keyring FILE` once (it can be run again if interrupted)")
)

// OpenOption changes how Open and OpenReadOnly open a store.
type OpenOption func(*openOptions)

type openOptions struct{ keys Keyring }

// WithKeyring opens the store with the installation's keyring, which every
// read and write of personal data needs.
func WithKeyring(k Keyring) OpenOption { return func(o *openOptions) { o.keys = k } }

// sealer holds what a store opened with its keyring needs to seal and open
// personal data. A locked sealer (no kek) belongs to a sealed store opened
// without its keyring: everything but personal data works, and personal
// data is ErrKeyringRequired rather than misread or written in clear.
type sealer struct {
	kek            keyring.KeyEncryptionKey
	requesterTerms *keyring.Hasher
	searchLinks    *keyring.Hasher
	webSessions    *keyring.DataKey
	auditPayloads  *keyring.DataKey
	deliveryCodes  *keyring.Hasher
	dataKeys       *dataKeyCache
}

func newSealer(kek keyring.KeyEncryptionKey, root *keyring.Root) *sealer {
	return &sealer{
		kek:            kek,
		requesterTerms: root.Hasher(purposeRequesterTerm),
		searchLinks:    root.Hasher(purposeSearchLink),
		webSessions:    root.DataKey(purposeWebSession),
		auditPayloads:  root.DataKey(purposeAuditPayload),
		deliveryCodes:  root.Hasher(purposeDeliveryCode),
		dataKeys:       newDataKeyCache(maxCachedDataKeys),
	}
}

func (s *sealer) locked() bool { return s.kek == nil }

// sealingTx carries a store's sealer (and the caller's context, which a
// KMS behind the keyring needs) into the typed reads and writes, whose
// signatures stay those of plain transactions.
type sealingReadTx struct {
	ReadTx
	ctx context.Context
	s   *sealer
}

type sealingWriteTx struct {
	WriteTx
	ctx context.Context
	s   *sealer
}

func (t sealingReadTx) sealing() (context.Context, *sealer)  { return t.ctx, t.s }
func (t sealingWriteTx) sealing() (context.Context, *sealer) { return t.ctx, t.s }

// withSealer is tx carrying s, or tx itself for a plain store (s nil).
func withSealer(ctx context.Context, tx WriteTx, s *sealer) WriteTx {
	if s == nil {
		return tx
	}
	return sealingWriteTx{tx, ctx, s}
}

// sealerOf returns the sealer of the store tx came from, or nil for a plain
// store (or a transaction taken from a backend directly).
func sealerOf(tx ReadTx) (context.Context, *sealer) {
	if t, ok := tx.(interface {
		sealing() (context.Context, *sealer)
	}); ok {
		return t.sealing()
	}
	return nil, nil
}

// dataKey returns the data key of a case that has one.
func (s *sealer) dataKey(ctx context.Context, tx ReadTx, caseID string) (*keyring.DataKey, error) {
	if s.locked() {
		return nil, ErrKeyringRequired
	}
	stored := tx.Get(BucketCaseKeys, []byte(caseID))
	if stored == nil {
		return nil, fmt.Errorf("case %s: its data key is missing (destroyed, or the record was copied without it)", caseID)
	}
	if k := s.dataKeys.get(caseID, stored); k != nil {
		return k, nil
	}
	var w keyring.WrappedKey
	if err := w.UnmarshalBinary(stored); err != nil {
		return nil, fmt.Errorf("case %s: data key: %w", caseID, err)
	}
	k, err := keyring.UnwrapDataKey(ctx, s.kek, w)
	if err != nil {
		return nil, fmt.Errorf("case %s: unwrap its data key: %w", caseID, err)
	}
	s.dataKeys.put(caseID, stored, k)
	return k, nil
}

// dataKeyForWrite returns the case's data key, making and storing one in
// tx for a case that has none yet (a new case).
func (s *sealer) dataKeyForWrite(ctx context.Context, tx WriteTx, caseID string) (*keyring.DataKey, error) {
	if s.locked() {
		return nil, ErrKeyringRequired
	}
	if tx.Get(BucketCaseKeys, []byte(caseID)) != nil {
		return s.dataKey(ctx, tx, caseID)
	}
	k, err := s.newDataKey(ctx, caseID)
	if err != nil {
		return nil, err
	}
	return k.key, s.putDataKey(tx, caseID, k)
}

// newDataKey is a fresh data key for a case and its wrapped form, made
// outside any transaction when the caller can (PrepareNewCase): wrapping
// may be a call to a KMS.
type newDataKey struct {
	key     *keyring.DataKey
	wrapped []byte
}

func (s *sealer) newDataKey(ctx context.Context, caseID string) (*newDataKey, error) {
	if s.locked() {
		return nil, ErrKeyringRequired
	}
	k := keyring.NewDataKey()
	w, err := keyring.WrapDataKey(ctx, s.kek, k)
	if err != nil {
		return nil, fmt.Errorf("case %s: wrap a new data key: %w", caseID, err)
	}
	stored, err := w.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return &newDataKey{key: k, wrapped: stored}, nil
}

func (s *sealer) putDataKey(tx WriteTx, caseID string, k *newDataKey) error {
	if err := tx.Put(BucketCaseKeys, []byte(caseID), k.wrapped); err != nil {
		return err
	}
	// Cached under the wrapped bytes: if this transaction rolls back, no
	// stored key ever matches them, so the entry is never used.
	s.dataKeys.put(caseID, k.wrapped, k.key)
	return nil
}

// maxCachedDataKeys bounds the unwrapped data keys kept in memory: with a
// KMS each unwrap is a network call, so a queue page of cases must not
// cost one per case each time it is read.
const maxCachedDataKeys = 8192

// dataKeyCache is a least-recently-used cache of unwrapped data keys. An
// entry is used only while the stored wrapped key is byte for byte the one
// it was unwrapped from, so a rotation, a destroyed key or a rolled-back
// write is seen at once.
type dataKeyCache struct {
	mu    sync.Mutex
	limit int
	order *list.List // of *cachedDataKey, most recent first
	byID  map[string]*list.Element
}

type cachedDataKey struct {
	caseID  string
	wrapped []byte
	key     *keyring.DataKey
}

func newDataKeyCache(limit int) *dataKeyCache {
	return &dataKeyCache{limit: limit, order: list.New(), byID: make(map[string]*list.Element)}
}

func (c *dataKeyCache) get(caseID string, wrapped []byte) *keyring.DataKey {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byID[caseID]
	if !ok {
		return nil
	}
	entry := e.Value.(*cachedDataKey)
	if string(entry.wrapped) != string(wrapped) {
		return nil
	}
	c.order.MoveToFront(e)
	return entry.key
}

func (c *dataKeyCache) put(caseID string, wrapped []byte, k *keyring.DataKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	entry := &cachedDataKey{caseID: caseID, wrapped: append([]byte(nil), wrapped...), key: k}
	if e, ok := c.byID[caseID]; ok {
		e.Value = entry
		c.order.MoveToFront(e)
		return
	}
	c.byID[caseID] = c.order.PushFront(entry)
	for c.order.Len() > c.limit {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.byID, oldest.Value.(*cachedDataKey).caseID)
	}
}

func (c *dataKeyCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// sealingState is what the meta bucket says of a store's encryption.
type sealingState struct {
	check     *keyring.Check
	root      *keyring.WrappedKey
	migrating bool
	holdsData bool // a plain store with cases or web sessions
}

func readSealingState(tx ReadTx) (sealingState, error) {
	var st sealingState
	if raw := tx.Get(BucketMeta, keyKeyringCheck); raw != nil {
		var c keyring.Check
		if err := json.Unmarshal(raw, &c); err != nil {
			return st, fmt.Errorf("the stored keyring check is corrupt: %w", err)
		}
		st.check = &c
	}
	if raw := tx.Get(BucketMeta, keyRootKey); raw != nil {
		var w keyring.WrappedKey
		if err := w.UnmarshalBinary(raw); err != nil {
			return st, fmt.Errorf("the stored root secret is corrupt: %w", err)
		}
		st.root = &w
	}
	st.migrating = tx.Get(BucketMeta, keySealingMigration) != nil
	if st.check == nil {
		st.holdsData = !bucketEmpty(tx, BucketCases) || !bucketEmpty(tx, BucketWebSessions)
	}
	return st, nil
}

func bucketEmpty(tx ReadTx, b Bucket) bool {
	empty := true
	_ = tx.Scan(b, nil, func(_, _ []byte) (bool, error) {
		empty = false
		return false, nil
	})
	return empty
}

// verify says whether a store in state st can be opened with keys (nil:
// without a keyring), before anything is written.
func (st sealingState) verify(keys Keyring) error {
	switch {
	case keys == nil:
		return nil // a sealed store opens locked; a plain one stays plain
	case st.migrating:
		return ErrNotMigrated
	case st.check == nil && st.holdsData:
		return ErrNotMigrated
	case st.check == nil:
		return nil // sealed on this first open with a keyring
	case st.root == nil:
		return errors.New("the store records a keyring but not its root secret: it is damaged; restore it from a backup")
	}
	return keys.Verify(*st.check)
}

// CheckKeyring says, reading only, whether Open would accept keys for the
// store on b: ErrNotMigrated, keyring.ErrWrongKeyring (wrapped, naming the
// keys), or nil. Run it on a read-only backend before opening one that
// writes — opening a bbolt file for writing changes it — so that a wrong
// keyring leaves the file exactly as it was.
func CheckKeyring(ctx context.Context, b Backend, keys Keyring) error {
	return b.View(ctx, func(tx ReadTx) error {
		if tx.Get(BucketMeta, keySchemaVersion) == nil {
			return nil // a new database
		}
		st, err := readSealingState(tx)
		if err != nil {
			return err
		}
		return st.verify(keys)
	})
}

// openSealing is the part of Open that concerns encryption, inside its
// transaction: it verifies the keyring, seals a store that holds no
// personal data yet, keeps the stored check up to date after a rotation,
// and returns the store's sealer (nil for a plain store).
func openSealing(ctx context.Context, tx WriteTx, keys Keyring, fresh *freshRoot) (*sealer, error) {
	st, err := readSealingState(tx)
	if err != nil {
		return nil, err
	}
	if err := st.verify(keys); err != nil {
		return nil, err
	}
	switch {
	case keys == nil && st.check != nil:
		return &sealer{}, nil
	case keys == nil:
		return nil, nil
	}
	root, err := openOrMakeRoot(ctx, tx, keys, st.root, fresh)
	if err != nil {
		return nil, err
	}
	if err := storeCheck(tx, keys, st.check); err != nil {
		return nil, err
	}
	if err := tx.Delete(BucketMeta, keyRequesterKey); err != nil { // the plain store's key, replaced by the root's
		return nil, err
	}
	return newSealer(keys, root), nil
}

// freshRoot is a root secret made outside the transaction (Update may run
// its function more than once), stored only by a store that has none.
type freshRoot struct {
	root    *keyring.Root
	wrapped keyring.WrappedKey
}

func openOrMakeRoot(ctx context.Context, tx WriteTx, keys Keyring, stored *keyring.WrappedKey, fresh *freshRoot) (*keyring.Root, error) {
	if stored != nil {
		return keyring.OpenRoot(ctx, keys, *stored)
	}
	raw, err := fresh.wrapped.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return fresh.root, tx.Put(BucketMeta, keyRootKey, raw)
}

func storeCheck(tx WriteTx, keys Keyring, stored *keyring.Check) error {
	now := keys.Check()
	if stored != nil && stored.Equal(now) {
		return nil
	}
	raw, err := json.Marshal(now)
	if err != nil {
		return err
	}
	return tx.Put(BucketMeta, keyKeyringCheck, raw)
}

func makeFreshRoot(ctx context.Context, keys Keyring) (*freshRoot, error) {
	if keys == nil {
		return nil, nil
	}
	root, wrapped, err := keyring.NewRoot(ctx, keys)
	if err != nil {
		return nil, err
	}
	return &freshRoot{root: root, wrapped: wrapped}, nil
}

// openSealingReadOnly is openSealing for OpenReadOnly: it writes nothing,
// so a store whose check or root is not stored yet opens plain.
func openSealingReadOnly(ctx context.Context, tx ReadTx, keys Keyring) (*sealer, error) {
	st, err := readSealingState(tx)
	if err != nil {
		return nil, err
	}
	if err := st.verify(keys); err != nil {
		return nil, err
	}
	switch {
	case st.check == nil:
		return nil, nil
	case keys == nil:
		return &sealer{}, nil
	}
	root, err := keyring.OpenRoot(ctx, keys, *st.root)
	if err != nil {
		return nil, err
	}
	return newSealer(keys, root), nil
}

// Sealed reports whether the store seals personal data (it was opened with
// its keyring) — false for a plain store and for a sealed one opened
// without its keyring.
func (s *Store) Sealed() bool { return s.seal != nil && !s.seal.locked() }

// sealForCase seals a value of a case's (a message body, an audit
// payload) under the case's data key, bound to field, in a sealed store;
// in a plain store it returns plain as it is.
func sealForCase(tx WriteTx, caseID, field string, plain []byte) ([]byte, error) {
	ctx, s := sealerOf(tx)
	if s == nil {
		return plain, nil
	}
	key, err := s.dataKeyForWrite(ctx, tx, caseID)
	if err != nil {
		return nil, err
	}
	return append(bytes.Clone(sealedMagic), key.Seal(plain, keyring.AssociatedData(caseID, field))...), nil
}

// openForCase opens what sealForCase stored; a value stored by a plain
// store comes back as it is.
func openForCase(tx ReadTx, caseID, field string, stored []byte) ([]byte, error) {
	if !bytes.HasPrefix(stored, sealedMagic) {
		return stored, nil
	}
	ctx, s := sealerOf(tx)
	if s == nil {
		return nil, ErrKeyringRequired
	}
	key, err := s.dataKey(ctx, tx, caseID)
	if err != nil {
		return nil, err
	}
	return key.Open(stored[len(sealedMagic):], keyring.AssociatedData(caseID, field))
}

// sealWithRoot seals a value that belongs to no case (a web session, an
// audit payload without a case) under a key derived from the root secret.
func sealWithRoot(tx ReadTx, key func(*sealer) *keyring.DataKey, record, field string, plain []byte) ([]byte, error) {
	_, s := sealerOf(tx)
	switch {
	case s == nil:
		return plain, nil
	case s.locked():
		return nil, ErrKeyringRequired
	}
	return append(bytes.Clone(sealedMagic), key(s).Seal(plain, keyring.AssociatedData(record, field))...), nil
}

func openWithRoot(tx ReadTx, key func(*sealer) *keyring.DataKey, record, field string, stored []byte) ([]byte, error) {
	if !bytes.HasPrefix(stored, sealedMagic) {
		return stored, nil
	}
	_, s := sealerOf(tx)
	if s == nil || s.locked() {
		return nil, ErrKeyringRequired
	}
	return key(s).Open(stored[len(sealedMagic):], keyring.AssociatedData(record, field))
}

func webSessionKeyOf(s *sealer) *keyring.DataKey   { return s.webSessions }
func auditPayloadKeyOf(s *sealer) *keyring.DataKey { return s.auditPayloads }

// CaseDataKey returns the data key of a case, for sealing what is kept
// outside the store under it (the case's documents, in the blob store).
// ErrKeyringRequired when the store was opened without its keyring; for a
// plain store, nil and no error: nothing is sealed there.
func (s *Store) CaseDataKey(ctx context.Context, caseID string) (k *keyring.DataKey, err error) {
	if s.seal == nil {
		return nil, nil
	}
	err = s.View(ctx, func(tx ReadTx) error {
		k, err = s.seal.dataKey(ctx, tx, caseID)
		return err
	})
	return k, err
}
