// Package s3blob (layer: storage engine) is the blob.Store on
// S3-compatible object storage (minio-go), for replicas that share no
// disk. A blob is one object under the store's key prefix, with its
// SHA-256 in the object's metadata. Put spools the stream to a temporary
// file first, which bounds it by the size limit and gives the hash and
// length before the upload starts (S3 wants both up front; for a large
// blob the client uploads in parts); the upload asks the server to refuse
// an existing key (If-None-Match: *), so a key is never reused even by
// two replicas at once, where the server honours it.
//
// It must not interpret the bytes; sealing is blob.Sealed's.
package s3blob
