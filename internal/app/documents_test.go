package app

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/blob"
	"github.com/rightsdesk/rightsdesk/internal/blob/fsblob"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// Documents uploaded before encryption are sealed in place by
// SealDocuments, which `keys migrate` runs; a run stopped at any step —
// sealed copy made, plain document deleted — is finished by the next, and
// every document then reads back as it was uploaded, through the sealing
// store, and nowhere in clear.
func TestSealDocumentsSealsOldUploadsAndResumes(t *testing.T) {
	dir := t.TempDir()
	w, st := caseworktest.New(t, dir, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	res, err := w.Create(t.Context(), "token:test", cases.NewCase{
		Notices: []cases.NoticeRef{{ID: "it-service-desk", Context: "employment"}}, Rights: []notice.Right{notice.RightAccess},
		ReceivedOn: "2026-02-27", Requester: cases.Requester{Person: cases.Person{Name: "Ada Lovelace", Email: "ada@example.org"}, Relationship: cases.RelationshipSelf},
	})
	if err != nil {
		t.Fatal(err)
	}
	docs, err := fsblob.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	prefix := strings.ToLower(res.Case.ID) + "/requester/"
	content := map[string][]byte{}
	for _, name := range []string{"done", "copied", "moved"} {
		key := prefix + name
		content[key] = []byte("%PDF-1.4\n% the " + name + " passport scan\n%%EOF\n")
		if _, err := docs.Put(t.Context(), key, bytes.NewReader(content[key])); err != nil {
			t.Fatal(err)
		}
	}
	// A run stopped after the sealed copy of "copied", and one stopped
	// after deleting the plain "moved".
	if err := sealCopy(t.Context(), docs, st, prefix+"copied", prefix+"copied"+sealingSuffix); err != nil {
		t.Fatal(err)
	}
	if err := sealCopy(t.Context(), docs, st, prefix+"moved", prefix+"moved"+sealingSuffix); err != nil {
		t.Fatal(err)
	}
	if err := docs.Delete(t.Context(), prefix+"moved"); err != nil {
		t.Fatal(err)
	}

	n, err := SealDocuments(t.Context(), docs, st)
	if err != nil || n != 3 {
		t.Fatalf("sealed %d documents, %v; want 3", n, err)
	}
	var stored []string
	if err := docs.List(t.Context(), "", func(i blob.Info) error { stored = append(stored, i.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(stored) != len(content) {
		t.Errorf("after sealing the store holds %v; want the three documents and nothing else", stored)
	}
	sealed := sealedDocuments(docs, st)
	for key, want := range content {
		raw := read(t, docs, key)
		if bytes.Contains(raw, []byte("passport scan")) {
			t.Errorf("%s is still in clear", key)
		}
		if got := read(t, sealed, key); !bytes.Equal(got, want) {
			t.Errorf("%s reads back as %d bytes, not the %d uploaded", key, len(got), len(want))
		}
	}
	if again, err := SealDocuments(t.Context(), docs, st); err != nil || again != 0 {
		t.Errorf("a second run sealed %d, %v; want none", again, err)
	}
}

func read(t *testing.T, s blob.Store, key string) []byte {
	t.Helper()
	rc, _, err := s.Get(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
