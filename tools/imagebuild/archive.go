package main

import (
	"archive/tar"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Annotations on index.json's descriptor that name the image for the
// loaders: the OCI layout's own, and containerd's (read by Docker's
// containerd image store).
const (
	annotationRefName   = "org.opencontainers.image.ref.name"
	annotationImageName = "io.containerd.image.name"
)

// WriteArchive writes idx to file as an OCI image layout in a tar, named
// tag (NAME:TAG). `podman load` and Docker's containerd image store read
// the layout and pick the platform they run on; Docker's classic image
// store reads only manifest.json, the `docker save` format, which is
// added for the index's first image. mtime stamps every tar entry.
func WriteArchive(file string, idx v1.ImageIndex, tag string, mtime time.Time) error {
	if t, err := name.NewTag(tag); err != nil || !strings.HasSuffix(tag, ":"+t.TagStr()) {
		return fmt.Errorf("image name %q: want NAME:TAG (%v)", tag, err)
	}
	dir, err := os.MkdirTemp("", "imagebuild-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ref := qualified(tag)
	top := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex), mutate.IndexAddendum{
		Add:        idx,
		Descriptor: v1.Descriptor{Annotations: map[string]string{annotationRefName: ref, annotationImageName: ref}},
	})
	if _, err := layout.Write(dir, top); err != nil {
		return err
	}
	compat, err := dockerManifest(idx, tag)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), compat, 0o644); err != nil {
		return err
	}
	return tarDir(dir, file, mtime)
}

// qualified is tag as Docker and containerd store it: a name with no
// registry is Docker Hub's.
func qualified(tag string) string {
	first, _, nested := strings.Cut(tag, "/")
	switch {
	case nested && (strings.ContainsAny(first, ".:") || first == "localhost"):
		return tag
	case nested:
		return "docker.io/" + tag
	default:
		return "docker.io/library/" + tag
	}
}

// dockerManifest is the manifest.json of a `docker save` archive. It
// holds one image per tag, so it lists the index's first image only.
func dockerManifest(idx v1.ImageIndex, tag string) ([]byte, error) {
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	img, err := idx.Image(im.Manifests[0].Digest)
	if err != nil {
		return nil, err
	}
	cfg, err := img.ConfigName()
	if err != nil {
		return nil, err
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	paths := make([]string, len(layers))
	for i, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return nil, err
		}
		paths[i] = blobPath(d)
	}
	return json.Marshal([]dockerImage{{Config: blobPath(cfg), RepoTags: []string{tag}, Layers: paths}})
}

// dockerImage is one entry of a `docker save` manifest.json.
type dockerImage struct {
	Config   string
	RepoTags []string
	Layers   []string
}

func blobPath(h v1.Hash) string { return path.Join("blobs", h.Algorithm, h.Hex) }

// tarDir writes the tree under dir to file in lexical order, every entry
// owned by root and stamped mtime, so the same tree gives the same bytes.
// It writes beside file and renames, so a failed run leaves no half
// archive under the final name.
func tarDir(dir, file string, mtime time.Time) error {
	tmp := file + ".partial"
	out, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer os.Remove(tmp) // after the rename, a no-op
	tw := tar.NewWriter(out)
	walkErr := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		h := &tar.Header{Name: filepath.ToSlash(rel), ModTime: mtime.Truncate(time.Second), Format: tar.FormatUSTAR}
		if d.IsDir() {
			h.Typeflag, h.Name, h.Mode = tar.TypeDir, h.Name+"/", 0o755
			return tw.WriteHeader(h)
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil {
			return err
		}
		h.Typeflag, h.Mode, h.Size = tar.TypeReg, 0o644, info.Size()
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		_, err = io.Copy(tw, f)
		return err
	})
	if walkErr != nil {
		out.Close()
		return walkErr
	}
	if err := tw.Close(); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}
