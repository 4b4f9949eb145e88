package server_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/peer"

	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/app/apptest"
	"github.com/rightsdesk/rightsdesk/internal/server"
)

// writeSelfSigned writes a new self-signed certificate for 127.0.0.1 and
// its key to certFile and keyFile, and returns the certificate.
func writeSelfSigned(t *testing.T, certFile, keyFile string, serial int64) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: "rightsdesk test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	// Written beside and renamed into place, as a renewal tool does, with
	// a later modification time, so the change shows whatever the file
	// system's clock resolution.
	for file, block := range map[string]*pem.Block{certFile: {Type: "CERTIFICATE", Bytes: der}, keyFile: {Type: "PRIVATE KEY", Bytes: keyDER}} {
		if err := os.WriteFile(file+".new", pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
		later := time.Now().Add(time.Duration(serial) * time.Minute)
		if err := os.Chtimes(file+".new", later, later); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(file+".new", file); err != nil {
			t.Fatal(err)
		}
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// tlsPeers calls both doors over TLS trusting only trusted, and returns
// the certificates the gRPC port and the HTTP port presented. The REST
// call goes through the gateway, which dials the gRPC port over TLS too.
func tlsPeers(t *testing.T, a *app.App, trusted *x509.Certificate) (grpcCert, httpCert *x509.Certificate) {
	t.Helper()
	roots := x509.NewCertPool()
	roots.AddCert(trusted)
	conn, err := grpc.NewClient(a.GRPCAddr(), grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: roots})))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var p peer.Peer
	if _, err := healthpb.NewHealthClient(conn).Check(t.Context(), &healthpb.HealthCheckRequest{}, grpc.Peer(&p)); err != nil {
		t.Fatalf("gRPC over TLS: %v", err)
	}
	grpcCert = p.AuthInfo.(credentials.TLSInfo).State.PeerCertificates[0]

	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	defer client.CloseIdleConnections()
	resp, err := client.Get("https://" + a.HTTPAddr() + "/v1/notices")
	if err != nil {
		t.Fatalf("REST over TLS: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("REST over TLS (through the gateway) = %d", resp.StatusCode)
	}
	return grpcCert, resp.TLS.PeerCertificates[0]
}

// With --tls-cert and --tls-key both doors speak TLS with the files'
// certificate, only TLS 1.2 or later, and a certificate replaced on disk
// is presented from the next connection on, with no restart.
func TestTLSOnBothDoorsReloadsItsCertificate(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	first := writeSelfSigned(t, certFile, keyFile, 1)
	a, _ := apptest.Start(t, app.Config{DataDir: t.TempDir(), Server: server.Config{TLSCert: certFile, TLSKey: keyFile}})

	grpcCert, httpCert := tlsPeers(t, a, first)
	if !grpcCert.Equal(first) || !httpCert.Equal(first) {
		t.Fatal("the doors do not present the configured certificate")
	}

	for _, addr := range []string{a.GRPCAddr(), a.HTTPAddr()} {
		conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS11}) //nolint:gosec // a client only for the version check
		if err == nil {
			conn.Close()
			t.Errorf("%s took TLS 1.1", addr)
		}
	}
	resp, err := http.Get("http://" + a.HTTPAddr() + "/healthz")
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("the HTTP port answered plaintext")
		}
	}

	second := writeSelfSigned(t, certFile, keyFile, 2)
	grpcCert, httpCert = tlsPeers(t, a, second)
	if !grpcCert.Equal(second) || !httpCert.Equal(second) {
		t.Error("the doors still present the first certificate after the files were replaced")
	}

	// A half-written renewal (a key that is not PEM) is not taken: the
	// second certificate is still served.
	if err := os.WriteFile(keyFile, []byte("not yet"), 0o600); err != nil {
		t.Fatal(err)
	}
	if grpcCert, httpCert = tlsPeers(t, a, second); !grpcCert.Equal(second) || !httpCert.Equal(second) {
		t.Error("a pair that does not load replaced the one being served")
	}
}

// A pair that does not load stops the start, naming the flags.
func TestTLSFilesThatDoNotLoadStopTheStart(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeSelfSigned(t, certFile, keyFile, 1)
	if err := os.WriteFile(keyFile, bytes.Repeat([]byte("x"), 10), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, cfg := range []server.Config{
		{TLSCert: certFile, TLSKey: keyFile},
		{TLSCert: certFile},
	} {
		cfg.GRPCAddr, cfg.HTTPAddr = "127.0.0.1:0", "127.0.0.1:0"
		data := t.TempDir()
		_, err := app.New(t.Context(), app.Config{DataDir: data, Keyring: apptest.Keyring(t, data), Server: cfg})
		if err == nil || !strings.Contains(err.Error(), "--tls-") {
			t.Errorf("cert %q, key %q: %v; want an error naming the --tls- flags", cfg.TLSCert, cfg.TLSKey, err)
		}
	}
}
