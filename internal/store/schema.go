package store

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
)

// SchemaVersion is the layout this build reads and writes. Bump it with a
// migration whenever a bucket's key or value encoding changes, or an index
// is added that existing records must be entered in.
//
// Version 2 added the requester index (BucketByRequester) and its key;
// version 3 the wrapped data keys of sealed cases (BucketCaseKeys; see
// sealing.go — whether a store is sealed is its keyring check, not its
// version); version 4 the open cases by right and notice in due order
// (BucketOpenByTerm); version 5 the open cases with a new reply in the
// same index; version 6 the closed cases by their retention facts
// (BucketClosed) and the open ones with a search request to chase
// (BucketOpenByTerm); version 7 compressed records with the record
// dictionary, audit events compressed and payloads in a binary layout
// (casecodec.go, audit.go). Version 7 still reads every record an earlier
// version wrote, so its migration rewrites nothing; it exists so that an
// earlier build refuses the store (ErrNewerSchema) instead of failing on
// each record it cannot decode. Version 8 finds a create's case by its
// request id through the create's replay record alone (replays.go): the
// request-id index of the versions before it held the same case id under
// the same key, one more write to a scattered key per create. Version 9
// stores new audit events with their place in the chain in binary before
// the compressed rest (audit.go), so that the rest is compressed outside
// the write transaction; like version 7, it still reads every event
// stored before and rewrites nothing.
const SchemaVersion = 9

// migrations bring a database from the version they are keyed by to the
// next, inside the transaction that records the new version, so a database
// is never left half migrated.
var migrations = map[uint32]func(WriteTx) error{
	1: indexEveryRequester,
	2: func(WriteTx) error { return nil }, // the engine creates BucketCaseKeys
	3: indexOpenTerms,
	4: indexNewReplies,
	5: indexRetentionAndChases,
	6: func(WriteTx) error { return nil }, // new layouts for new records; old ones still read
	7: requestIDsInReplays,
	8: func(WriteTx) error { return nil }, // new layout for new audit events; old ones still read
}

// The buckets of the schema, listed in one place.
const (
	BucketMeta    Bucket = "meta"
	BucketNotices Bucket = "notices" // notice id → JSON notice with all its versions
	// BucketHolidays holds imported GOV.UK bank-holidays.json documents,
	// keyed by big-endian import sequence so later imports apply last.
	BucketHolidays Bucket = "holidays"
	// BucketTokens holds API tokens: sha256(token) → JSON token record.
	BucketTokens Bucket = "tokens"

	// Cases and their secondary indexes. Index keys end in "/" + case id and
	// carry no value; dates are ISO strings, which sort in date order.
	BucketCases        Bucket = "cases"           // case id → JSON case
	BucketOpenByDue    Bucket = "idx_open_due"    // due / id, open cases only: the queue
	BucketOpenByTerm   Bucket = "idx_open_term"   // "r:" right or "n:" notice id \x00 due / id, open cases only; "f:" flags (cases.go)
	BucketByState      Bucket = "idx_state"       // state / due / id
	BucketByAssignee   Bucket = "idx_assignee"    // assignee \x00 due / id, open cases only
	BucketByNotice     Bucket = "idx_notice"      // notice \x00 received / id, for each notice the case names
	BucketByReceived   Bucket = "idx_received"    // received / id
	BucketByReference  Bucket = "idx_reference"   // reference → id
	BucketAudit        Bucket = "audit"           // big-endian sequence → audit event, JSON compressed (no personal data)
	BucketCaseEvents   Bucket = "idx_case_events" // id / big-endian sequence
	BucketAuditPayload Bucket = "audit_payloads"  // big-endian sequence → personal payload: salt, compressed data (erasable)

	// BucketRequestReplays finds the case a create under a client request
	// id opened, and answers its retries: client request id → the case id
	// and the request's fingerprint, sealed with the case's key; and
	// BucketReplayTokens the status token each gave out, sealed likewise,
	// for an hour: big-endian creation time in Unix milliseconds + request
	// id → sealed token (replays.go).
	BucketRequestReplays Bucket = "request_replays"
	BucketReplayTokens   Bucket = "replay_tokens"

	// BucketByRequester finds cases by requester without holding anyone's
	// details: HMAC-SHA256(installation key, normalised email or name word)
	// / id. See requester.go.
	BucketByRequester Bucket = "idx_requester"

	// BucketCaseKeys holds each sealed case's data key, wrapped under the
	// keyring: case id → keyring.WrappedKey (binary). Deleting an entry
	// destroys everything sealed under that key. See sealing.go.
	BucketCaseKeys Bucket = "case_keys"

	// BucketUsers holds staff accounts for the web sign-in: user id → the
	// record internal/users keeps (never a password, only its argon2id hash).
	BucketUsers Bucket = "users"
	// BucketFeedTokens holds calendar feed tokens: sha256(token) → owner.
	BucketFeedTokens Bucket = "feed_tokens"
	// BucketStaffNames remembers the display name of staff who sign in
	// without a local account (single sign-on): actor → name, so cases and
	// the audit timeline can name them.
	BucketStaffNames Bucket = "staff_names"

	// BucketWebSessions holds the web pages' sessions: big-endian creation
	// time in seconds + sha256(session id) → the record the web layer keeps.
	BucketWebSessions Bucket = "web_sessions"

	// BucketOutbox holds letters waiting to be sent: big-endian due time in
	// Unix milliseconds + message id → OutboxEntry (see outbox.go).
	BucketOutbox Bucket = "outbox"
	// BucketMessageBodies holds what each letter says: case id / message id
	// → compressed JSON cases.MessageBody (personal data).
	BucketMessageBodies Bucket = "message_bodies"
	// BucketUndelivered indexes the cases with a letter the relay refused
	// ("letter not delivered"), open or closed: due / id.
	BucketUndelivered Bucket = "idx_undelivered"

	// BucketStaffOutbox holds emails to staff waiting to be sent: big-endian
	// due time in Unix milliseconds + email id → StaffEmail (staffoutbox.go).
	BucketStaffOutbox Bucket = "staff_outbox"
	// BucketDigests holds the last date each staff account's daily digest
	// was made: account id → YYYY-MM-DD.
	BucketDigests Bucket = "digests"

	// BucketClosed indexes every closed case by what its retention depends
	// on: outcome / closing date / "1" if on legal hold, else "0" / "1" if
	// purged, else "0" / id (cases.RetentionFacts; see closedEntry).
	BucketClosed Bucket = "idx_closed"

	// BucketPurgedFiles lists the purged cases whose documents may still be
	// in the blob store, to be removed after the purge commits: case id →
	// nothing. See purge.go.
	BucketPurgedFiles Bucket = "purged_files"
)

// Buckets lists every bucket a backend must create.
func Buckets() []Bucket {
	return []Bucket{
		BucketMeta, BucketNotices, BucketHolidays, BucketTokens,
		BucketCases, BucketCaseKeys, BucketOpenByDue, BucketByState, BucketByAssignee, BucketByNotice, BucketByReceived,
		BucketByReference, BucketByRequester, BucketAudit, BucketCaseEvents, BucketAuditPayload,
		BucketUsers, BucketFeedTokens, BucketStaffNames,
		BucketWebSessions,
		BucketOutbox, BucketMessageBodies, BucketUndelivered,
		BucketStaffOutbox, BucketDigests,
		BucketPurgedFiles,
		BucketRequestReplays, BucketReplayTokens,
		BucketOpenByTerm, BucketClosed,
	}
}

var keySchemaVersion = []byte("schema_version")

// MaxKeySize bounds every index key built from a case, whatever the engine
// allows (bbolt 32 KiB, etcd about 1.5 MiB a request), so a key can never
// fail in one engine and pass in another. The domain's limits keep real
// keys far below it (an assignee or request id is at most 128 bytes); this
// is the backstop that makes a missed limit a clear error, never a partial
// write.
const MaxKeySize = 1024

// ErrKeyTooLong is returned when a write would store a key over MaxKeySize;
// nothing of the transaction is written.
var ErrKeyTooLong = errors.New("index key longer than the store allows")

// ErrNewerSchema is returned when the database was written by a newer build.
var ErrNewerSchema = errors.New("database schema is newer than this build supports")

// ErrOlderSchema is returned by OpenReadOnly when the database is in an
// older layout, which only Open (read-write) migrates.
var ErrOlderSchema = errors.New("database schema is older than this build reads")

// ErrNotRightsdesk is returned by OpenReadOnly when the database has no
// schema version: it was never opened by Rightsdesk.
var ErrNotRightsdesk = errors.New("not a Rightsdesk database: it has no schema version")

// ErrReadOnly is returned by Update on a store opened with OpenReadOnly, and
// by backends opened read-only.
var ErrReadOnly = errors.New("the database is open read-only")

// Store is the typed face of a Backend.
type Store struct {
	backend  Backend
	readOnly bool
	seal     *sealer // nil for a plain store; see sealing.go
}

// Open checks the schema version, writing it on a new database, migrates an
// older database, refuses one written by a newer build rather than misread
// it, and opens its encryption (sealing.go): with WithKeyring it verifies
// the keyring against the store's check, and seals a store that holds no
// personal data yet; without, a sealed store opens with its personal data
// out of reach (ErrKeyringRequired). A plain store keeps its requester
// index key.
func Open(ctx context.Context, b Backend, opts ...OpenOption) (*Store, error) {
	var o openOptions
	for _, opt := range opts {
		opt(&o)
	}
	// Verified reading only, so a wrong keyring writes nothing.
	if o.keys != nil {
		if err := CheckKeyring(ctx, b, o.keys); err != nil {
			return nil, err
		}
	}
	// Drawn outside the transaction, which may run more than once; they are
	// stored only on a database that has none yet.
	candidateKey := make([]byte, requesterKeySize)
	_, _ = rand.Read(candidateKey) // never fails: it would crash the program first
	fresh, err := makeFreshRoot(ctx, o.keys)
	if err != nil {
		return nil, err
	}
	var seal *sealer
	err = b.Update(ctx, func(tx WriteTx) error {
		raw := tx.Get(BucketMeta, keySchemaVersion)
		v := uint32(SchemaVersion) // a new database starts in the current layout
		if raw != nil {
			if len(raw) != 4 {
				return fmt.Errorf("schema version record is corrupt (%d bytes)", len(raw))
			}
			if v = binary.BigEndian.Uint32(raw); v > SchemaVersion {
				return fmt.Errorf("%w: database is version %d, this build reads up to %d; upgrade rightsdesk", ErrNewerSchema, v, SchemaVersion)
			}
		}
		var err error
		if seal, err = openSealing(ctx, tx, o.keys, fresh); err != nil {
			return err
		}
		if seal == nil {
			if err := ensureRequesterKey(tx, candidateKey); err != nil {
				return err
			}
		}
		if raw != nil && v == SchemaVersion {
			return nil
		}
		for ; v < SchemaVersion; v++ {
			migrate := migrations[v]
			if migrate == nil {
				return fmt.Errorf("schema version %d is not one any build wrote", v)
			}
			// Through the store's sealer, so a migration may read what a
			// sealed record keeps out of the skeleton.
			if err := migrate(withSealer(ctx, tx, seal)); err != nil {
				return fmt.Errorf("migrate the database from schema version %d: %w", v, err)
			}
		}
		return tx.Put(BucketMeta, keySchemaVersion, binary.BigEndian.AppendUint32(nil, SchemaVersion))
	})
	if err != nil {
		return nil, err
	}
	return &Store{backend: b, seal: seal}, nil
}

// OpenReadOnly is Open for commands that must not change the database: it
// writes nothing, not even on a new or older database. It accepts only the
// current schema version: a newer one is ErrNewerSchema, as with Open; an
// older one is ErrOlderSchema (start `rightsdesk serve` once with this build
// to migrate it); none at all is ErrNotRightsdesk. Update on the returned
// store fails with ErrReadOnly. The backend should itself be read-only
// (bolt.Options.ReadOnly), so nothing else can write either. WithKeyring
// opens its personal data, as with Open.
func OpenReadOnly(ctx context.Context, b Backend, opts ...OpenOption) (*Store, error) {
	var o openOptions
	for _, opt := range opts {
		opt(&o)
	}
	var seal *sealer
	err := b.View(ctx, func(tx ReadTx) error {
		raw := tx.Get(BucketMeta, keySchemaVersion)
		switch {
		case raw == nil:
			return ErrNotRightsdesk
		case len(raw) != 4:
			return fmt.Errorf("schema version record is corrupt (%d bytes)", len(raw))
		}
		switch v := binary.BigEndian.Uint32(raw); {
		case v > SchemaVersion:
			return fmt.Errorf("%w: database is version %d, this build reads up to %d; upgrade rightsdesk", ErrNewerSchema, v, SchemaVersion)
		case v < SchemaVersion:
			return fmt.Errorf("%w: database is version %d, this build reads %d; upgrade it by starting `rightsdesk serve` once with this build, then run this command again", ErrOlderSchema, v, SchemaVersion)
		}
		var err error
		seal, err = openSealingReadOnly(ctx, tx, o.keys)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &Store{backend: b, readOnly: true, seal: seal}, nil
}

// ReadOnly reports whether the store was opened with OpenReadOnly.
func (s *Store) ReadOnly() bool { return s.readOnly }

// View runs fn in a read transaction.
func (s *Store) View(ctx context.Context, fn func(ReadTx) error) error {
	if s.seal == nil {
		return s.backend.View(ctx, fn)
	}
	return s.backend.View(ctx, func(tx ReadTx) error { return fn(sealingReadTx{tx, ctx, s.seal}) })
}

// Update runs fn in a write transaction; see Backend.Update.
func (s *Store) Update(ctx context.Context, fn func(WriteTx) error) error {
	if s.readOnly {
		return ErrReadOnly
	}
	if s.seal == nil {
		return s.backend.Update(ctx, fn)
	}
	return s.backend.Update(ctx, func(tx WriteTx) error { return fn(sealingWriteTx{tx, ctx, s.seal}) })
}

// Backend returns the engine, for backups and health checks.
func (s *Store) Backend() Backend { return s.backend }

// Close closes the engine.
func (s *Store) Close() error { return s.backend.Close() }
