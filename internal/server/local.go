package server

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"strconv"

	"golang.org/x/sys/unix"
	"google.golang.org/grpc/credentials"
)

// The admin socket serves the same gRPC API on a Unix socket in the data
// directory to operators on the server's own machine, without a token: the
// kernel says which system user is calling (SO_PEERCRED), and only the
// server's own user and root are let in — the users who could read the
// database file anyway. It is how `rightsdesk tokens create --data DIR`
// and the other administrative commands keep working while the server holds
// the database: they find the socket and go through the API.

// localPeer is the AuthInfo of a connection over the admin socket.
type localPeer struct {
	credentials.CommonAuthInfo
	user string
}

func (localPeer) AuthType() string { return "local" }

// peerCredentials are tcp's for TCP connections (plaintext or TLS; their
// callers authenticate with bearer tokens) and check the peer's system
// user on Unix connections.
type peerCredentials struct {
	credentials.TransportCredentials
	uid int // the server's own user
}

func newPeerCredentials(tcp credentials.TransportCredentials) credentials.TransportCredentials {
	return peerCredentials{TransportCredentials: tcp, uid: os.Getuid()}
}

// errNotOperator refuses a connection to the admin socket from a user who
// is neither the server's nor root.
var errNotOperator = errors.New("the admin socket admits only the server's own system user and root")

func (c peerCredentials) ServerHandshake(conn net.Conn) (net.Conn, credentials.AuthInfo, error) {
	uc, ok := conn.(*net.UnixConn)
	if !ok {
		return c.TransportCredentials.ServerHandshake(conn)
	}
	uid, err := peerUID(uc)
	if err != nil {
		return nil, nil, err
	}
	if !admits(uid, c.uid) {
		return nil, nil, fmt.Errorf("%w (uid %d called)", errNotOperator, uid)
	}
	name := strconv.Itoa(uid)
	if u, err := user.LookupId(name); err == nil {
		name = u.Username
	}
	return conn, localPeer{CommonAuthInfo: credentials.CommonAuthInfo{SecurityLevel: credentials.PrivacyAndIntegrity}, user: name}, nil
}

func (c peerCredentials) Clone() credentials.TransportCredentials { return c }

// admits reports whether a caller of the given uid may use the admin
// socket of a server running as serverUID: the same user, or root.
func admits(peerUID, serverUID int) bool { return peerUID == serverUID || peerUID == 0 }

// peerUID asks the kernel which user is at the other end of conn.
func peerUID(conn *net.UnixConn) (int, error) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return 0, err
	}
	var (
		cred    *unix.Ucred
		credErr error
	)
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return 0, err
	}
	if credErr != nil {
		return 0, fmt.Errorf("the admin socket could not tell who is calling: %w", credErr)
	}
	return int(cred.Uid), nil
}

// ListenAdmin binds the admin socket at path, which the server then serves
// beside its gRPC port. It binds the socket readable and writable by the
// server's user alone. A socket file left by a server that died is
// replaced; one a running server still answers on is refused, since that
// server holds the database.
func (l *Listeners) ListenAdmin(path string) (err error) {
	l.Admin, err = listenAdminSocket(path)
	return err
}

func listenAdminSocket(path string) (net.Listener, error) {
	if _, err := os.Lstat(path); err == nil {
		if conn, err := net.Dial("unix", path); err == nil {
			_ = conn.Close()
			return nil, fmt.Errorf("admin socket %s: another server is answering on it", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("admin socket %s: remove the one a stopped server left: %w", path, err)
		}
	}
	lis, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("admin socket %s: %w", path, err)
	}
	lis.(*net.UnixListener).SetUnlinkOnClose(true)
	// Connecting needs write permission on the socket; the peer check below
	// is the guard, this and the 0700 data directory the belt and braces.
	if err := os.Chmod(path, 0o600); err != nil {
		_ = lis.Close()
		return nil, fmt.Errorf("admin socket %s: %w", path, err)
	}
	return lis, nil
}

// localPrincipal is the principal of a call over the admin socket, if it is
// one.
func localPrincipal(info credentials.AuthInfo) (string, bool) {
	lp, ok := info.(localPeer)
	return lp.user, ok
}
