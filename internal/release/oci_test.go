package release

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"
)

// The media types of an OCI image (image-spec 1.1).
const (
	mediaIndex    = "application/vnd.oci.image.index.v1+json"
	mediaManifest = "application/vnd.oci.image.manifest.v1+json"
	mediaConfig   = "application/vnd.oci.image.config.v1+json"
	mediaLayer    = "application/vnd.oci.image.layer.v1.tar+gzip"
)

// This file reads an OCI layout tarball with the standard library alone:
// the builder uses go-containerregistry, and reading the result back with
// the same library would let a misuse of it check itself.

type descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Platform    *platform         `json:"platform,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

type platform struct {
	OS           string `json:"os"`
	Architecture string `json:"architecture"`
	Variant      string `json:"variant,omitempty"`
}

func (p platform) String() string {
	return strings.TrimSuffix(p.OS+"/"+p.Architecture+"/"+p.Variant, "/")
}

type index struct {
	SchemaVersion int               `json:"schemaVersion"`
	MediaType     string            `json:"mediaType"`
	Manifests     []descriptor      `json:"manifests"`
	Annotations   map[string]string `json:"annotations"`
}

type manifest struct {
	SchemaVersion int               `json:"schemaVersion"`
	MediaType     string            `json:"mediaType"`
	Config        descriptor        `json:"config"`
	Layers        []descriptor      `json:"layers"`
	Annotations   map[string]string `json:"annotations"`
}

type imageConfig struct {
	Created      time.Time `json:"created"`
	OS           string    `json:"os"`
	Architecture string    `json:"architecture"`
	Variant      string    `json:"variant"`
	Config       struct {
		User         string
		Entrypoint   []string
		Cmd          []string
		Env          []string
		ExposedPorts map[string]struct{}
		Volumes      map[string]struct{}
		Labels       map[string]string
	} `json:"config"`
	RootFS struct {
		Type    string   `json:"type"`
		DiffIDs []string `json:"diff_ids"`
	} `json:"rootfs"`
}

// dockerImage is an entry of a `docker save` manifest.json.
type dockerImage struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// file is an entry of an image's file system, after its layers are
// applied in order.
type file struct {
	tar.Header
	body []byte
}

// image is one platform's image as the archive holds it.
type image struct {
	desc     descriptor // as the index lists it
	manifest manifest
	config   imageConfig
	files    map[string]file // by path, without the leading slash
}

// archive is an OCI layout tarball, read and checked for integrity:
// every blob matches its digest and size, every layer its diff id.
type archive struct {
	entries        map[string]*tar.Header // every entry of the tarball
	top            index                  // index.json
	index          index                  // the image index it names
	images         []image
	dockerManifest []dockerImage
	blobs          map[string][]byte // by digest
}

func readArchive(file string) (*archive, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	a := &archive{entries: map[string]*tar.Header{}, blobs: map[string][]byte{}}
	named := map[string][]byte{}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		a.entries[h.Name] = h
		if h.Typeflag != tar.TypeReg {
			continue
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			return nil, err
		}
		named[h.Name] = body
		if hexDigest, ok := strings.CutPrefix(h.Name, "blobs/sha256/"); ok {
			if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != hexDigest {
				return nil, fmt.Errorf("%s holds content whose digest is sha256:%x", h.Name, sum)
			}
			a.blobs["sha256:"+hexDigest] = body
		}
	}
	var layout struct{ ImageLayoutVersion string }
	if err := json.Unmarshal(named["oci-layout"], &layout); err != nil || layout.ImageLayoutVersion != "1.0.0" {
		return nil, fmt.Errorf("oci-layout is %q (%v)", named["oci-layout"], err)
	}
	if err := json.Unmarshal(named["index.json"], &a.top); err != nil {
		return nil, fmt.Errorf("index.json: %w", err)
	}
	if len(a.top.Manifests) != 1 || a.top.Manifests[0].MediaType != mediaIndex {
		return nil, fmt.Errorf("index.json should name one image index: %+v", a.top.Manifests)
	}
	if err := a.decode(a.top.Manifests[0], mediaIndex, &a.index); err != nil {
		return nil, err
	}
	for _, d := range a.index.Manifests {
		img, err := a.image(d)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.Digest, err)
		}
		a.images = append(a.images, img)
	}
	if body, ok := named["manifest.json"]; ok {
		if err := json.Unmarshal(body, &a.dockerManifest); err != nil {
			return nil, fmt.Errorf("manifest.json: %w", err)
		}
	}
	return a, nil
}

// blob returns what d points at, checking its size and media type.
func (a *archive) blob(d descriptor, mediaType string) ([]byte, error) {
	if d.MediaType != mediaType {
		return nil, fmt.Errorf("%s is a %q, want %q", d.Digest, d.MediaType, mediaType)
	}
	body, ok := a.blobs[d.Digest]
	if !ok {
		return nil, fmt.Errorf("%s is not in the archive", d.Digest)
	}
	if int64(len(body)) != d.Size {
		return nil, fmt.Errorf("%s is %d bytes, its descriptor says %d", d.Digest, len(body), d.Size)
	}
	return body, nil
}

func (a *archive) decode(d descriptor, mediaType string, v any) error {
	body, err := a.blob(d, mediaType)
	if err != nil {
		return err
	}
	return json.Unmarshal(body, v)
}

func (a *archive) image(d descriptor) (image, error) {
	img := image{desc: d, files: map[string]file{}}
	if err := a.decode(d, mediaManifest, &img.manifest); err != nil {
		return img, err
	}
	if err := a.decode(img.manifest.Config, mediaConfig, &img.config); err != nil {
		return img, err
	}
	if len(img.config.RootFS.DiffIDs) != len(img.manifest.Layers) {
		return img, fmt.Errorf("%d layers, %d diff ids", len(img.manifest.Layers), len(img.config.RootFS.DiffIDs))
	}
	for i, l := range img.manifest.Layers {
		body, err := a.blob(l, mediaLayer)
		if err != nil {
			return img, err
		}
		if err := img.apply(body, img.config.RootFS.DiffIDs[i]); err != nil {
			return img, fmt.Errorf("layer %d: %w", i, err)
		}
	}
	return img, nil
}

// apply unpacks a gzip-compressed layer over the files so far, checking
// the uncompressed bytes against the config's diff id.
func (img *image) apply(compressed []byte, diffID string) error {
	zr, err := gzip.NewReader(bytes.NewReader(compressed))
	if err != nil {
		return err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return err
	}
	if sum := sha256.Sum256(raw); "sha256:"+hex.EncodeToString(sum[:]) != diffID {
		return fmt.Errorf("uncompressed digest sha256:%x, diff id %s", sum, diffID)
	}
	tr := tar.NewReader(bytes.NewReader(raw))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			return err
		}
		img.files[path.Clean(h.Name)] = file{Header: *h, body: body}
	}
}

// byPlatform returns the image for p ("linux/amd64").
func (a *archive) byPlatform(p string) (image, bool) {
	for _, img := range a.images {
		if img.desc.Platform != nil && img.desc.Platform.String() == p {
			return img, true
		}
	}
	return image{}, false
}
