package app_test

import (
	"context"
	"crypto/rand"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/accounts"
	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/app/apptest"
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/casework/caseworktest"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/server"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt/bolttest"
	"github.com/rightsdesk/rightsdesk/internal/users"
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
			a, err := app.New(t.Context(), app.Config{DataDir: dir, Server: loopback(), Keyring: apptest.Keyring(t, dir)})
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
		if _, err := app.New(t.Context(), app.Config{DataDir: dir, Server: cfg, Keyring: apptest.Keyring(t, dir)}); err == nil {
			t.Fatalf("%s: started", name)
		}
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: the failed start left %s behind (%v)", name, dir, err)
		}
	}
}

func TestTheFirstAdministratorLinkIsOfferedOnlyWhileThereIsNone(t *testing.T) {
	dir := t.TempDir()
	a, stop := apptest.Start(t, app.Config{DataDir: dir})
	link, expires := a.SetupLink()
	if !strings.HasPrefix(link, "http://"+a.HTTPAddr()+"/staff/setup/") || expires.IsZero() {
		t.Fatalf("a new installation offers %q until %v; want a set-up link", link, expires)
	}
	stop()

	st := caseworktest.OpenStore(t, dir)
	d := accounts.New(st, clock.System{}, rand.Reader, accounts.Options{})
	if _, err := d.Create(t.Context(), users.NewUser{Email: "admin@example.org", Name: "Admin", Role: auth.RoleAdmin, Password: "lighthouse keeper biscuit"}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	a, _ = apptest.Start(t, app.Config{DataDir: dir})
	if link, _ := a.SetupLink(); link != "" {
		t.Errorf("with an administrator, the server still offers %q", link)
	}
}

func TestAnUnknownRegionIsRefusedBeforeAnythingIsCreated(t *testing.T) {
	for flag, cfg := range map[string]app.Config{
		"--region":        {Region: "wales"},
		"--notice-region": {NoticeRegions: map[string]string{"it-service-desk": "wales"}},
	} {
		dir := filepath.Join(t.TempDir(), "data")
		cfg.DataDir, cfg.Server, cfg.Keyring = dir, loopback(), apptest.Keyring(t, dir)
		_, err := app.New(t.Context(), cfg)
		if err == nil || !strings.Contains(err.Error(), flag) || !strings.Contains(err.Error(), "scotland") {
			t.Fatalf("%s wales: %v; want a refusal naming the flag and the known regions", flag, err)
		}
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: the refused start left %s behind (%v)", flag, dir, err)
		}
	}
}

// A server stopped the moment it starts stops cleanly: the stop may then
// come before gRPC begins serving, which is no failure.
func TestAServerStoppedAtOnceStopsCleanly(t *testing.T) {
	for range 20 {
		dir := t.TempDir()
		a, err := app.New(t.Context(), app.Config{DataDir: dir, Server: loopback(), Keyring: apptest.Keyring(t, dir)})
		if err != nil {
			t.Fatal(err)
		}
		stopped, stop := context.WithCancel(t.Context())
		stop()
		if err := a.Run(stopped); err != nil {
			t.Fatalf("a server stopped at once: Run returned %v", err)
		}
	}
}
