// Package blob (layer: storage) is the interface every document store
// implements — requester uploads and disclosure packs are files, which do
// not belong in the case store — with the rules every implementation
// keeps: keys, size limits, content hashes, and a hook to seal (encrypt)
// the stream. Implementations live in sub-packages: fsblob (a directory
// under the data directory, the default) and s3blob (S3-compatible object
// storage, for replicas that share no disk); blobtest is the conformance
// suite both pass.
//
// It must not interpret what it stores, nor know about cases: a caller
// chooses the key (the case id first, so a per-case key can seal it).
package blob
