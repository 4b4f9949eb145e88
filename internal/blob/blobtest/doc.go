// Package blobtest (layer: test support) is the conformance suite every
// blob.Store passes: streaming round trips with sizes and SHA-256, keys
// never reused, the size limit refusing a stream whole, key rules,
// listing by prefix in key order, deletes, cancelled puts, concurrent
// puts of one key, and sealing through blob.Sealed. A store's own test
// calls RunAll.
package blobtest
