package release

import (
	"archive/tar"
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"debug/elf"
	"encoding/hex"
	"encoding/pem"
	"maps"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// What the image promises the documentation (docs/production.md) and the
// systemd unit.
const (
	binaryPath = "/usr/local/bin/rightsdesk"
	dataDir    = "/var/lib/rightsdesk"
	user       = "65532:65532"
)

// expected is what an image must hold.
type expected struct {
	name                                string // NAME:TAG the loaders give it
	version, revision, source, licenses string
	created                             time.Time
	platforms                           []string          // in the index's order
	binaries                            map[string][]byte // by platform
	checkCACerts                        func(t *testing.T, bundle []byte)
	caCopyright                         []byte // nil when none is expected
	dockerPlatform                      string // the image manifest.json lists
	qualifiedName                       string // name as index.json gives it
}

// TestImage checks every promise the image makes: platforms, user,
// entrypoint, environment, volume, ports, labels, files with their owners
// and modes, blob integrity and the Docker manifest. Under `make dist` it
// checks the release (see checkRelease); otherwise it builds an image from
// stand-in binaries, and a second one to show the same inputs give the
// same bytes.
func TestImage(t *testing.T) {
	if dist := os.Getenv("RIGHTSDESK_DIST"); dist != "" {
		checkRelease(t, dist)
		return
	}
	dir := t.TempDir()
	write := func(name string, body []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, body, 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// The builder must put each platform's file, byte for byte, in that
	// platform's image; distinct contents show it does not mix them up.
	want := expected{
		name: "rightsdesk:v9.8.7-test", version: "v9.8.7-test", revision: "0123456789abcdef",
		source: "https://example.org/rightsdesk", licenses: "EUPL-1.2",
		created:   time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		platforms: []string{"linux/amd64", "linux/arm64"},
		binaries: map[string][]byte{
			"linux/amd64": []byte("stands in for the linux/amd64 binary\n"),
			"linux/arm64": []byte("stands in for the linux/arm64 binary\n"),
		},
		caCopyright:    []byte("Copyright notice of the test bundle\n"),
		dockerPlatform: "linux/amd64",
		qualifiedName:  "docker.io/library/rightsdesk:v9.8.7-test",
	}
	bundle := []byte("-----BEGIN CERTIFICATE-----\nnot a certificate: the builder copies, it does not parse\n-----END CERTIFICATE-----\n")
	want.checkCACerts = func(t *testing.T, got []byte) {
		if !bytes.Equal(got, bundle) {
			t.Errorf("CA bundle differs from the one given:\n%s", got)
		}
	}
	args := func(out string) []string {
		return []string{"--out", out,
			"--binary", "linux/amd64=" + write("amd64", want.binaries["linux/amd64"]),
			"--binary", "linux/arm64=" + write("arm64", want.binaries["linux/arm64"]),
			"--ca-certs", write("ca.crt", bundle), "--ca-copyright", write("copyright", want.caCopyright),
			"--version", want.version, "--revision", want.revision, "--source", want.source, "--licenses", want.licenses,
			"--created", strconv.FormatInt(want.created.Unix(), 10)}
	}
	first, second := filepath.Join(dir, "first.tar"), filepath.Join(dir, "second.tar")
	imagebuild(t, args(first)...)
	a, err := readArchive(first)
	if err != nil {
		t.Fatal(err)
	}
	checkImage(t, a, want)

	imagebuild(t, args(second)...)
	if a, b := digestOf(t, first), digestOf(t, second); a != b {
		t.Errorf("two builds from the same inputs differ: %s and %s", a, b)
	}
}

// checkRelease checks the release `make dist` wrote in dist: its sums,
// its binaries (static, for the platform their name says, version-stamped,
// built without the build machine's paths) and its image, which must carry
// exactly those binaries.
func checkRelease(t *testing.T, dist string) {
	t.Helper()
	checkSums(t, dist, "rightsdesk-linux-amd64", "rightsdesk-linux-arm64", "rightsdesk-image.tar", "rightsdesk.service")
	a, err := readArchive(filepath.Join(dist, "rightsdesk-image.tar"))
	if err != nil {
		t.Fatal(err)
	}
	labels := a.index.Annotations
	want := expected{
		version: labels["org.opencontainers.image.version"], revision: labels["org.opencontainers.image.revision"],
		source: labels["org.opencontainers.image.source"], licenses: labels["org.opencontainers.image.licenses"],
		platforms:      []string{"linux/amd64", "linux/arm64"},
		binaries:       map[string][]byte{},
		checkCACerts:   checkRealBundle,
		dockerPlatform: "linux/amd64",
	}
	if want.version == "" || want.revision == "" || want.source == "" {
		t.Errorf("the release's labels lack a version, revision or source: %v", labels)
	}
	want.name = "rightsdesk:" + want.version
	want.qualifiedName = "docker.io/library/" + want.name
	if epoch := os.Getenv("SOURCE_DATE_EPOCH"); epoch != "" {
		secs, err := strconv.ParseInt(epoch, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		want.created = time.Unix(secs, 0).UTC()
	} else if want.created, err = time.Parse(time.RFC3339, labels["org.opencontainers.image.created"]); err != nil {
		t.Fatal(err)
	}
	machines := map[string]elf.Machine{"linux/amd64": elf.EM_X86_64, "linux/arm64": elf.EM_AARCH64}
	for _, p := range want.platforms {
		file := filepath.Join(dist, "rightsdesk-"+strings.ReplaceAll(p, "/", "-"))
		body, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		want.binaries[p] = body
		checkStatic(t, file, machines[p])
		if bytes.Contains(body, []byte(root(t))) {
			t.Errorf("%s holds the build machine's path %s: build it with -trimpath", file, root(t))
		}
		if p == runtime.GOOS+"/"+runtime.GOARCH {
			if got := strings.TrimSpace(run(t, 30*time.Second, nil, file, "version")); !strings.Contains(got, want.version) {
				t.Errorf("%s version says %q, the image's label %q", file, got, want.version)
			}
		}
	}
	checkImage(t, a, want)
}

func checkImage(t *testing.T, a *archive, want expected) {
	t.Helper()
	ref := a.top.Manifests[0].Annotations
	for _, key := range []string{"org.opencontainers.image.ref.name", "io.containerd.image.name"} {
		if ref[key] != want.qualifiedName {
			t.Errorf("index.json: %s = %q, want %q", key, ref[key], want.qualifiedName)
		}
	}
	labels := a.index.Annotations
	for key, value := range map[string]string{
		"org.opencontainers.image.title":    "rightsdesk",
		"org.opencontainers.image.version":  want.version,
		"org.opencontainers.image.revision": want.revision,
		"org.opencontainers.image.source":   want.source,
		"org.opencontainers.image.licenses": want.licenses,
		"org.opencontainers.image.created":  want.created.Format(time.RFC3339),
	} {
		if got, ok := labels[key]; value != "" && got != value || value == "" && ok {
			t.Errorf("label %s = %q, want %q", key, got, value)
		}
	}
	if labels["org.opencontainers.image.description"] == "" {
		t.Error("no description label")
	}
	var platforms []string
	for _, img := range a.images {
		if img.desc.Platform == nil {
			t.Fatalf("the index lists %s without a platform", img.desc.Digest)
		}
		platforms = append(platforms, img.desc.Platform.String())
	}
	if !slices.Equal(platforms, want.platforms) {
		t.Fatalf("platforms %v, want %v", platforms, want.platforms)
	}
	for _, img := range a.images {
		t.Run(img.desc.Platform.String(), func(t *testing.T) {
			checkPlatformImage(t, img, want, labels)
		})
	}
	docker, ok := a.byPlatform(want.dockerPlatform)
	if !ok {
		t.Fatalf("no %s image for manifest.json", want.dockerPlatform)
	}
	wantDocker := []dockerImage{{Config: blobPath(docker.manifest.Config.Digest), RepoTags: []string{want.name}}}
	for _, l := range docker.manifest.Layers {
		wantDocker[0].Layers = append(wantDocker[0].Layers, blobPath(l.Digest))
	}
	if !reflect.DeepEqual(a.dockerManifest, wantDocker) {
		t.Errorf("manifest.json (for Docker's classic image store) = %+v, want %+v", a.dockerManifest, wantDocker)
	}
	for name, h := range a.entries {
		if !h.ModTime.Equal(want.created) || h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" {
			t.Errorf("archive entry %s: stamped %s, owner %d:%d %q:%q; want %s, 0:0 and no names", name, h.ModTime, h.Uid, h.Gid, h.Uname, h.Gname, want.created)
		}
	}
}

func checkPlatformImage(t *testing.T, img image, want expected, labels map[string]string) {
	p, c := img.desc.Platform, img.config
	if got := (platform{c.OS, c.Architecture, c.Variant}); got != *p {
		t.Errorf("config says %s, the index %s", got, p)
	}
	if !c.Created.Equal(want.created) {
		t.Errorf("created %s, want %s", c.Created, want.created)
	}
	cfg := c.Config
	if cfg.User != user {
		t.Errorf("user %q, want %q (numeric, not root)", cfg.User, user)
	}
	if !slices.Equal(cfg.Entrypoint, []string{binaryPath, "serve"}) || len(cfg.Cmd) != 0 {
		t.Errorf("entrypoint %q, cmd %q; want %q and none", cfg.Entrypoint, cfg.Cmd, []string{binaryPath, "serve"})
	}
	for _, env := range []string{"RIGHTSDESK_DATA=" + dataDir, "RIGHTSDESK_HTTP_ADDR=0.0.0.0:8080", "RIGHTSDESK_GRPC_ADDR=0.0.0.0:9090", "PATH=" + path.Dir(binaryPath)} {
		if !slices.Contains(cfg.Env, env) {
			t.Errorf("environment %q lacks %s", cfg.Env, env)
		}
	}
	if got := slices.Sorted(maps.Keys(cfg.ExposedPorts)); !slices.Equal(got, []string{"8080/tcp", "9090/tcp"}) {
		t.Errorf("exposed ports %v", got)
	}
	if got := slices.Sorted(maps.Keys(cfg.Volumes)); !slices.Equal(got, []string{dataDir}) {
		t.Errorf("volumes %v, want %s", got, dataDir)
	}
	if !maps.Equal(cfg.Labels, labels) || !maps.Equal(img.manifest.Annotations, labels) {
		t.Errorf("config labels %v and manifest annotations %v differ from the index's %v", cfg.Labels, img.manifest.Annotations, labels)
	}

	files := img.files
	for name, f := range files {
		if !f.ModTime.Equal(want.created) || f.Uname != "" || f.Gname != "" {
			t.Errorf("%s: stamped %s, owner names %q:%q; want %s and numbers only", name, f.ModTime, f.Uname, f.Gname, want.created)
		}
		if f.Mode&0o6000 != 0 {
			t.Errorf("%s is setuid or setgid (%o)", name, f.Mode)
		}
		if f.Uid != 0 && name != dataDir[1:] {
			t.Errorf("%s is owned by %d: only the data directory belongs to the server's user", name, f.Uid)
		}
	}
	checkFile(t, files, binaryPath, tar.TypeReg, 0o755, 0, want.binaries[p.String()])
	bundle := checkFile(t, files, "/etc/ssl/certs/ca-certificates.crt", tar.TypeReg, 0o644, 0, nil)
	want.checkCACerts(t, bundle)
	if want.caCopyright != nil {
		checkFile(t, files, "/usr/share/doc/ca-certificates/copyright", tar.TypeReg, 0o644, 0, want.caCopyright)
	}
	checkFile(t, files, dataDir, tar.TypeDir, 0o700, 65532, nil)
	checkFile(t, files, "/tmp", tar.TypeDir, 0o1777, 0, nil)
	passwd := string(checkFile(t, files, "/etc/passwd", tar.TypeReg, 0o644, 0, nil))
	if !strings.Contains(passwd, "\nrightsdesk:x:65532:65532:rightsdesk:"+dataDir+":") {
		t.Errorf("/etc/passwd names no rightsdesk user 65532 at home in %s:\n%s", dataDir, passwd)
	}
	if group := string(checkFile(t, files, "/etc/group", tar.TypeReg, 0o644, 0, nil)); !strings.Contains(group, "\nrightsdesk:x:65532:") {
		t.Errorf("/etc/group names no rightsdesk group 65532:\n%s", group)
	}
}

// checkFile checks a file's type, mode and owner (uid and gid), and its
// content when want is not nil; it returns the content.
func checkFile(t *testing.T, files map[string]file, name string, typ byte, mode int64, owner int, want []byte) []byte {
	t.Helper()
	f, ok := files[name[1:]]
	if !ok {
		t.Errorf("%s is missing", name)
		return nil
	}
	if f.Typeflag != typ || f.Mode != mode || f.Uid != owner || f.Gid != owner {
		t.Errorf("%s: type %c mode %o owner %d:%d; want type %c mode %o owner %d:%d", name, f.Typeflag, f.Mode, f.Uid, f.Gid, typ, mode, owner, owner)
	}
	if want != nil && !bytes.Equal(f.body, want) {
		t.Errorf("%s: %d bytes that differ from the %d expected", name, len(f.body), len(want))
	}
	return f.body
}

// checkRealBundle checks a real CA bundle: PEM, many certificates, each
// one parsing.
func checkRealBundle(t *testing.T, bundle []byte) {
	t.Helper()
	n := 0
	for rest := bundle; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			t.Errorf("certificate %d: %v", n+1, err)
		}
		n++
	}
	if n < 50 {
		t.Errorf("the CA bundle holds %d certificates; Debian's ca-certificates has well over 100", n)
	}
}

// checkStatic checks that file is an ELF executable for machine with no
// program interpreter: statically linked, so it runs in an image from
// scratch.
func checkStatic(t *testing.T, file string, machine elf.Machine) {
	t.Helper()
	f, err := elf.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != machine || f.Type != elf.ET_EXEC {
		t.Errorf("%s is a %s %s, want a %s executable", file, f.Machine, f.Type, machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s is dynamically linked: build it with CGO_ENABLED=0", file)
		}
	}
}

// checkSums checks dir's SHA256SUMS, in sha256sum's format, lists at
// least names, and that every file it lists has that digest.
func checkSums(t *testing.T, dir string, names ...string) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	listed := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("SHA256SUMS: %q is not a sha256sum line", sc.Text())
		}
		listed[name] = true
		if got := digestOf(t, filepath.Join(dir, name)); got != sum {
			t.Errorf("%s: SHA-256 %s, SHA256SUMS says %s", name, got, sum)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if !listed[name] {
			t.Errorf("SHA256SUMS does not list %s", name)
		}
	}
}

func digestOf(t *testing.T, file string) string {
	t.Helper()
	body, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

func blobPath(digest string) string { return "blobs/" + strings.Replace(digest, ":", "/", 1) }
