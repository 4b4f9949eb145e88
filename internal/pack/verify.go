package pack

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode/utf8"
)

// Report is what Verify found: the manifest's reference and date, and
// each entry, the manifest's included, with what is wrong with it.
type Report struct {
	Reference string
	Made      string
	Entries   []Checked
}

// Checked is one entry of the pack, or one the manifest lists that the
// zip lacks.
type Checked struct {
	Path string
	Size int64
	// Problem is why the entry does not verify; "" when it does.
	Problem string
}

// OK reports whether every entry verified.
func (r Report) OK() bool {
	for _, e := range r.Entries {
		if e.Problem != "" {
			return false
		}
	}
	return len(r.Entries) > 0
}

// ErrRefused is a pack that cannot be checked at all: not a zip, over the
// limits (a zip bomb), with an unsafe or duplicated name, or without a
// readable manifest. Nothing of it was unpacked.
var ErrRefused = errors.New("not a response pack that can be checked")

// ErrBroken is a pack whose entries do not match its manifest: the report
// names each.
var ErrBroken = errors.New("the response pack does not match its manifest")

// Verify checks a pack: every entry but the manifest is in the manifest
// with the same size and SHA-256, every entry the manifest lists is in
// the zip, and no name is absolute, climbs out with "..", or appears
// twice. Limits on entries and on the sizes the zip declares are checked
// before anything is unpacked, and no entry is read past its declared
// size. The error is ErrRefused (with no entries in the report) or
// ErrBroken (the report says which entries), or nil.
func Verify(r io.ReaderAt, size int64) (Report, error) {
	z, err := zip.NewReader(r, size)
	if err != nil {
		return Report{}, fmt.Errorf("%w: %w", ErrRefused, err)
	}
	byName, err := checkEntries(z.File)
	if err != nil {
		return Report{}, err
	}
	m, err := readManifest(byName[ManifestName])
	if err != nil {
		return Report{}, err
	}
	rep := Report{Reference: m.Reference, Made: m.Made.UTC().Format("2006-01-02 15:04:05 UTC")}
	listed := map[string]Entry{}
	for _, e := range m.Entries {
		listed[e.Path] = e
	}
	for _, f := range z.File {
		if f.Name == ManifestName {
			rep.Entries = append(rep.Entries, Checked{Path: f.Name, Size: int64(f.UncompressedSize64)})
			continue
		}
		want, ok := listed[f.Name]
		checked := Checked{Path: f.Name, Size: int64(f.UncompressedSize64)}
		if !ok {
			checked.Problem = "not in the manifest"
		} else {
			checked.Problem = checkEntry(f, want)
		}
		rep.Entries = append(rep.Entries, checked)
	}
	for _, e := range m.Entries {
		if _, ok := byName[e.Path]; !ok {
			rep.Entries = append(rep.Entries, Checked{Path: e.Path, Size: e.Size, Problem: "listed in the manifest but not in the pack"})
		}
	}
	if !rep.OK() {
		return rep, ErrBroken
	}
	return rep, nil
}

// checkEntries refuses, before anything is unpacked, a zip with more
// entries or declared bytes than a pack can hold, or an entry whose name
// is not one a pack could have written safely, or appears twice.
func checkEntries(files []*zip.File) (map[string]*zip.File, error) {
	if len(files) > MaxEntries {
		return nil, fmt.Errorf("%w: %d entries; a pack has at most %d", ErrRefused, len(files), MaxEntries)
	}
	byName := make(map[string]*zip.File, len(files))
	var total uint64
	for _, f := range files {
		if problem := nameProblem(f.Name); problem != "" {
			return nil, fmt.Errorf("%w: entry %q %s", ErrRefused, f.Name, problem)
		}
		if _, dup := byName[f.Name]; dup {
			return nil, fmt.Errorf("%w: entry %q appears twice", ErrRefused, f.Name)
		}
		byName[f.Name] = f
		if f.UncompressedSize64 > MaxEntryBytes {
			return nil, fmt.Errorf("%w: entry %q would unpack to %d bytes; a pack's entries hold at most %d", ErrRefused, f.Name, f.UncompressedSize64, MaxEntryBytes)
		}
		if total += f.UncompressedSize64; total > MaxTotalBytes {
			return nil, fmt.Errorf("%w: the entries would unpack to more than the %d bytes a pack holds", ErrRefused, MaxTotalBytes)
		}
	}
	if byName[ManifestName] == nil {
		return nil, fmt.Errorf("%w: no %s", ErrRefused, ManifestName)
	}
	return byName, nil
}

// nameProblem says what is unsafe about an entry's name, or "": a pack's
// names are relative, forward-slashed, clean paths of files.
func nameProblem(name string) string {
	switch {
	case name == "":
		return "has no name"
	case !utf8.ValidString(name):
		return "is not UTF-8"
	case strings.HasPrefix(name, "/"), len(name) > 1 && name[1] == ':':
		return "is an absolute path"
	case strings.ContainsAny(name, "\\\x00"):
		return "holds a backslash or a NUL"
	case strings.HasSuffix(name, "/"):
		return "is a folder; a pack holds only files"
	case path.Clean(name) != name, name == ".", name == "..", strings.HasPrefix(name, "../"):
		return "is not a clean relative path (it has '..', '.' or an empty part)"
	}
	return ""
}

// readManifest reads and parses the manifest within MaxManifestSize, and
// refuses one that lists an unsafe name, a name twice or itself.
func readManifest(f *zip.File) (Manifest, error) {
	var m Manifest
	if f.UncompressedSize64 > MaxManifestSize {
		return m, fmt.Errorf("%w: %s would unpack to %d bytes; %s", ErrRefused, ManifestName, f.UncompressedSize64, manifestSizeHint)
	}
	rc, err := f.Open()
	if err != nil {
		return m, fmt.Errorf("%w: %s: %w", ErrRefused, ManifestName, err)
	}
	defer rc.Close()
	raw, err := io.ReadAll(io.LimitReader(rc, MaxManifestSize+1))
	if err != nil {
		return m, fmt.Errorf("%w: %s is damaged: %w", ErrRefused, ManifestName, err)
	}
	if len(raw) > MaxManifestSize {
		return m, fmt.Errorf("%w: %s is larger than %d bytes; %s", ErrRefused, ManifestName, MaxManifestSize, manifestSizeHint)
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return m, fmt.Errorf("%w: %s is not a manifest: %w", ErrRefused, ManifestName, err)
	}
	if m.Format != ManifestFormat {
		return m, fmt.Errorf("%w: %s is of format %q; this checks %q", ErrRefused, ManifestName, m.Format, ManifestFormat)
	}
	seen := map[string]bool{}
	for _, e := range m.Entries {
		switch {
		case nameProblem(e.Path) != "":
			return m, fmt.Errorf("%w: %s lists %q, which %s", ErrRefused, ManifestName, e.Path, nameProblem(e.Path))
		case e.Path == ManifestName:
			return m, fmt.Errorf("%w: %s lists itself", ErrRefused, ManifestName)
		case seen[e.Path]:
			return m, fmt.Errorf("%w: %s lists %q twice", ErrRefused, ManifestName, e.Path)
		}
		seen[e.Path] = true
	}
	return m, nil
}

// checkEntry unpacks one entry, no further than its declared size, and
// says how it differs from the manifest's record of it, or "".
func checkEntry(f *zip.File, want Entry) string {
	rc, err := f.Open()
	if err != nil {
		return "cannot be unpacked: " + err.Error()
	}
	defer rc.Close()
	h := sha256.New()
	// The zip reader fails an entry that unpacks to more than it declared.
	n, err := io.Copy(h, io.LimitReader(rc, int64(f.UncompressedSize64)+1))
	switch {
	case err != nil:
		return "is damaged: " + err.Error()
	case n != want.Size:
		return fmt.Sprintf("is %d bytes; the manifest says %d", n, want.Size)
	case !strings.EqualFold(hex.EncodeToString(h.Sum(nil)), want.SHA256):
		return "its SHA-256 is not the manifest's: it was changed"
	}
	return ""
}
