package fsblob

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/blob"
	"github.com/rightsdesk/rightsdesk/internal/durable"
)

// Store is a blob.Store in a directory.
type Store struct {
	root    string
	maxSize int64
}

var _ blob.Store = (*Store)(nil)

// Open returns the store in dir, creating it; maxSize 0 is blob.DefaultMaxSize.
func Open(dir string, maxSize int64) (*Store, error) {
	if maxSize <= 0 {
		maxSize = blob.DefaultMaxSize
	}
	for _, d := range []string{dir, filepath.Join(dir, "tmp"), filepath.Join(dir, "objects")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("blob store: %w", err)
		}
	}
	return &Store{root: dir, maxSize: maxSize}, nil
}

type meta struct {
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

func (s *Store) paths(key string) (data, metaPath string) {
	base := filepath.Join(s.root, "objects", filepath.FromSlash(key))
	return base + ",b", base + ",m"
}

// Put implements blob.Store.
func (s *Store) Put(ctx context.Context, key string, r io.Reader) (blob.Info, error) {
	if err := blob.CheckKey(key); err != nil {
		return blob.Info{}, err
	}
	data, metaPath := s.paths(key)
	if _, err := os.Lstat(data); err == nil {
		return blob.Info{}, fmt.Errorf("%w: %s", blob.ErrExists, key)
	}
	tmp, err := os.CreateTemp(filepath.Join(s.root, "tmp"), "put-")
	if err != nil {
		return blob.Info{}, err
	}
	defer os.Remove(tmp.Name())
	m := blob.NewMetered(r, s.maxSize)
	_, err = io.Copy(tmp, blob.StopWith(ctx, m))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return blob.Info{}, err
	}
	if err := os.MkdirAll(filepath.Dir(data), 0o700); err != nil {
		return blob.Info{}, err
	}
	// The commit point: the link fails if another Put took the key.
	if err := os.Link(tmp.Name(), data); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return blob.Info{}, fmt.Errorf("%w: %s", blob.ErrExists, key)
		}
		return blob.Info{}, err
	}
	md := meta{Size: m.Size(), SHA256: m.SHA256()}
	if err := writeMeta(metaPath, md); err != nil {
		return blob.Info{}, err
	}
	if err := durable.SyncDir(filepath.Dir(data)); err != nil {
		return blob.Info{}, err
	}
	info, err := os.Stat(data)
	if err != nil {
		return blob.Info{}, err
	}
	return blob.Info{Key: key, Size: md.Size, SHA256: md.SHA256, Modified: info.ModTime()}, nil
}

func writeMeta(path string, m meta) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(raw)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Stat implements blob.Store.
func (s *Store) Stat(_ context.Context, key string) (blob.Info, error) {
	if err := blob.CheckKey(key); err != nil {
		return blob.Info{}, err
	}
	data, metaPath := s.paths(key)
	fi, err := os.Stat(data)
	if errors.Is(err, fs.ErrNotExist) {
		return blob.Info{}, fmt.Errorf("%w: %s", blob.ErrNotFound, key)
	}
	if err != nil {
		return blob.Info{}, err
	}
	md, err := s.meta(data, metaPath)
	if err != nil {
		return blob.Info{}, err
	}
	return blob.Info{Key: key, Size: md.Size, SHA256: md.SHA256, Modified: fi.ModTime()}, nil
}

// meta reads the metadata, recomputing it from the bytes when a crash
// lost it between the link and its write.
func (s *Store) meta(data, metaPath string) (meta, error) {
	var md meta
	raw, err := os.ReadFile(metaPath)
	if err == nil {
		if err := json.Unmarshal(raw, &md); err == nil {
			return md, nil
		}
	}
	f, err := os.Open(data)
	if err != nil {
		return md, err
	}
	defer f.Close()
	m := blob.NewMetered(f, 1<<62)
	if _, err := io.Copy(io.Discard, m); err != nil {
		return md, err
	}
	md = meta{Size: m.Size(), SHA256: m.SHA256()}
	return md, writeMeta(metaPath, md)
}

// Get implements blob.Store.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, blob.Info, error) {
	info, err := s.Stat(ctx, key)
	if err != nil {
		return nil, blob.Info{}, err
	}
	data, _ := s.paths(key)
	f, err := os.Open(data)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, blob.Info{}, fmt.Errorf("%w: %s", blob.ErrNotFound, key)
	}
	return f, info, err
}

// Delete implements blob.Store.
func (s *Store) Delete(_ context.Context, key string) error {
	if err := blob.CheckKey(key); err != nil {
		return err
	}
	data, metaPath := s.paths(key)
	for _, p := range []string{data, metaPath} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	// Remove directories the key leaves empty (best effort).
	objects := filepath.Join(s.root, "objects")
	for dir := filepath.Dir(data); dir != objects && strings.HasPrefix(dir, objects); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			break
		}
	}
	return nil
}

// List implements blob.Store.
func (s *Store) List(ctx context.Context, prefix string, fn func(blob.Info) error) error {
	objects := filepath.Join(s.root, "objects")
	// Walk only the directory the prefix's complete segments name.
	start := objects
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		start = filepath.Join(objects, filepath.FromSlash(prefix[:i]))
	}
	type found struct {
		key string
		mod time.Time
	}
	var keys []found
	err := filepath.WalkDir(start, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && path == start {
				return fs.SkipAll
			}
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ",b") {
			return ctx.Err()
		}
		rel, err := filepath.Rel(objects, strings.TrimSuffix(path, ",b"))
		if err != nil {
			return err
		}
		if key := filepath.ToSlash(rel); strings.HasPrefix(key, prefix) {
			fi, err := d.Info()
			if err != nil {
				return err
			}
			keys = append(keys, found{key, fi.ModTime()})
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].key < keys[j].key })
	for _, k := range keys {
		data, metaPath := s.paths(k.key)
		md, err := s.meta(data, metaPath)
		if err != nil {
			return err
		}
		if err := fn(blob.Info{Key: k.key, Size: md.Size, SHA256: md.SHA256, Modified: k.mod}); err != nil {
			return err
		}
	}
	return nil
}
