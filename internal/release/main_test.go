package release

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// scratch holds what the tests build once and share (the image builder,
// the server binary); TestMain removes it.
var scratch string

func TestMain(m *testing.M) {
	var err error
	if scratch, err = os.MkdirTemp("", "rightsdesk-release-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(scratch)
	os.Exit(code)
}

// root is the repository's top directory, two levels above this package.
func root(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "tools", "imagebuild")); err != nil {
		t.Fatalf("not the repository's top directory: %v", err)
	}
	return dir
}

// run runs a command and returns its standard output, failing the test
// with both outputs when it fails.
func run(t *testing.T, timeout time.Duration, env []string, name string, args ...string) string {
	t.Helper()
	out, err := tryRun(t.Context(), timeout, env, name, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// tryRun is run for a command whose failure the caller explains.
func tryRun(ctx context.Context, timeout time.Duration, env []string, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s %s: %w\n%s%s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String(), nil
}

var (
	builderOnce sync.Once
	builderPath string
	builderErr  error
)

// imagebuild runs tools/imagebuild, built once per test run from the
// tools module.
func imagebuild(t *testing.T, args ...string) {
	t.Helper()
	builderOnce.Do(func() {
		builderPath = filepath.Join(scratch, "imagebuild")
		_, builderErr = tryRun(t.Context(), 5*time.Minute, nil, "go", "build", "-C", filepath.Join(root(t), "tools"), "-o", builderPath, "./imagebuild")
	})
	if builderErr != nil {
		t.Fatal(builderErr)
	}
	run(t, 2*time.Minute, nil, builderPath, args...)
}
