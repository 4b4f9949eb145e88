// Package keyring (layer: support, beside storage) owns the keys that
// protect personal data at rest — envelope encryption:
//
//   - key-encryption keys (KEKs) are held outside the database, behind the
//     KeyEncryptionKey interface: a local Keyring loaded from a file (mode
//     0600 or stricter, outside the data directory) or from the
//     environment (RIGHTSDESK_KEK); a cloud KMS or a Vault transit engine
//     can implement the same two calls later;
//   - each case has its own data key (AES-256-GCM). Its wrapped form — the
//     data key encrypted under a KEK, with the KEK's id — is what the
//     caller stores with the case; DataKey.Seal and Open encrypt the case's
//     personal fields, each bound by its associated data (AssociatedData)
//     to the case id and field name, so a ciphertext moved to another case
//     or another field no longer opens; SealStream and OpenStream do the
//     same for files, in chunks, for the blob store's Sealer hook;
//   - the installation has a Root secret, wrapped like a data key, from
//     which keyed hashes (Hasher, for searchable personal fields) and
//     installation-wide keys (web sessions) are derived with HKDF and a
//     purpose label. It does not change when the KEK rotates, so indexes
//     built on its hashes stay valid;
//   - a Check (a key check value per KEK) that the caller stores, so that
//     starting with the wrong keyring is a clear error (ErrWrongKeyring)
//     before anything is read or written.
//
// Rotation adds a new current KEK (Keyring.Rotate) and re-wraps every
// wrapped key (Rewrap) without touching the data it protects; Status says,
// from the caller's count of wrapped keys per KEK, which keys are still in
// use and which may be retired or removed.
//
// # Crypto-shredding
//
// Destroying a case's data key — deleting its wrapped form, which is the
// only copy at rest — makes every ciphertext sealed under it unreadable
// for good, wherever copies of those ciphertexts survive (freed database
// pages, old backups): that is how retention erases what a database cannot
// reliably overwrite. The deletion is the caller's; so is anything kept in
// clear. A backup taken before the deletion still holds the wrapped key,
// and a KEK that wrapped it can still unwrap it: keep backups no longer
// than the retention they must honour, and remove a retired KEK once no
// backup needs it.
//
// # What it must not do
//
// It must not know what a case is, read or write the store, or log: it
// encrypts and derives, and callers decide which fields are personal.
// Time arrives as arguments. Key material is never printed: every type
// holding a key formats as "[redacted]". It uses only the standard
// library's primitives (AES-GCM, HMAC-SHA-256, HKDF); the one construction
// it builds from them, the chunked stream (see SealStream), is the STREAM
// construction that age and Tink use.
package keyring
