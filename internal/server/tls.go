package server

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

// TLS for the public ports. With --tls-cert and --tls-key both the gRPC
// port and the HTTP port (REST, web pages, health checks) speak TLS 1.2 or
// later only, with Go's default cipher suites. The admin HTTP listener and
// the admin socket stay as they are: local, for operators.
//
// The certificate is reloaded when its files change: each handshake
// checks the two files' modification times and sizes (two stat calls, no
// read) and loads the pair again when either differs from what was
// loaded, so a renewal tool that replaces the files needs no restart and
// no signal. A pair that does not load (a key written before its
// certificate, say) is logged and the previous one served until the files
// change again.

// certificateFiles holds the certificate the public ports present,
// reloaded when its files change.
type certificateFiles struct {
	certFile, keyFile string
	log               *slog.Logger

	mu      sync.Mutex
	current *tls.Certificate
	// loaded is what the files looked like when current was loaded, and
	// tried what they looked like at the last attempt, loaded or not.
	loaded, tried filesStamp
}

// filesStamp is how the two files looked: a change in either is a change.
type filesStamp struct {
	certMod, keyMod   time.Time
	certSize, keySize int64
}

// loadCertificateFiles loads the pair once, so a bad pair stops the start.
func loadCertificateFiles(certFile, keyFile string, log *slog.Logger) (*certificateFiles, error) {
	c := &certificateFiles{certFile: certFile, keyFile: keyFile, log: log}
	stamp, err := c.stamp()
	if err == nil {
		err = c.load(stamp)
	}
	if err != nil {
		return nil, fmt.Errorf("--tls-cert %s, --tls-key %s: %w", certFile, keyFile, err)
	}
	return c, nil
}

func (c *certificateFiles) stamp() (filesStamp, error) {
	cert, err := os.Stat(c.certFile)
	if err != nil {
		return filesStamp{}, err
	}
	key, err := os.Stat(c.keyFile)
	if err != nil {
		return filesStamp{}, err
	}
	return filesStamp{certMod: cert.ModTime(), keyMod: key.ModTime(), certSize: cert.Size(), keySize: key.Size()}, nil
}

// load reads the pair; the caller holds mu or is alone.
func (c *certificateFiles) load(stamp filesStamp) error {
	c.tried = stamp
	pair, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		return err
	}
	c.current, c.loaded = &pair, stamp
	return nil
}

// certificate is the pair to present now, loaded again first if the files
// changed since the last attempt.
func (c *certificateFiles) certificate() *tls.Certificate {
	c.mu.Lock()
	defer c.mu.Unlock()
	stamp, err := c.stamp()
	if err == nil && stamp != c.tried {
		if err := c.load(stamp); err != nil {
			c.log.Warn("the TLS certificate files changed but do not load; still serving the previous certificate", "cert", c.certFile, "key", c.keyFile, "error", err)
		} else {
			c.log.Info("TLS certificate reloaded", "cert", c.certFile)
		}
	}
	return c.current
}

// serverConfig is the TLS configuration of both public ports.
func (c *certificateFiles) serverConfig() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			return c.certificate(), nil
		},
	}
}

// errNotOurCertificate refuses a gateway connection that reached a server
// other than this one.
var errNotOurCertificate = errors.New("the gRPC port presented a certificate other than this server's")

// gatewayCredentials are for the REST gateway's connection to this
// server's own gRPC port: TLS pinned to the certificate this server
// presents, whatever names it carries (the gateway dials the listen
// address, which a certificate for the public name need not list).
func (c *certificateFiles) gatewayCredentials() credentials.TransportCredentials {
	return credentials.NewTLS(&tls.Config{
		MinVersion: tls.VersionTLS12,
		// Verified below, against our own certificate, not by name.
		InsecureSkipVerify: true, //nolint:gosec // pinned in VerifyConnection
		VerifyConnection: func(cs tls.ConnectionState) error {
			ours := c.certificate()
			if len(cs.PeerCertificates) == 0 || len(ours.Certificate) == 0 || !bytes.Equal(cs.PeerCertificates[0].Raw, ours.Certificate[0]) {
				return errNotOurCertificate
			}
			return nil
		},
	})
}

// transportCredentials are the gRPC port's credentials (TLS when
// certificates are configured, else plaintext) and those the gateway
// dials it with.
func (s *Server) transportCredentials() (server, gateway credentials.TransportCredentials) {
	if s.certs == nil {
		return insecure.NewCredentials(), insecure.NewCredentials()
	}
	return credentials.NewTLS(s.certs.serverConfig()), s.certs.gatewayCredentials()
}
