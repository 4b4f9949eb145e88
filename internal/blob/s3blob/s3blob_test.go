package s3blob_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/blob"
	"github.com/rightsdesk/rightsdesk/internal/blob/blobtest"
	"github.com/rightsdesk/rightsdesk/internal/blob/s3blob"
)

// versitygw is the pinned S3-compatible server (tools/versitygw), built
// once into the user's cache directory.
func versitygw(t *testing.T) string {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	module := filepath.Join(filepath.Dir(self), "..", "..", "..", "tools", "versitygw")
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	bin := filepath.Join(cache, "rightsdesk", "versitygw-v1.8.0")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	cmd := exec.Command("go", "build", "-o", bin+".tmp", "github.com/versity/versitygw/cmd/versitygw")
	cmd.Dir = module
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("the S3-compatible test server (versitygw, tools/versitygw) could not be built, so the S3 blob store is not tested: %v\n%s", err, out)
	}
	if err := os.Rename(bin+".tmp", bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

// server is a running versitygw over a temporary directory.
type server struct {
	endpoint string
	root     string
}

const access, secret = "rightsdesk-test", "rightsdesk-test-secret"

func startServer(t *testing.T) *server {
	bin := versitygw(t)
	root, sidecar := t.TempDir(), t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "--access", access, "--secret", secret, "--port", addr, "posix", "--sidecar", sidecar, root)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for deadline := time.Now().Add(20 * time.Second); ; {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("versitygw did not listen within 20s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return &server{endpoint: addr, root: root}
}

var buckets atomic.Int64

// open makes a new bucket (a directory, for the posix backend) and opens
// a store on it.
func (s *server) open(t testing.TB, maxSize int64) *s3blob.Store {
	bucket := fmt.Sprintf("bucket-%d", buckets.Add(1))
	if err := os.Mkdir(filepath.Join(s.root, bucket), 0o755); err != nil {
		t.Fatal(err)
	}
	st, err := s3blob.Open(context.Background(), s3blob.Config{
		Endpoint: s.endpoint, Bucket: bucket, Prefix: "docs/", AccessKey: access, SecretKey: secret,
		Region: "us-east-1", MaxSize: maxSize, SpoolDir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestConformance(t *testing.T) {
	srv := startServer(t)
	blobtest.RunAll(t, blobtest.Harness{MaxSize: 8 << 20, Open: func(t testing.TB) blob.Store { return srv.open(t, 8<<20) }})
}

func TestMissingBucketIsAClearError(t *testing.T) {
	srv := startServer(t)
	_, err := s3blob.Open(t.Context(), s3blob.Config{Endpoint: srv.endpoint, Bucket: "no-such-bucket", AccessKey: access, SecretKey: secret, Region: "us-east-1"})
	if err == nil {
		t.Fatal("opened a bucket that does not exist")
	}
}

func TestParseURL(t *testing.T) {
	t.Setenv("RIGHTSDESK_S3_ACCESS_KEY", "k")
	t.Setenv("RIGHTSDESK_S3_SECRET_KEY", "s")
	cfg, err := s3blob.ParseURL("s3://rightsdesk-docs/prod?endpoint=s3.eu-west-2.amazonaws.com&region=eu-west-2")
	if err != nil || cfg.Bucket != "rightsdesk-docs" || cfg.Prefix != "prod/" || !cfg.Secure || cfg.Region != "eu-west-2" || cfg.AccessKey != "k" {
		t.Fatalf("ParseURL = %+v, %v", cfg, err)
	}
	if _, err := s3blob.ParseURL("https://example.org/x"); err == nil {
		t.Fatal("an https URL was taken for an S3 store")
	}
}
