package app_test

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/app/apptest"
	"github.com/rightsdesk/rightsdesk/internal/server"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt/bolttest"
)

func loopback() server.Config {
	return server.Config{GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0"}
}

// A database a server has written and stopped, to damage.
func servedDatabase(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	_, stop := apptest.Start(t, app.Config{DataDir: dir})
	stop()
	return dir
}

func TestServeRefusesADamagedDatabase(t *testing.T) {
	for _, tt := range []struct {
		name   string
		damage func(testing.TB, string)
		want   error
		says   string
	}{
		{"an empty file", bolttest.Empty, bolt.ErrEmptyFile, "empty"},
		{"a truncated file", bolttest.TruncateHalf, bolt.ErrTruncated, "truncated"},
		{"a damaged page", func(t testing.TB, path string) { bolttest.DamagePage(t, path) }, bolt.ErrDamaged, "damaged"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := servedDatabase(t)
			path := filepath.Join(dir, bolt.FileName)
			tt.damage(t, path)
			before := bolttest.SHA256(t, path)
			a, err := app.New(t.Context(), app.Config{DataDir: dir, Server: loopback()})
			if err == nil {
				t.Fatalf("serve started on %s", tt.name)
			}
			_ = a
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.says) || !strings.Contains(err.Error(), path) {
				t.Errorf("serve on %s: %v; want %v naming the file", tt.name, err, tt.want)
			}
			if bolttest.SHA256(t, path) != before {
				t.Errorf("refusing %s changed the file", tt.name)
			}
		})
	}
}

func TestAStartThatFailsCreatesNothing(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dir := filepath.Join(t.TempDir(), "data")
	for name, cfg := range map[string]server.Config{
		"a busy HTTP port":    {GRPCAddr: "127.0.0.1:0", HTTPAddr: busy.Addr().String()},
		"a busy gRPC port":    {GRPCAddr: busy.Addr().String(), HTTPAddr: "127.0.0.1:0"},
		"an unusable address": {GRPCAddr: "nowhere", HTTPAddr: "127.0.0.1:0"},
	} {
		if _, err := app.New(t.Context(), app.Config{DataDir: dir, Server: cfg}); err == nil {
			t.Fatalf("%s: started", name)
		}
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: the failed start left %s behind (%v)", name, dir, err)
		}
	}
}
