package app

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/blob"
	"github.com/rightsdesk/rightsdesk/internal/keyring"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

// sealedDocuments seals every document a case keeps in the blob store
// with the case's data key, bound to the document's key, so a document
// shares its case's fate: destroying the case's data key destroys it too.
// Document keys start with the case id in lower case (casework's
// documentKey).
func sealedDocuments(docs blob.Store, st *store.Store) blob.Store {
	return blob.Sealed(docs, documentSealerFor(st))
}

func documentSealerFor(st *store.Store) blob.SealerFor {
	return func(ctx context.Context, key string) (blob.Sealer, error) {
		prefix, _, ok := strings.Cut(key, "/")
		if !ok || prefix == "" {
			return nil, errors.New("a document key must start with its case's id")
		}
		caseID := strings.ToUpper(prefix)
		k, err := st.CaseDataKey(ctx, caseID)
		if err != nil {
			return nil, err
		}
		if k == nil {
			return nil, errors.New("the store is not encrypted: documents cannot be sealed")
		}
		return documentSealer{k.StreamSealer(keyring.AssociatedData(caseID, "document/"+key))}, nil
	}
}

// documentSealer opens a document stored before encryption at rest, and
// not yet sealed by `keys migrate` (SealDocuments runs after the store's
// records are sealed, so a server may start between the two), as it is. A
// sealed stream starts with its version byte, 1, which none of the file
// types a requester may send starts with.
type documentSealer struct{ keyring.StreamSealer }

// sealedStreamVersion is the first byte of keyring.SealStream's output.
const sealedStreamVersion = 1

func (d documentSealer) Open(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	first, err := br.Peek(1)
	if err == nil && first[0] != sealedStreamVersion {
		return br, nil
	}
	return d.StreamSealer.Open(br)
}

// sealingSuffix marks the sealed copy SealDocuments makes of a document
// before it replaces the plain one (blob stores never overwrite a key).
const sealingSuffix = ".sealing"

// SealDocuments seals, in place, every document docs holds in clear —
// uploaded before encryption at rest — with its case's data key, as
// sealedDocuments would have; st must be open with its keyring. Each
// document is copied sealed under a temporary key, the plain one deleted,
// and the sealed copy put back under the document's key, so that a crash
// at any point loses nothing: run again, it finishes what it began. It
// says how many documents it sealed.
func SealDocuments(ctx context.Context, docs blob.Store, st *store.Store) (int, error) {
	var keys []string
	if err := docs.List(ctx, "", func(i blob.Info) error { keys = append(keys, i.Key); return nil }); err != nil {
		return 0, err
	}
	present := make(map[string]bool, len(keys))
	for _, k := range keys {
		present[k] = true
	}
	n := 0
	for _, key := range keys {
		if strings.HasSuffix(key, sealingSuffix) {
			continue // handled with the document it belongs to
		}
		sealed, err := isSealed(ctx, docs, key)
		if err != nil {
			return n, err
		}
		tmp := key + sealingSuffix
		if sealed {
			if present[tmp] { // put back before the crash; only the copy is left
				if err := docs.Delete(ctx, tmp); err != nil {
					return n, err
				}
			}
			continue
		}
		if present[tmp] { // from a run stopped before the plain one went
			if err := docs.Delete(ctx, tmp); err != nil {
				return n, err
			}
		}
		if err := sealCopy(ctx, docs, st, key, tmp); err != nil {
			return n, err
		}
		if err := docs.Delete(ctx, key); err != nil {
			return n, err
		}
		if err := putBack(ctx, docs, tmp, key); err != nil {
			return n, err
		}
		n++
	}
	// A sealed copy whose document is gone: the run stopped between the
	// delete and the put back.
	for _, key := range keys {
		orig, ok := strings.CutSuffix(key, sealingSuffix)
		if !ok || present[orig] {
			continue
		}
		if err := putBack(ctx, docs, key, orig); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// isSealed reports whether the document stored under key is a sealed
// stream (see documentSealer).
func isSealed(ctx context.Context, docs blob.Store, key string) (bool, error) {
	rc, _, err := docs.Get(ctx, key)
	if err != nil {
		return false, err
	}
	defer rc.Close()
	first := make([]byte, 1)
	if _, err := io.ReadFull(rc, first); err != nil {
		return false, nil // empty: nothing sealed writes that
	}
	return first[0] == sealedStreamVersion, nil
}

// sealCopy stores under tmp the document at key, sealed as it would be
// under key.
func sealCopy(ctx context.Context, docs blob.Store, st *store.Store, key, tmp string) error {
	sl, err := documentSealerFor(st)(ctx, key)
	if err != nil {
		return err
	}
	rc, _, err := docs.Get(ctx, key)
	if err != nil {
		return err
	}
	defer rc.Close()
	pr, pw := io.Pipe()
	go func() {
		w, err := sl.Seal(pw)
		if err == nil {
			_, err = io.Copy(w, rc)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
		}
		pw.CloseWithError(err)
	}()
	_, err = docs.Put(ctx, tmp, pr)
	pr.CloseWithError(err)
	return err
}

// putBack moves the blob at from to to, as it is.
func putBack(ctx context.Context, docs blob.Store, from, to string) error {
	rc, _, err := docs.Get(ctx, from)
	if err != nil {
		return err
	}
	_, err = docs.Put(ctx, to, rc)
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return docs.Delete(ctx, from)
}
