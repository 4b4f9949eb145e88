package release

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/keyring"
)

// TestImageServesHealthz loads the image into podman or docker, runs it
// as the documentation says (data on a volume, HTTP published on
// loopback, the keyring from a podman secret) and waits for /healthz and /readyz; then it runs an
// administrative command with `exec`, as an operator would, through the
// admin socket in the data directory. Under `make dist` it runs the
// release's image; otherwise it builds one for this machine's platform
// from the real server.
func TestImageServesHealthz(t *testing.T) {
	rt := containerRuntime(t)
	var tarball, tag string
	if dist := os.Getenv("RIGHTSDESK_DIST"); dist != "" {
		tarball = filepath.Join(dist, "rightsdesk-image.tar")
		a, err := readArchive(tarball)
		if err != nil {
			t.Fatal(err)
		}
		tag = "rightsdesk:" + a.index.Annotations["org.opencontainers.image.version"]
	} else {
		tarball, tag = hostImage(t)
	}

	loaded := loadImage(t, rt, tarball, tag)
	args := append([]string{"run", "--detach", "--rm", "--publish", "127.0.0.1::8080"}, keyringArgs(t, rt)...)
	cid := strings.TrimSpace(run(t, time.Minute, nil, rt, append(args, loaded)...))
	t.Cleanup(func() {
		// --rm removes the container and its anonymous data volume.
		if out, err := exec.Command(rt, "stop", "--time", "10", cid).CombinedOutput(); err != nil {
			t.Logf("%s stop: %v\n%s", rt, err, out)
		}
	})
	base := "http://" + publishedAddr(t, rt, cid, "8080/tcp")

	deadline := time.Now().Add(45 * time.Second)
	var last error
	for {
		if last = get(base + "/healthz"); last == nil {
			break
		}
		if time.Now().After(deadline) {
			logs, _ := exec.Command(rt, "logs", cid).CombinedOutput()
			t.Fatalf("%s/healthz did not answer 200 within 45 s: %v\ncontainer log:\n%s", base, last, logs)
		}
		time.Sleep(250 * time.Millisecond)
	}
	// Ready means the database opened in the volume, as the image's user.
	if err := get(base + "/readyz"); err != nil {
		t.Errorf("/readyz: %v", err)
	}
	// No --data or token: the image's environment names the data
	// directory, and the admin socket admits the server's own user.
	if out := run(t, 30*time.Second, nil, rt, "exec", cid, "rightsdesk", "audit", "verify"); !strings.Contains(out, "intact") {
		t.Errorf("`%s exec … rightsdesk audit verify` printed %q", rt, out)
	}
}

// keyringArgs gives the container a fresh keyring as docs/production.md
// does: with podman, a secret handed over in RIGHTSDESK_KEK; Docker has no
// secrets outside a swarm, so the variable is set directly.
func keyringArgs(t *testing.T, rt string) []string {
	t.Helper()
	kr, err := keyring.NewKeyring(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if rt != "podman" {
		return []string{"--env", keyring.EnvVar + "=" + string(kr.Encode())}
	}
	file := filepath.Join(t.TempDir(), "keyring.json")
	if err := os.WriteFile(file, kr.Encode(), 0o600); err != nil {
		t.Fatal(err)
	}
	name := "rightsdesk-release-test-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	run(t, 30*time.Second, nil, rt, "secret", "create", name, file)
	t.Cleanup(func() {
		if out, err := exec.Command(rt, "secret", "rm", name).CombinedOutput(); err != nil {
			t.Logf("%s secret rm: %v\n%s", rt, err, out)
		}
	})
	return []string{"--secret", name + ",type=env,target=" + keyring.EnvVar}
}

// containerRuntime returns podman or docker, whichever answers, or skips
// the test saying why neither can run it.
func containerRuntime(t *testing.T) string {
	t.Helper()
	var why []string
	for _, rt := range []string{"podman", "docker"} {
		if _, err := exec.LookPath(rt); err != nil {
			why = append(why, rt+" is not installed")
			continue
		}
		if _, err := tryRun(t.Context(), 30*time.Second, nil, rt, "info"); err != nil {
			why = append(why, fmt.Sprintf("%s does not answer (`%s info`: %s)", rt, rt, lastLine(err.Error())))
			continue
		}
		return rt
	}
	t.Skipf("no container runtime to run the image: %s", strings.Join(why, "; "))
	return ""
}

// hostImage builds the server for this machine, statically as make dist
// does, and an image of it alone, named uniquely so the test touches no
// image of the same name.
func hostImage(t *testing.T) (tarball, tag string) {
	t.Helper()
	if runtime.GOOS != "linux" || (runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64") {
		t.Skipf("the image is for linux/amd64 and linux/arm64; this is %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "rightsdesk")
	run(t, 10*time.Minute, []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=" + runtime.GOARCH},
		"go", "build", "-C", root(t), "-trimpath", "-ldflags", "-s -w", "-o", bin, "./cmd/rightsdesk")
	certs := "/etc/ssl/certs/ca-certificates.crt"
	if _, err := os.Stat(certs); err != nil {
		// /healthz needs no certificate; the bundle's content is TestImage's.
		certs = filepath.Join(dir, "ca.crt")
		if err := os.WriteFile(certs, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tarball, tag = filepath.Join(dir, "image.tar"), "rightsdesk-release-test:"+strconv.FormatInt(time.Now().UnixNano(), 36)
	imagebuild(t, "--out", tarball, "--name", tag, "--binary", "linux/"+runtime.GOARCH+"="+bin,
		"--ca-certs", certs, "--ca-copyright", "", "--version", "test", "--created", "0")
	return tarball, tag
}

// loadedAs finds the name or id a load printed: podman says "Loaded
// image: NAME" (older versions "Loaded image(s): NAME"), docker "Loaded
// image: NAME" or, for an image without a tag, "Loaded image ID: ID".
var loadedAs = regexp.MustCompile(`Loaded image(?:\(s\)| ID)?: (\S+)`)

// loadImage loads tarball, which holds tag, and returns the name the
// runtime gave it. It removes the image afterwards unless it was there
// before: a release image an operator loaded earlier stays.
func loadImage(t *testing.T, rt, tarball, tag string) string {
	t.Helper()
	_, err := tryRun(t.Context(), 30*time.Second, nil, rt, "image", "inspect", tag)
	existed := err == nil
	out := run(t, 2*time.Minute, nil, rt, "load", "--input", tarball)
	m := loadedAs.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("%s load printed no image name:\n%s", rt, out)
	}
	name := strings.TrimSuffix(m[1], ",")
	if !strings.HasSuffix(name, tag) {
		t.Errorf("%s loaded %s, want it named %s", rt, name, tag)
	}
	if !existed {
		t.Cleanup(func() {
			if out, err := exec.Command(rt, "rmi", name).CombinedOutput(); err != nil {
				t.Logf("%s rmi %s: %v\n%s", rt, name, err, out)
			}
		})
	}
	return name
}

// publishedAddr asks the runtime where it published the container's port.
func publishedAddr(t *testing.T, rt, cid, port string) string {
	t.Helper()
	out := run(t, 30*time.Second, nil, rt, "port", cid, port)
	for line := range strings.Lines(out) {
		if addr := strings.TrimSpace(line); strings.HasPrefix(addr, "127.0.0.1:") {
			return addr
		}
	}
	t.Fatalf("%s port %s %s: no 127.0.0.1 address in %q", rt, cid, port, out)
	return ""
}

func get(url string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return errors.New(resp.Status + ": " + string(body))
	}
	return nil
}

// lastLine is the last line of a command's failure, where a runtime says
// what is wrong ("Cannot connect to the Docker daemon …").
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
