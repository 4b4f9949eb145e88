package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/export"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

// verifyProofFile checks an evidence bundle's proof (the bundle's zip, or
// its proof.json) on its own, then against the chain in st: each of its
// events, and the head it was made at, must still be in the chain with the
// same hash, and none of the case's events up to that head may be missing
// from it. A proof that verifies alone but not against the chain was made
// from another database, was cut down, or the chain was rewritten since.
func verifyProofFile(ctx context.Context, st *store.Store, path string, stdout io.Writer) error {
	p, err := readProof(path)
	if err != nil {
		return err
	}
	if err := audit.VerifyProof(p); err != nil {
		fmt.Fprintf(stdout, "PROOF BROKEN: %v\n", err)
		return errAuditBroken
	}
	var mismatch error
	err = st.View(ctx, func(tx store.ReadTx) error {
		want := map[uint64][]byte{p.HeadSeq: p.Head}
		for _, e := range p.Events {
			want[e.Seq] = e.Hash
		}
		// The proof alone cannot show that none of the case's events was
		// left out; the chain can.
		events, _, err := store.CaseEvents(tx, p.Events[0].CaseID)
		if err != nil {
			return err
		}
		for _, e := range events {
			if _, ok := want[e.Seq]; !ok && e.Seq <= p.HeadSeq {
				mismatch = fmt.Errorf("the chain has event %d of case %s, which the proof leaves out", e.Seq, e.CaseID)
				return nil
			}
		}
		for seq, hash := range want {
			stored, err := store.AuditEvent(tx, seq)
			if errors.Is(err, store.ErrNotFound) {
				mismatch = fmt.Errorf("event %d of the proof is not in the database's chain", seq)
				return nil
			}
			if err != nil {
				return err
			}
			if !bytes.Equal(stored.Hash, hash) {
				mismatch = fmt.Errorf("event %d has hash %s in the proof but %s in the database", seq, hex.EncodeToString(hash), hex.EncodeToString(stored.Hash))
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if mismatch != nil {
		fmt.Fprintf(stdout, "PROOF DOES NOT MATCH THE CHAIN: %v\n", mismatch)
		return errAuditBroken
	}
	_, err = fmt.Fprintf(stdout, "Proof intact: %d events of case %s, all in the chain; the chain's head when it was made, event %d, is in the chain too.\n",
		len(p.Events), p.Events[0].CaseID, p.HeadSeq)
	return err
}

// Limits on what `audit verify --proof` reads, so that a crafted file (a
// zip bomb, a directory of millions of entries) is refused with a clear
// error rather than filling memory. A bundle has four entries and its
// proof one case's events, far below each.
const (
	maxProofBytes       = 64 << 20  // proof.json, or a bare proof, uncompressed
	maxBundleEntries    = 64        // entries in a bundle's zip
	maxBundleEntryBytes = 256 << 20 // any entry of a bundle's zip, uncompressed, as its header declares
	proofSizeHint       = "an evidence bundle's proof is far smaller; is this the right file?"
)

// readProof reads a proof from an evidence bundle's zip or a proof.json,
// within the limits above.
func readProof(path string) (audit.Proof, error) {
	var p audit.Proof
	f, err := os.Open(path)
	if err != nil {
		return p, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return p, err
	}
	magic := make([]byte, 2)
	if _, err := io.ReadFull(f, magic); err == nil && string(magic) == "PK" {
		return readBundleProof(path, f, info.Size())
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return p, err
	}
	raw, err := readAtMost(f, maxProofBytes, path)
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return p, fmt.Errorf("%s: not a proof: %w", path, err)
	}
	return p, nil
}

// readBundleProof reads proof.json from a bundle's zip, refusing a zip
// with more entries than a bundle has or an entry larger than any a bundle
// holds, before decompressing anything.
func readBundleProof(path string, file io.ReaderAt, size int64) (audit.Proof, error) {
	var p audit.Proof
	z, err := zip.NewReader(file, size)
	if err != nil {
		return p, fmt.Errorf("%s: %w", path, err)
	}
	if len(z.File) > maxBundleEntries {
		return p, fmt.Errorf("%s: the zip has %d entries; an evidence bundle has at most %d, so it is not one", path, len(z.File), maxBundleEntries)
	}
	for _, entry := range z.File {
		if entry.UncompressedSize64 > maxBundleEntryBytes {
			return p, fmt.Errorf("%s: entry %q would unpack to %d bytes, more than the %d any evidence bundle holds; refused unread", path, entry.Name, entry.UncompressedSize64, maxBundleEntryBytes)
		}
	}
	entry, err := z.Open(export.BundleProof)
	if err != nil {
		return p, fmt.Errorf("%s: no %s in the bundle: %w", path, export.BundleProof, err)
	}
	defer entry.Close()
	raw, err := readAtMost(entry, maxProofBytes, path+": "+export.BundleProof)
	if errors.Is(err, zip.ErrFormat) {
		return p, fmt.Errorf("%s: %s is damaged or unpacks to more than its header declares; refused: %w", path, export.BundleProof, err)
	}
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return p, fmt.Errorf("%s: not a proof: %w", path, err)
	}
	return p, nil
}

// readAtMost reads r whole, or fails once it passes limit bytes, whatever
// its size claimed to be.
func readAtMost(r io.Reader, limit int64, name string) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if int64(len(raw)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes; %s", name, limit, proofSizeHint)
	}
	return raw, nil
}
