package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/export"
)

// fuzzProof is a proof of two events of one case, with an event of
// another case between them in the chain.
func fuzzProof() audit.Proof {
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	var chain []audit.Event
	for i, caseID := range []string{"01JCASEA", "01JCASEB", "01JCASEA"} {
		e := audit.Event{Seq: uint64(i + 1), CaseID: caseID, Time: at, Actor: "token:cw", Action: "case.updated", PayloadHash: make([]byte, 32)}
		var prev *audit.Event
		if i > 0 {
			prev = &chain[i-1]
		}
		audit.Link(&e, prev)
		chain = append(chain, e)
	}
	return audit.Proof{Events: []audit.Event{chain[0], chain[2]}, Head: chain[2].Hash, HeadSeq: 3}
}

func zipped(t testing.TB, name string, content []byte) []byte {
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	w, err := z.Create(name)
	if err == nil {
		_, err = w.Write(content)
	}
	if err == nil {
		err = z.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzReadProof reads any file given to `audit verify --proof`, a bare
// proof.json or a bundle's zip. Reading fails with an error or gives a
// proof whose verification is nil or an *audit.Break; a proof that
// verifies is one case's events in ascending order, each whose hash
// recomputes, ending at or before the head, and verifies again after a
// JSON round trip.
func FuzzReadProof(f *testing.F) {
	if err := audit.VerifyProof(fuzzProof()); err != nil {
		f.Fatalf("the seed proof does not verify: %v", err)
	}
	good, err := json.Marshal(fuzzProof())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(zipped(f, export.BundleProof, good))
	f.Add(zipped(f, "other.json", good))
	f.Add([]byte(`{"events":[],"head":null,"head_seq":0}`))
	f.Add([]byte(`{"events":[{"seq":1}],"head":"AAAA","head_seq":1}`))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, content []byte) {
		path := filepath.Join(t.TempDir(), "proof")
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		p, err := readProof(path)
		if err != nil {
			return
		}
		err = audit.VerifyProof(p)
		var broken *audit.Break
		if err != nil {
			if !errors.As(err, &broken) || broken.Reason == "" {
				t.Fatalf("verification fails with %v (%T), not an *audit.Break", err, err)
			}
			return
		}
		for i := range p.Events {
			e := &p.Events[i]
			if e.CaseID != p.Events[0].CaseID || e.Valid() != nil || (i > 0 && e.Seq <= p.Events[i-1].Seq) || e.Seq > p.HeadSeq {
				t.Fatalf("a proof that verifies holds event %d: %+v", i, e)
			}
		}
		raw, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("a proof that verifies cannot be written back: %v", err)
		}
		var back audit.Proof
		if err := json.Unmarshal(raw, &back); err != nil || audit.VerifyProof(back) != nil {
			t.Fatalf("a proof that verifies does not after a JSON round trip: %v, %v", err, audit.VerifyProof(back))
		}
	})
}
