package server

import (
	"net"
	"os"
	"path/filepath"
	"testing"
)

func TestTheAdminSocketAdmitsOnlyTheServersUserAndRoot(t *testing.T) {
	for _, tt := range []struct {
		peer, server int
		want         bool
	}{{1000, 1000, true}, {0, 1000, true}, {1001, 1000, false}, {65534, 1000, false}, {0, 0, true}, {1000, 0, false}} {
		if got := admits(tt.peer, tt.server); got != tt.want {
			t.Errorf("admits(peer %d, server %d) = %v", tt.peer, tt.server, got)
		}
	}
}

func TestTheAdminSocketIsPrivateAndReplacesAStaleOne(t *testing.T) {
	dir, err := os.MkdirTemp("", "rd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	path := filepath.Join(dir, "s.sock")
	if err := os.WriteFile(path, nil, 0o600); err != nil { // left by a server that died
		t.Fatal(err)
	}
	lis, err := listenAdminSocket(path)
	if err != nil {
		t.Fatalf("over a stale socket file: %v", err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("socket mode %v (%v), want 0600", info.Mode().Perm(), err)
	}
	if _, err := listenAdminSocket(path); err == nil {
		t.Error("a second server bound the socket a running one answers on")
	}
	go func() {
		if c, err := lis.Accept(); err == nil {
			_ = c.Close()
		}
	}()
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	uid, err := peerUID(conn.(*net.UnixConn))
	if err != nil || uid != os.Getuid() {
		t.Errorf("peerUID = %d, %v; want %d", uid, err, os.Getuid())
	}
	_ = conn.Close()
	_ = lis.Close()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the socket file outlived its listener: %v", err)
	}
}
