package catalogue

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// dataFiles holds one JSON file per notice, named after the notice id, so a
// reviewer can check one notice's facts without reading the others.
//
//go:embed data/*.json
var dataFiles embed.FS

// Builtin returns the five reference notices, validated (Version.Validate),
// sorted by id. Every call decodes afresh, so callers may change what they get.
func Builtin() ([]notice.Notice, error) {
	entries, err := dataFiles.ReadDir("data")
	if err != nil {
		return nil, fmt.Errorf("read the built-in notices: %w", err)
	}
	notices := make([]notice.Notice, 0, len(entries))
	for _, e := range entries {
		n, err := load(e.Name())
		if err != nil {
			return nil, err
		}
		notices = append(notices, n)
	}
	slices.SortFunc(notices, func(a, b notice.Notice) int { return strings.Compare(a.ID, b.ID) })
	return notices, nil
}

func load(fileName string) (notice.Notice, error) {
	raw, err := dataFiles.ReadFile(path.Join("data", fileName))
	if err != nil {
		return notice.Notice{}, fmt.Errorf("built-in notice %s: %w", fileName, err)
	}
	n, err := decodeStrict(raw)
	if err != nil {
		return notice.Notice{}, fmt.Errorf("built-in notice %s: %w", fileName, err)
	}
	if err := check(&n, strings.TrimSuffix(fileName, ".json")); err != nil {
		return notice.Notice{}, fmt.Errorf("built-in notice %s: %w", fileName, err)
	}
	return n, nil
}

// decodeStrict rejects unknown fields and anything after the notice, so a
// misspelt field name fails the tests instead of silently dropping a fact.
func decodeStrict(raw []byte) (notice.Notice, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var n notice.Notice
	if err := dec.Decode(&n); err != nil {
		return notice.Notice{}, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return notice.Notice{}, errors.New("unexpected data after the notice object")
	}
	return n, nil
}

// check holds the catalogue's own invariants on top of Version.Validate: the
// file is named after the notice (so ids stay unique), and a built-in notice
// is the text as we read it, one version numbered 1.
func check(n *notice.Notice, fileID string) error {
	if n.ID != fileID {
		return fmt.Errorf("notice id %q does not match its file name %q", n.ID, fileID)
	}
	if len(n.Versions) != 1 || n.Versions[0].Number != 1 {
		return fmt.Errorf("notice %q: a built-in notice has exactly one version, numbered 1", n.ID)
	}
	return n.Versions[0].Validate()
}
