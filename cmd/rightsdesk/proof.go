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

// readProof reads a proof from an evidence bundle's zip or a proof.json.
func readProof(path string) (audit.Proof, error) {
	var p audit.Proof
	raw, err := os.ReadFile(path)
	if err != nil {
		return p, err
	}
	if bytes.HasPrefix(raw, []byte("PK")) {
		z, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
		if err != nil {
			return p, fmt.Errorf("%s: %w", path, err)
		}
		f, err := z.Open(export.BundleProof)
		if err != nil {
			return p, fmt.Errorf("%s: no %s in the bundle: %w", path, export.BundleProof, err)
		}
		defer f.Close()
		if raw, err = io.ReadAll(f); err != nil {
			return p, err
		}
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return p, fmt.Errorf("%s: not a proof: %w", path, err)
	}
	return p, nil
}
