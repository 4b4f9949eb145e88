package casework

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/rightsdesk/rightsdesk/internal/blob"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// Scanner checks a document's bytes once they are stored and before any
// case names them: the hook for a virus scanner. A document it finds
// harmful is refused with ErrHarmful (wrapped); any other error (the
// scanner is down) fails the upload as it is. Either way the stored bytes
// are deleted and the case is left as it was.
type Scanner interface {
	Scan(ctx context.Context, content io.Reader, f cases.File) error
}

// ErrHarmful is what a Scanner wraps when it refuses a document.
var ErrHarmful = errors.New("the document failed a virus check")

// NoScan is the Scanner that accepts everything without reading it: the
// default until a deployment wires a real one (see internal/app).
var NoScan Scanner = noScan{}

type noScan struct{}

func (noScan) Scan(context.Context, io.Reader, cases.File) error { return nil }

// WithScanner checks every document stored with scanner (NoScan when
// unset).
func WithScanner(scanner Scanner) Option { return func(s *Service) { s.scanner = scanner } }

// uploadRule is what an upload may be and where it is kept.
type uploadRule struct {
	// folder follows the case id in the blob key.
	folder string
	// field is the field a refusal names.
	field string
	max   int64
	// checkType refuses a media type (sniffed from the content) the
	// upload may not have; name is the sanitised file name.
	checkType func(name, mediaType string) error
	tooLarge  func(name string) error
}

// requesterUploads are what the public may send.
var requesterUploads = uploadRule{
	folder: "requester", field: "files", max: cases.MaxFileSize,
	checkType: cases.CheckFileType, tooLarge: cases.FileTooLarge,
}

// staffUploads are what staff may add as a document of kind.
func staffUploads(kind cases.DocumentKind) uploadRule {
	return uploadRule{
		folder: "documents", field: "file", max: cases.MaxDocumentSize,
		checkType: func(name, media string) error { return cases.CheckDocumentType(kind, name, media) },
		tooLarge:  cases.DocumentTooLarge,
	}
}

// storeUpload stores one upload once its first bytes show it is a type
// the rule allows, counting and hashing it on the way in (text is checked
// to its end), and has it scanned. Anything that fails deletes what was
// stored.
func (s *Service) storeUpload(ctx context.Context, caseID string, up usecase.Upload, rule uploadRule) (cases.File, error) {
	if err := cases.CheckUploadName(rule.field, up.Name); err != nil {
		return cases.File{}, err
	}
	name := cases.SanitiseFileName(up.Name)
	content := bufio.NewReaderSize(up.Content, cases.DocumentSniffBytes)
	head, _ := content.Peek(cases.DocumentSniffBytes) // a short file shows what it has
	media := cases.SniffDocumentType(head)
	if err := rule.checkType(name, media); err != nil {
		return cases.File{}, err
	}
	key, err := s.documentKey(caseID, rule.folder)
	if err != nil {
		return cases.File{}, err
	}
	var source io.Reader = content
	if media == cases.MediaText {
		source = &textOnly{r: content, refuse: fault.Invalid(rule.field, "%s is not plain UTF-8 text all through", name)}
	}
	metered := blob.NewMetered(source, rule.max)
	f := cases.File{Key: key, Name: name, MediaType: media}
	if _, err := s.documents.Put(ctx, key, metered); err != nil {
		s.forget(ctx, []cases.File{f}) // a Put that failed part way may leave a part behind
		var invalid *fault.InvalidArgument
		switch {
		case errors.Is(err, blob.ErrTooLarge):
			return cases.File{}, rule.tooLarge(name)
		case errors.As(err, &invalid):
			return cases.File{}, invalid
		}
		return cases.File{}, err
	}
	f.Size, f.SHA256 = metered.Size(), metered.SHA256()
	if err := s.scan(ctx, f); err != nil {
		s.forget(ctx, []cases.File{f})
		if errors.Is(err, ErrHarmful) {
			return cases.File{}, fault.Invalid(rule.field, "%s failed a virus check and was not kept", name)
		}
		return cases.File{}, err
	}
	return f, nil
}

// scan runs the Scanner over the document as stored.
func (s *Service) scan(ctx context.Context, f cases.File) error {
	if s.scanner == nil || s.scanner == NoScan {
		return nil
	}
	rc, _, err := s.documents.Get(ctx, f.Key)
	if err != nil {
		return err
	}
	defer rc.Close()
	return s.scanner.Scan(ctx, rc, f)
}

// documentKey starts with the case id, so a per-case key can seal the
// document, then the folder and 128 random bits: unguessable, and never
// drawn twice.
func (s *Service) documentKey(caseID, folder string) (string, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(s.random, b); err != nil {
		return "", err
	}
	return strings.ToLower(caseID) + "/" + folder + "/" + hex.EncodeToString(b), nil
}

// textOnly passes text through and fails with refuse at the first byte
// that is not plain UTF-8 text (see cases.TextProblem); a character split
// across reads is judged when it is whole.
type textOnly struct {
	r      io.Reader
	carry  []byte
	refuse error
}

func (t *textOnly) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	chunk := append(t.carry, p[:n]...)
	t.carry = nil
	for i := max(0, len(chunk)-utf8.UTFMax+1); i < len(chunk); i++ {
		if utf8.RuneStart(chunk[i]) && !utf8.FullRune(chunk[i:]) {
			t.carry, chunk = append([]byte(nil), chunk[i:]...), chunk[:i]
			break
		}
	}
	if cases.TextProblem(chunk, false) != "" || (err == io.EOF && len(t.carry) > 0) {
		return 0, t.refuse
	}
	return n, err
}

// AddDocument stores a document staff add to a case, then records it in
// one transaction; if the case refuses it, the stored bytes are deleted.
// What the case would refuse anyway is checked before anything is stored.
func (s *Service) AddDocument(ctx context.Context, actor, caseID string, spec cases.DocumentSpec, up usecase.Upload) (updated *cases.Case, err error) {
	c, err := s.Get(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if err := c.CheckDocumentSpec(spec); err != nil {
		return nil, err
	}
	if s.documents == nil {
		return nil, &fault.FailedPrecondition{Subject: c.Name(), Description: "documents cannot be added: no document store is set up"}
	}
	f, err := s.storeUpload(ctx, c.ID, up, staffUploads(spec.Kind))
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			s.forget(ctx, []cases.File{f})
		}
	}()
	env := s.env(actor)
	err = s.store.Update(ctx, func(tx store.WriteTx) (err error) {
		updated, err = s.applyIn(tx, env, c.ID, "", cases.AddDocument{DocumentSpec: spec, File: f})
		return err
	})
	return updated, err
}
