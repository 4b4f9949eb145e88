// Package fsblob (layer: storage engine) is the default blob.Store: files
// in a directory (DATA/blobs), written so that a crash never leaves half a
// blob under its key — the bytes go to a temporary file, are fsynced, and
// appear under their key by a hard link that fails if the key exists, then
// a small metadata file records the size and SHA-256 (recomputed from the
// bytes should a crash have lost it).
//
// Layout: a key's segments are directories and its last segment names two
// files, "NAME,b" (the bytes) and "NAME,m" (the metadata); ',' cannot occur
// in a key, so no key's file is another key's directory.
//
// It must not interpret the bytes; sealing is blob.Sealed's.
package fsblob
