package pack_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/pack"
)

var made = time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC)

// doc is a document holding body, recorded as the case would record it.
func doc(name, body string) pack.Document {
	sum := sha256.Sum256([]byte(body))
	return pack.Document{
		Name: name, Kind: "Collected record", Source: "HR system", Size: int64(len(body)), SHA256: hex.EncodeToString(sum[:]),
		Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil },
	}
}

func samplePack() pack.Pack {
	return pack.Pack{
		Reference: "RD-7K3M-Q9XP", Made: made,
		Letter:    pack.Letter{Subject: "Your request", From: "Example Office", HTML: []byte("<p>Dear Ada</p>"), PDF: []byte("%PDF-1.3 letter")},
		Documents: []pack.Document{doc("letters.pdf", "%PDF-1.3 two letters"), doc("../../etc/passwd", "not a password file"), doc("letters.pdf", "%PDF-1.3 a second file, same name")},
	}
}

func write(t *testing.T, p pack.Pack) ([]byte, pack.Manifest) {
	t.Helper()
	var b bytes.Buffer
	m, err := pack.Write(&b, p)
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), m
}

func TestWriteMakesAPackThatVerifies(t *testing.T) {
	zipped, m := write(t, samplePack())
	rep, err := pack.Verify(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil || !rep.OK() {
		t.Fatalf("verify: %v, %+v", err, rep)
	}
	wantPaths := []string{"documents/001-letters.pdf", "documents/002-passwd", "documents/003-letters.pdf", pack.LetterHTMLName, pack.LetterPDFName, pack.IndexName}
	var got []string
	for _, e := range m.Entries {
		got = append(got, e.Path)
	}
	if strings.Join(got, " ") != strings.Join(wantPaths, " ") {
		t.Errorf("manifest lists %v; want %v", got, wantPaths)
	}
	if rep.Reference != "RD-7K3M-Q9XP" || rep.Made != "2026-03-02 10:30:00 UTC" || len(rep.Entries) != len(wantPaths)+1 {
		t.Errorf("report %+v; want the reference, the date and every entry with the manifest", rep)
	}
	z, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range z.File {
		if !f.Modified.Equal(made) {
			t.Errorf("%s is dated %v; want the pack's date %v", f.Name, f.Modified, made)
		}
	}
	if got := read(t, z, "documents/002-passwd"); got != "not a password file" {
		t.Errorf("document 2 holds %q", got)
	}
}

func TestWriteIsDeterministic(t *testing.T) {
	first, m1 := write(t, samplePack())
	second, m2 := write(t, samplePack())
	if !bytes.Equal(first, second) {
		t.Error("the same pack written twice differs")
	}
	j1, _ := json.Marshal(m1)
	j2, _ := json.Marshal(m2)
	if !bytes.Equal(j1, j2) {
		t.Error("the same pack's manifests differ")
	}
}

func read(t *testing.T, z *zip.Reader, name string) string {
	t.Helper()
	rc, err := z.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestIndexListsEveryDocumentAndRunsNoScript(t *testing.T) {
	p := samplePack()
	p.Documents = append(p.Documents, doc(`<script>alert(1)</script>.pdf`, "x"))
	p.Documents[0].Source = `Payroll "<b>"`
	zipped, m := write(t, p)
	z, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		t.Fatal(err)
	}
	index := read(t, z, pack.IndexName)
	for _, want := range []string{"RD-7K3M-Q9XP", "2 March 2026", "letters.pdf", "../../etc/passwd", "Collected record", "Payroll &#34;&lt;b&gt;&#34;", `href="documents/002-passwd"`, "Example Office", pack.LetterPDFName} {
		if !strings.Contains(index, want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	for _, e := range m.Entries {
		if e.Path != pack.IndexName && !strings.Contains(index, e.SHA256) {
			t.Errorf("index.html lacks the SHA-256 of %s", e.Path)
		}
	}
	if strings.Contains(strings.ToLower(index), "<script") {
		t.Error("index.html holds a script element")
	}
}

func TestWriteRefusesADocumentThatIsNotWhatTheCaseRecorded(t *testing.T) {
	tests := map[string]func(*pack.Document){
		"other bytes":    func(d *pack.Document) { d.SHA256 = strings.Repeat("0", 64) },
		"longer":         func(d *pack.Document) { d.Size-- },
		"shorter":        func(d *pack.Document) { d.Size++ },
		"cannot be read": func(d *pack.Document) { d.Open = func() (io.ReadCloser, error) { return nil, errors.New("blob gone") } },
	}
	for name, change := range tests {
		t.Run(name, func(t *testing.T) {
			p := samplePack()
			change(&p.Documents[1])
			_, err := pack.Write(io.Discard, p)
			if err == nil || !strings.Contains(err.Error(), "documents/002-passwd") {
				t.Fatalf("write: %v; want a failure naming the document", err)
			}
		})
	}
}

func TestWriteRefusesAPackOverItsLimits(t *testing.T) {
	p := samplePack()
	p.Documents[0].Size = pack.MaxEntryBytes + 1
	if _, err := pack.Write(io.Discard, p); !errors.Is(err, pack.ErrTooLarge) {
		t.Errorf("an oversized document: %v; want ErrTooLarge", err)
	}
	p = samplePack()
	for len(p.Documents) < pack.MaxEntries {
		p.Documents = append(p.Documents, doc("x.txt", "x"))
	}
	if _, err := pack.Write(io.Discard, p); !errors.Is(err, pack.ErrTooLarge) {
		t.Errorf("too many documents: %v; want ErrTooLarge", err)
	}
}

func TestEntryName(t *testing.T) {
	tests := []struct {
		i          int
		name, want string
	}{
		{0, "letters.pdf", "documents/001-letters.pdf"},
		{9, "../../etc/passwd", "documents/010-passwd"},
		{1, `C:\Users\ada\My file.pdf`, "documents/002-My_file.pdf"},
		{2, "..", "documents/003-document"},
		{3, ".hidden", "documents/004-hidden"},
		{4, "", "documents/005-document"},
		{5, "résumé 名前.pdf", "documents/006-résumé_名前.pdf"},
		{6, "a\x00b\nc|d*.pdf", "documents/007-ab_cd.pdf"},
		{7, strings.Repeat("x", 300) + ".pdf", "documents/008-" + strings.Repeat("x", 116) + ".pdf"},
		{199, "/abs.pdf", "documents/200-abs.pdf"},
	}
	for _, tt := range tests {
		if got := pack.EntryName(tt.i, tt.name); got != tt.want {
			t.Errorf("EntryName(%d, %q) = %q; want %q", tt.i, tt.name, got, tt.want)
		}
	}
}

// entry is one file of a hand-made zip; raw entries declare size and
// hold body as stored, whatever body's true length.
type entry struct {
	name     string
	body     string
	raw      bool
	declared uint64
}

// handMade is a zip of the entries, with a manifest of listed (path,
// body) pairs unless manifest is given.
func handMade(t *testing.T, entries []entry, listed map[string]string, manifest string) []byte {
	t.Helper()
	if manifest == "" {
		m := pack.Manifest{Format: pack.ManifestFormat, Reference: "RD-TEST", Made: made}
		for _, e := range entries {
			if body, ok := listed[e.name]; ok {
				sum := sha256.Sum256([]byte(body))
				m.Entries = append(m.Entries, pack.Entry{Path: e.name, Size: int64(len(body)), SHA256: hex.EncodeToString(sum[:])})
			}
		}
		for path, body := range listed {
			if !hasEntry(entries, path) {
				sum := sha256.Sum256([]byte(body))
				m.Entries = append(m.Entries, pack.Entry{Path: path, Size: int64(len(body)), SHA256: hex.EncodeToString(sum[:])})
			}
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		manifest = string(b)
	}
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, e := range append(entries, entry{name: pack.ManifestName, body: manifest}) {
		var w io.Writer
		var err error
		if e.raw {
			w, err = z.CreateRaw(&zip.FileHeader{Name: e.name, Method: zip.Store, CRC32: crc32.ChecksumIEEE([]byte(e.body)), CompressedSize64: uint64(len(e.body)), UncompressedSize64: e.declared})
		} else {
			w, err = z.Create(e.name)
		}
		if err == nil && e.body != "" {
			_, err = io.WriteString(w, e.body)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func hasEntry(entries []entry, name string) bool {
	for _, e := range entries {
		if e.name == name {
			return true
		}
	}
	return false
}

func TestVerify(t *testing.T) {
	same := func(names ...string) map[string]string {
		m := map[string]string{}
		for _, n := range names {
			m[n] = "body of " + n
		}
		return m
	}
	body := func(name string) entry { return entry{name: name, body: "body of " + name} }
	many := make([]entry, pack.MaxEntries)
	for i := range many {
		many[i] = body(pack.EntryName(i, "x"))
	}
	tests := []struct {
		name     string
		entries  []entry
		listed   map[string]string
		manifest string
		refused  string // a part of the refusal's message, or "" for a broken pack
		problem  string // the problem the report gives, for a broken pack
	}{
		{name: "intact", entries: []entry{body("index.html"), body("documents/001-a.pdf")}, listed: same("index.html", "documents/001-a.pdf")},
		{name: "an entry the manifest does not list", entries: []entry{body("index.html"), body("documents/001-a.pdf")}, listed: same("index.html"), problem: "not in the manifest"},
		{name: "an entry the manifest lists is missing", entries: []entry{body("index.html")}, listed: same("index.html", "documents/001-a.pdf"), problem: "not in the pack"},
		{name: "an entry was changed", entries: []entry{body("index.html"), {name: "documents/001-a.pdf", body: "body of documents/001-a.pdX"}}, listed: same("index.html", "documents/001-a.pdf"), problem: "it was changed"},
		{name: "an entry was cut short", entries: []entry{body("index.html"), {name: "documents/001-a.pdf", body: "body of"}}, listed: same("index.html", "documents/001-a.pdf"), problem: "the manifest says"},
		{name: "an absolute name", entries: []entry{body("/etc/passwd")}, listed: same("/etc/passwd"), refused: "absolute"},
		{name: "a drive letter", entries: []entry{body("C:/x.pdf")}, listed: same("C:/x.pdf"), refused: "absolute"},
		{name: "a name climbing out", entries: []entry{body("documents/../../x")}, listed: same("documents/../../x"), refused: "clean relative"},
		{name: "a name starting with ..", entries: []entry{body("../x")}, listed: same("../x"), refused: "clean relative"},
		{name: "a backslash", entries: []entry{body(`documents\..\x`)}, listed: same(`documents\..\x`), refused: "backslash"},
		{name: "a folder", entries: []entry{{name: "documents/"}}, listed: nil, refused: "folder"},
		{name: "a name twice", entries: []entry{body("index.html"), body("index.html")}, listed: same("index.html"), refused: "appears twice"},
		{name: "a second manifest", entries: []entry{body(pack.ManifestName)}, listed: nil, refused: "appears twice"},
		{name: "too many entries", entries: many, listed: nil, refused: "entries"},
		{name: "an entry declaring more than a document may hold", entries: []entry{{name: "documents/001-a.pdf", body: "x", raw: true, declared: pack.MaxEntryBytes + 1}}, listed: same(), refused: "would unpack"},
		{name: "entries declaring more than a pack holds", entries: bomb(), listed: same(), refused: "more than the"},
		{name: "an entry unpacking to more than it declares", entries: []entry{{name: "documents/001-a.pdf", body: "body of documents/001-a.pdf", raw: true, declared: 4}}, listed: same("documents/001-a.pdf"), problem: "damaged"},
		{name: "no manifest", entries: nil, listed: nil, manifest: "-", refused: "no manifest.json"},
		{name: "a manifest that is not JSON", entries: []entry{body("index.html")}, manifest: "{", refused: "not a manifest"},
		{name: "a manifest of another format", entries: []entry{body("index.html")}, manifest: `{"format":"other/1"}`, refused: "format"},
		{name: "a manifest listing a name twice", entries: []entry{body("index.html")}, manifest: `{"format":"` + pack.ManifestFormat + `","entries":[{"path":"index.html"},{"path":"index.html"}]}`, refused: "twice"},
		{name: "a manifest listing itself", entries: []entry{body("index.html")}, manifest: `{"format":"` + pack.ManifestFormat + `","entries":[{"path":"manifest.json"}]}`, refused: "itself"},
		{name: "a manifest listing an unsafe name", entries: []entry{body("index.html")}, manifest: `{"format":"` + pack.ManifestFormat + `","entries":[{"path":"../x"}]}`, refused: "clean relative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var zipped []byte
			if tt.manifest == "-" {
				zipped = zipWithout(t)
			} else {
				zipped = handMade(t, tt.entries, tt.listed, tt.manifest)
			}
			rep, err := pack.Verify(bytes.NewReader(zipped), int64(len(zipped)))
			switch {
			case tt.refused != "":
				if !errors.Is(err, pack.ErrRefused) || !strings.Contains(err.Error(), tt.refused) || len(rep.Entries) != 0 {
					t.Fatalf("verify: %v, %d entries; want refused, saying %q", err, len(rep.Entries), tt.refused)
				}
			case tt.problem != "":
				if !errors.Is(err, pack.ErrBroken) || rep.OK() || !reports(rep, tt.problem) {
					t.Fatalf("verify: %v, %+v; want broken with %q", err, rep, tt.problem)
				}
			default:
				if err != nil || !rep.OK() {
					t.Fatalf("verify: %v, %+v; want intact", err, rep)
				}
			}
		})
	}
}

// bomb is entries each declaring the most one may, together more than a
// pack may hold.
func bomb() []entry {
	var out []entry
	for i := 0; uint64(i)*pack.MaxEntryBytes <= pack.MaxTotalBytes; i++ {
		out = append(out, entry{name: pack.EntryName(i, "zeros"), body: "0", raw: true, declared: pack.MaxEntryBytes})
	}
	return out
}

func zipWithout(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	if _, err := z.Create("index.html"); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func reports(rep pack.Report, problem string) bool {
	for _, e := range rep.Entries {
		if strings.Contains(e.Problem, problem) {
			return true
		}
	}
	return false
}

func TestVerifyRefusesWhatIsNotAZip(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("PK not really"), []byte("%PDF-1.3")} {
		if _, err := pack.Verify(bytes.NewReader(b), int64(len(b))); !errors.Is(err, pack.ErrRefused) {
			t.Errorf("verify %q: %v; want refused", b, err)
		}
	}
}
