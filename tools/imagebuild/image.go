package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Where things are inside the image. docs/production.md and the test rely
// on them, so they are fixed rather than flags.
const (
	binaryPath = "/usr/local/bin/rightsdesk"
	dataDir    = "/var/lib/rightsdesk"
	caPath     = "/etc/ssl/certs/ca-certificates.crt"
	// The copyright file travels with the certificates it covers, as
	// Debian ships them.
	caCopyrightPath = "/usr/share/doc/ca-certificates/copyright"
	// uid is the server's user and group: numeric, so a runtime can tell it
	// is not root without reading /etc/passwd, and outside the range
	// distributions give to people (65532 is distroless's "nonroot").
	uid      = 65532
	userName = "rightsdesk"
	httpPort = "8080"
	grpcPort = "9090"
)

// Spec is everything an image is built from.
type Spec struct {
	Binaries []Binary // one image per platform, in this order in the index
	// CACerts is the PEM bundle to install (Debian's ca-certificates);
	// CACopyright, when set, its copyright file.
	CACerts, CACopyright string
	Created              time.Time // every timestamp inside the image
	Version, Revision    string
	Source               string // the repository's URL
	Licenses             string // SPDX expression; the label is left out when empty
}

// Binary is a static rightsdesk binary built for Platform.
type Binary struct {
	Platform v1.Platform
	Path     string
}

// Labels are the OCI annotations the image carries, both as its config's
// labels (what `docker inspect` shows) and on its manifests and index
// (what registries show).
func (s Spec) Labels() map[string]string {
	l := map[string]string{
		"org.opencontainers.image.title":       "rightsdesk",
		"org.opencontainers.image.description": "Rightsdesk: data-subject rights requests under UK GDPR, tracked to their statutory deadline",
		"org.opencontainers.image.created":     s.Created.UTC().Format(time.RFC3339),
		"org.opencontainers.image.version":     s.Version,
		"org.opencontainers.image.revision":    s.Revision,
		"org.opencontainers.image.source":      s.Source,
		"org.opencontainers.image.url":         s.Source,
	}
	if s.Licenses != "" {
		l["org.opencontainers.image.licenses"] = s.Licenses
	}
	return l
}

// Build assembles the multi-platform index: for each binary, an image of
// two layers, the files every platform shares and then the binary.
func Build(s Spec) (v1.ImageIndex, error) {
	if len(s.Binaries) == 0 {
		return nil, errors.New("no binaries: give at least one platform's")
	}
	base, err := s.baseLayer()
	if err != nil {
		return nil, err
	}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, b := range s.Binaries {
		img, err := s.image(base, b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", b.Platform, err)
		}
		p := b.Platform
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
	}
	return mutate.Annotations(idx, s.Labels()).(v1.ImageIndex), nil
}

func (s Spec) image(base v1.Layer, b Binary) (v1.Image, error) {
	body, err := os.ReadFile(b.Path)
	if err != nil {
		return nil, err
	}
	bin, err := layer(s.Created, append(dirs(path.Dir(binaryPath)), entry{name: binaryPath, mode: 0o755, body: body})...)
	if err != nil {
		return nil, err
	}
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	created := v1.Time{Time: s.Created}
	img, err = mutate.Append(img,
		mutate.Addendum{Layer: base, History: v1.History{Created: created, CreatedBy: "imagebuild: user " + userName + ", CA certificates, " + dataDir}},
		mutate.Addendum{Layer: bin, History: v1.History{Created: created, CreatedBy: "imagebuild: " + binaryPath + " " + s.Version}},
	)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Created = created
	cf.OS, cf.Architecture, cf.Variant = b.Platform.OS, b.Platform.Architecture, b.Platform.Variant
	cf.Config = s.config()
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		return nil, err
	}
	return mutate.Annotations(img, s.Labels()).(v1.Image), nil
}

// config runs `rightsdesk serve` as the numeric non-root user. The data
// directory and the listen addresses are environment variables rather
// than arguments: `docker run IMAGE --org-name X` then adds a flag without
// dropping them (the command line still wins over the environment), and
// the administrative commands run with `docker exec` find the data
// directory, and through it the running server's admin socket.
func (s Spec) config() v1.Config {
	id := strconv.Itoa(uid)
	return v1.Config{
		User:       id + ":" + id,
		Entrypoint: []string{binaryPath, "serve"},
		Env: []string{
			"PATH=" + path.Dir(binaryPath),
			"RIGHTSDESK_DATA=" + dataDir,
			// Inside the container the loopback default would be unreachable
			// from the published ports.
			"RIGHTSDESK_HTTP_ADDR=0.0.0.0:" + httpPort,
			"RIGHTSDESK_GRPC_ADDR=0.0.0.0:" + grpcPort,
		},
		ExposedPorts: map[string]struct{}{httpPort + "/tcp": {}, grpcPort + "/tcp": {}},
		Volumes:      map[string]struct{}{dataDir: {}},
		WorkingDir:   "/",
		StopSignal:   "SIGTERM",
		Labels:       s.Labels(),
	}
}

// baseLayer holds what a static Go server needs from an operating system:
// a passwd and group entry for its user (so user lookups name it), name
// service order for the resolver, CA certificates, a world-writable /tmp
// and the data directory, owned by the user so a fresh volume mounted
// there starts writable by it.
func (s Spec) baseLayer() (v1.Layer, error) {
	certs, err := os.ReadFile(s.CACerts)
	if err != nil {
		return nil, fmt.Errorf("CA certificates: %w", err)
	}
	id := strconv.Itoa(uid)
	t := s.Created
	var es []entry
	es = append(es, dirs("/etc/ssl/certs")...)
	es = append(es,
		entry{name: "/etc/group", mode: 0o644, body: []byte("root:x:0:\n" + userName + ":x:" + id + ":\n")},
		entry{name: "/etc/nsswitch.conf", mode: 0o644, body: []byte("hosts: files dns\n")},
		entry{name: "/etc/passwd", mode: 0o644, body: []byte("root:x:0:0:root:/root:/sbin/nologin\n" +
			userName + ":x:" + id + ":" + id + ":" + userName + ":" + dataDir + ":/sbin/nologin\n")},
		entry{name: caPath, mode: 0o644, body: certs},
		entry{name: "/tmp", mode: 0o1777, dir: true},
	)
	if s.CACopyright != "" {
		notice, err := os.ReadFile(s.CACopyright)
		if err != nil {
			return nil, fmt.Errorf("CA certificates' copyright: %w", err)
		}
		es = append(es, dirs(path.Dir(caCopyrightPath))...)
		es = append(es, entry{name: caCopyrightPath, mode: 0o644, body: notice})
	}
	es = append(es, dirs(path.Dir(dataDir))...)
	es = append(es, entry{name: dataDir, mode: 0o700, dir: true, owner: uid})
	return layer(t, es...)
}

// entry is one file or directory of a layer.
type entry struct {
	name  string
	mode  int64
	dir   bool
	owner int // uid and gid; root unless set
	body  []byte
}

// dirs returns the directory entries from the top down to d, each 0755
// and owned by root, so a layer never leaves a parent's mode to the
// runtime.
func dirs(d string) []entry {
	if d == "/" {
		return nil
	}
	return append(dirs(path.Dir(d)), entry{name: d, mode: 0o755, dir: true})
}

// layer writes entries, in the order given, as a gzip-compressed OCI
// layer. Every timestamp is mtime (whole seconds, as ustar holds them)
// and every owner numeric, with no user or group names, so the same
// inputs give the same digest.
func layer(mtime time.Time, entries ...entry) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	seen := map[string]bool{}
	for _, e := range entries {
		name := e.name[1:] // layer paths are relative to the root
		if seen[name] {
			continue // a parent directory two entries share
		}
		seen[name] = true
		h := &tar.Header{Name: name, Mode: e.mode, Uid: e.owner, Gid: e.owner, ModTime: mtime.Truncate(time.Second), Format: tar.FormatUSTAR}
		if e.dir {
			h.Typeflag, h.Name = tar.TypeDir, name+"/"
		} else {
			h.Typeflag, h.Size = tar.TypeReg, int64(len(e.body))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil },
		tarball.WithMediaType(types.OCILayer), tarball.WithCompressionLevel(gzip.BestCompression), tarball.WithCompressedCaching)
}
