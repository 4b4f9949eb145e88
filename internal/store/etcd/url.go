package etcd

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// TLSFiles are the PEM files of a TLS client: the cluster's CA and this
// client's certificate and key (etcd's --client-cert-auth checks the
// latter). Any may be empty: no CA trusts the system's roots; no
// certificate sends none.
type TLSFiles struct {
	CA, Cert, Key string
	// ServerName overrides the name checked in the members' certificates.
	ServerName string
}

// Config builds the client's TLS configuration, reading the files now so
// a wrong path fails at start, naming the file.
func (f *TLSFiles) Config() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: f.ServerName}
	if f.CA != "" {
		pem, err := os.ReadFile(f.CA)
		if err != nil {
			return nil, fmt.Errorf("etcd CA: %w", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("etcd CA %s: no PEM certificate in it", f.CA)
		}
	}
	if (f.Cert == "") != (f.Key == "") {
		return nil, errors.New("etcd TLS: cert and key go together; give both or neither")
	}
	if f.Cert != "" {
		pair, err := tls.LoadX509KeyPair(f.Cert, f.Key)
		if err != nil {
			return nil, fmt.Errorf("etcd client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}

// ParseURL reads a store address of the form
//
//	etcd://HOST:PORT[,HOST:PORT...][/PREFIX][?OPTIONS]
//
// where OPTIONS are cacert=FILE, cert=FILE, key=FILE (TLS to the members,
// with a client certificate; any of them makes the connection TLS, as
// does tls=1 alone, trusting the system's roots), server-name=NAME,
// max-txn-ops=N and max-request-bytes=N (the members' limits, default
// etcd's), retry-for=DURATION, attempt-timeout=DURATION and
// dial-timeout=DURATION. PREFIX is the key
// prefix, /rightsdesk/ by default. Hosts without a port get 2379.
func ParseURL(s string) (Config, error) {
	rest, ok := strings.CutPrefix(s, "etcd://")
	if !ok {
		return Config{}, fmt.Errorf("%q: an etcd store address starts with etcd://", s)
	}
	rest, rawQuery, _ := strings.Cut(rest, "?")
	hosts, path, _ := strings.Cut(rest, "/")
	var cfg Config
	useTLS := false
	for h := range strings.SplitSeq(hosts, ",") {
		if h = strings.TrimSpace(h); h == "" {
			continue
		}
		if !strings.Contains(h, ":") || strings.HasSuffix(h, "]") {
			h += ":2379"
		}
		cfg.Endpoints = append(cfg.Endpoints, h)
	}
	if len(cfg.Endpoints) == 0 {
		return Config{}, fmt.Errorf("%q: name at least one etcd member, as etcd://HOST:PORT", s)
	}
	if path = strings.Trim(path, "/"); path != "" {
		cfg.Options.Prefix = "/" + path + "/"
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return Config{}, fmt.Errorf("%q: %w", s, err)
	}
	files := &TLSFiles{}
	for name, values := range q {
		v := values[len(values)-1]
		switch name {
		case "cacert":
			files.CA, useTLS = v, true
		case "cert":
			files.Cert, useTLS = v, true
		case "key":
			files.Key, useTLS = v, true
		case "server-name":
			files.ServerName, useTLS = v, true
		case "tls":
			if useTLS, err = strconv.ParseBool(v); err != nil {
				return Config{}, fmt.Errorf("%q: tls=%q: want 1 or 0", s, v)
			}
		case "max-txn-ops":
			if cfg.Options.MaxTxnOps, err = strconv.Atoi(v); err != nil || cfg.Options.MaxTxnOps < 16 {
				return Config{}, fmt.Errorf("%q: max-txn-ops=%q: want the members' --max-txn-ops, at least 16", s, v)
			}
		case "max-request-bytes":
			if cfg.Options.MaxRequestBytes, err = strconv.Atoi(v); err != nil || cfg.Options.MaxRequestBytes < 64<<10 {
				return Config{}, fmt.Errorf("%q: max-request-bytes=%q: want the members' --max-request-bytes, at least 65536", s, v)
			}
		case "retry-for":
			if cfg.Options.RetryFor, err = time.ParseDuration(v); err != nil || cfg.Options.RetryFor <= 0 {
				return Config{}, fmt.Errorf("%q: retry-for=%q: want a duration such as 10s", s, v)
			}
		case "attempt-timeout":
			if cfg.Options.AttemptTimeout, err = time.ParseDuration(v); err != nil || cfg.Options.AttemptTimeout <= 0 {
				return Config{}, fmt.Errorf("%q: attempt-timeout=%q: want a duration such as 2s", s, v)
			}
		case "dial-timeout":
			if cfg.DialTimeout, err = time.ParseDuration(v); err != nil || cfg.DialTimeout <= 0 {
				return Config{}, fmt.Errorf("%q: dial-timeout=%q: want a duration such as 5s", s, v)
			}
		default:
			return Config{}, fmt.Errorf("%q: unknown option %q (known: cacert, cert, key, server-name, tls, max-txn-ops, max-request-bytes, retry-for, attempt-timeout, dial-timeout)", s, name)
		}
	}
	if useTLS {
		cfg.TLS = files
	}
	return cfg, nil
}
