package pack

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/rightsdesk/rightsdesk/internal/cases"
)

// Names of the entries every pack has.
const (
	IndexName        = "index.html"
	LetterHTMLName   = "response-letter.html"
	LetterPDFName    = "response-letter.pdf"
	ManifestName     = "manifest.json"
	DocumentsFolder  = "documents/"
	ManifestFormat   = "rightsdesk-response-pack/1"
	maxDocumentName  = 120
	fixedEntries     = 4 // index, the letter twice, the manifest
	manifestSizeHint = "a response pack's manifest is far smaller"
)

// Limits on a pack, the same for writing and verifying, and checked
// before anything is unpacked: one entry per document a case may hold
// (cases.MaxDocuments) besides the pack's own, none larger than a document
// may be (cases.MaxDocumentSize), and a bound on the whole that a zip bomb
// cannot get past by declaring many entries just under the others.
const (
	MaxEntries      = cases.MaxDocuments + fixedEntries
	MaxEntryBytes   = cases.MaxDocumentSize
	MaxTotalBytes   = 2 << 30
	MaxManifestSize = 1 << 20
)

// Pack is what a response pack is made from.
type Pack struct {
	// Reference is the case's public reference.
	Reference string
	// Made is when the pack was made: the manifest's date and every
	// entry's modification time.
	Made   time.Time
	Letter Letter
	// Documents are the files given to the requester, in the order the
	// pack lists them.
	Documents []Document
}

// Letter is the response letter in its two forms.
type Letter struct {
	Subject string
	// From is who wrote it: the organisation, listed as the letter's source.
	From string
	HTML []byte
	PDF  []byte
}

// Document is one file in the pack.
type Document struct {
	// Name is the file's name as the requester sent or staff uploaded it;
	// the pack's entry name is made safe from it.
	Name string
	// Kind and Source are how the index describes it, in plain words.
	Kind   string
	Source string
	// Size and SHA256 (hex) are what the case recorded of the file; the
	// bytes Open gives must match them.
	Size   int64
	SHA256 string
	Open   func() (io.ReadCloser, error)
}

// Manifest lists every entry of a pack but itself.
type Manifest struct {
	Format    string    `json:"format"`
	Reference string    `json:"reference"`
	Made      time.Time `json:"made"`
	Entries   []Entry   `json:"entries"`
}

// Entry is one file of the pack as the manifest records it.
type Entry struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// ErrMismatch is a document whose bytes are not what the case recorded.
var ErrMismatch = errors.New("a document's bytes do not match what the case recorded")

// ErrTooLarge is a pack over the limits above.
var ErrTooLarge = errors.New("the response pack is over its size limits")

// Write writes the pack as a zip to w and returns its manifest. A pack
// over the limits is refused before anything is written (ErrTooLarge); a
// document that cannot be read, or whose bytes are not those the case
// recorded (ErrMismatch), fails it part way, and what was written must not
// be passed off as a pack.
func Write(w io.Writer, p Pack) (Manifest, error) {
	if err := checkSize(p); err != nil {
		return Manifest{}, err
	}
	made := p.Made.UTC()
	m := Manifest{Format: ManifestFormat, Reference: p.Reference, Made: made}
	z := zip.NewWriter(w)
	add := func(name string, r io.Reader) (Entry, error) {
		fw, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: made})
		if err != nil {
			return Entry{}, err
		}
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(fw, h), r)
		if err != nil {
			return Entry{}, fmt.Errorf("%s: %w", name, err)
		}
		e := Entry{Path: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}
		m.Entries = append(m.Entries, e)
		return e, nil
	}
	index := indexPage{Reference: p.Reference, Date: made.Format("2 January 2006"), Subject: p.Letter.Subject}
	for i, d := range p.Documents {
		e, err := addDocument(add, EntryName(i, d.Name), d)
		if err != nil {
			return Manifest{}, err
		}
		index.Documents = append(index.Documents, indexRow{Path: e.Path, Name: d.Name, Kind: d.Kind, Source: d.Source, Size: e.Size, SHA256: e.SHA256})
	}
	for _, letter := range []struct {
		name, kind string
		body       []byte
	}{{LetterHTMLName, "Response letter (web page)", p.Letter.HTML}, {LetterPDFName, "Response letter (PDF)", p.Letter.PDF}} {
		e, err := add(letter.name, bytes.NewReader(letter.body))
		if err != nil {
			return Manifest{}, err
		}
		index.Letters = append(index.Letters, indexRow{Path: e.Path, Name: letter.name, Kind: letter.kind, Source: p.Letter.From, Size: e.Size, SHA256: e.SHA256})
	}
	var page bytes.Buffer
	if err := indexTemplate.Execute(&page, index); err != nil {
		return Manifest{}, fmt.Errorf("%s: %w", IndexName, err)
	}
	if _, err := add(IndexName, &page); err != nil {
		return Manifest{}, err
	}
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Manifest{}, err
	}
	fw, err := z.CreateHeader(&zip.FileHeader{Name: ManifestName, Method: zip.Deflate, Modified: made})
	if err == nil {
		_, err = fw.Write(append(manifest, '\n'))
	}
	if err != nil {
		return Manifest{}, fmt.Errorf("%s: %w", ManifestName, err)
	}
	return m, z.Close()
}

// addDocument adds one document's bytes, checking them against what the
// case recorded as they pass.
func addDocument(add func(string, io.Reader) (Entry, error), name string, d Document) (Entry, error) {
	rc, err := d.Open()
	if err != nil {
		return Entry{}, fmt.Errorf("%s: %w", name, err)
	}
	defer rc.Close()
	// One byte more than recorded, so a longer file is caught, not cut.
	e, err := add(name, io.LimitReader(rc, d.Size+1))
	if err != nil {
		return Entry{}, err
	}
	if e.Size != d.Size || (d.SHA256 != "" && !strings.EqualFold(e.SHA256, d.SHA256)) {
		return Entry{}, fmt.Errorf("%s: %w (recorded %d bytes, SHA-256 %s; read %d bytes, SHA-256 %s)", name, ErrMismatch, d.Size, d.SHA256, e.Size, e.SHA256)
	}
	return e, nil
}

// checkSize refuses a pack over the limits, from what the case recorded,
// before anything is written.
func checkSize(p Pack) error {
	if n := len(p.Documents) + fixedEntries; n > MaxEntries {
		return fmt.Errorf("%w: %d entries, at most %d", ErrTooLarge, n, MaxEntries)
	}
	total := int64(len(p.Letter.HTML) + len(p.Letter.PDF))
	for _, d := range p.Documents {
		if d.Size < 0 || d.Size > MaxEntryBytes {
			return fmt.Errorf("%w: %q is %d bytes, at most %d", ErrTooLarge, d.Name, d.Size, MaxEntryBytes)
		}
		total += d.Size
	}
	if len(p.Letter.HTML) > MaxEntryBytes || len(p.Letter.PDF) > MaxEntryBytes || total > MaxTotalBytes-MaxManifestSize-MaxEntryBytes {
		return fmt.Errorf("%w: %d bytes in all", ErrTooLarge, total)
	}
	return nil
}

// EntryName is the pack's name for the i-th document (from 0): under
// documents/, numbered so names are unique and sort in the pack's order,
// and made of the file's own name with anything a file system, a shell or
// an unzip tool could misread replaced.
func EntryName(i int, name string) string {
	return fmt.Sprintf("%s%03d-%s", DocumentsFolder, i+1, safeName(name))
}

// safeName keeps letters, digits and ". - _" of the last path element of
// name, with no leading dots (no "..", no hidden file), at most
// maxDocumentName characters with the extension kept; "document" when
// nothing is left.
func safeName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '.', r == '-', r == '_':
			return r
		case unicode.IsSpace(r):
			return '_'
		}
		return -1
	}, strings.ToValidUTF8(name, ""))
	name = strings.TrimLeft(name, ".")
	if runes := []rune(name); len(runes) > maxDocumentName {
		ext := ""
		if i := strings.LastIndex(name, "."); i > 0 && len([]rune(name[i:])) <= 10 {
			ext = name[i:]
		}
		name = string(runes[:maxDocumentName-len([]rune(ext))]) + ext
	}
	if name == "" {
		return "document"
	}
	return name
}

//go:embed index.html.tmpl
var indexSource string

var indexTemplate = template.Must(template.New("index").Funcs(template.FuncMap{"size": sizeText}).Parse(indexSource))

type indexPage struct {
	Reference, Date, Subject string
	Documents, Letters       []indexRow
}

type indexRow struct {
	Path, Name, Kind, Source, SHA256 string
	Size                             int64
}

// sizeText is a size as people read it.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
