// Package bolt (layer: storage engine) is the embedded storage engine: a store.Backend on a single
// bbolt file. Concurrent writers are grouped into one commit so they share
// one fsync; fsync is never turned off. It must not interpret the records it
// stores; the schema belongs to package store.
//
// # Writes that fail
//
// A writer of a group whose function fails before its first write (the
// usual refusal: a stale etag) is answered alone and costs the rest of its
// group nothing; one that fails after writing makes the group roll back
// and run again without it, since bbolt cannot undo part of a transaction.
// A commit the disk refuses (ENOSPC, EDQUOT, EROFS, EIO, EFBIG) is a
// *fault.StorageUnavailable, reported as UNAVAILABLE / 503, and
// WritesFailing keeps returning it, which takes the server out of
// readiness, until a commit that writes succeeds again.
//
// # Opening safely
//
// Before bbolt touches the file, Open refuses one that is empty
// (ErrEmptyFile: bbolt would silently initialise it as a new, empty
// database) or shorter than its meta page says its pages reach
// (ErrTruncated: bbolt 1.5.0 checks only that a file holds two pages, opens
// a cut file and then fails or crashes on the first missing page). It reads
// bbolt's two meta pages itself for that, as bbolt does, and checks again
// under bbolt's lock. With Options.ReadOnly nothing is created (a missing
// file is ErrNoDatabase, "no database at DIR/rightsdesk.db"), bbolt holds a
// shared lock and writes nothing, so offline commands that only read leave
// the file's bytes as they were, and Update fails with store.ErrReadOnly.
//
// # Page check
//
// CheckPages runs bbolt's tx.Check, which follows every page from the root
// and the freelist. It reads every page, so its cost grows with the file:
// measured on the 2-core development machine (2026-12-06) with the file in
// the page cache, 540 MB (100,000 seeded cases) took 0.76–1.0 s, about
// 530–740 MB/s, and a 3.1 GB synthetic file 3.5–4.4 s, about 710–880 MB/s;
// with a cold cache the 540 MB file took 11.5 s (47 MB/s, random reads on
// a virtual disk). At the 1,000,000-case target (about 4 GB) that is 5 s
// warm and over a minute cold, against a start-up target under 1 s. So
// Options.CheckPages checks a database whose pages fill at most
// Options.SyncCheckLimit (DefaultSyncCheckLimit, 256 MiB: 0.3–0.5 s warm)
// before Open returns and refuses a damaged one with a *DamageError; a
// larger one is scanned in the background after Open returns. bbolt's own
// check cannot run there: in a read transaction it reads the freelist while
// writers change it, and in a write transaction it would hold every writer
// for seconds. The background scan (scanPages; at full speed about as fast:
// 0.8 s for the 540 MB file, 3.3–3.8 s for 3.1 GB) needs only read
// transactions, and takes a fifth of one core: it reads for 10 ms in one
// read transaction, rests 40 ms, and goes on from the key it stopped at.
// Unpaced, in one transaction, it took a core from the server's first
// calls (over a million cases the top-50 queue's p99 went from under 1 ms
// to 14.6 ms while it ran) and kept every page writers freed meanwhile
// from being used again. It reads every key of every bucket in order,
// which loads every branch and leaf page through bbolt's page assertions,
// and the last byte of every value, so a value running past the file faults; panics and memory faults
// (turned into panics for its goroutine) are recovered and reported. It
// checks key order but not the freelist. If it finds damage the backend
// logs nothing itself but enters a damaged state: every later View, Update
// and Backup returns the *DamageError (errors.Is ErrDamaged), so readiness
// checks fail and writes are refused; WaitPageCheck reports the outcome to
// a caller that wants to log it. Until the scan reaches a damaged page, a
// read of that page panics in its caller, as it does without any check.
// Problems never include keys or values, which may hold personal data, only
// page numbers, bucket names and counts.
package bolt
