package etcdlocal

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// Options shape a cluster.
type Options struct {
	// Members is the member count; default 3.
	Members int
	// Dir holds the members' data; "" makes a temporary directory that
	// Close removes.
	Dir string
	// MaxTxnOps and MaxRequestBytes are the members' --max-txn-ops and
	// --max-request-bytes; default 1024 and 8 MiB, as the README
	// recommends for Rightsdesk.
	MaxTxnOps       uint
	MaxRequestBytes uint
	// TickMs and ElectionMs are the raft heartbeat and election timeout;
	// default 50 and 500, so a lost leader is replaced within about a
	// second on loopback.
	TickMs, ElectionMs uint
	// NoFsync turns fsync off, for tests that measure nothing.
	NoFsync bool
	// Logger receives the members' logs (in-process members only);
	// default none.
	Logger *zap.Logger
	// Processes runs each member in a process of its own — this program
	// again, which must call RunMemberIfAsked first thing (a test's
	// TestMain) — so that Stop can SIGKILL it: a real crash. Without it,
	// members run in this process and Stop closes one cleanly (it hands
	// over leadership first), since an embedded member cannot be crashed
	// without crashing its host.
	Processes bool
}

// Recommended limits for a Rightsdesk cluster (see the README).
const (
	RecommendedMaxTxnOps       = 1024
	RecommendedMaxRequestBytes = 8 << 20
)

// Cluster is a running local cluster.
type Cluster struct {
	opts    Options
	dir     string
	tempDir bool
	members []*member
	mu      sync.Mutex
}

type member struct {
	memberConfig
	everServed bool
	etcd       *embed.Etcd // in process
	cmd        *exec.Cmd   // in a process of its own
}

// memberConfig is what a member needs to start; a member process gets it
// as JSON in memberEnv.
type memberConfig struct {
	Name, Dir, ClientURL, PeerURL, InitialCluster, State string
	MaxTxnOps, MaxRequestBytes, TickMs, ElectionMs       uint
	NoFsync                                              bool
}

const memberEnv = "RIGHTSDESK_ETCDLOCAL_MEMBER"

// Start starts every member and waits until the cluster has a leader.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	if opts.Members == 0 {
		opts.Members = 3
	}
	if opts.MaxTxnOps == 0 {
		opts.MaxTxnOps = RecommendedMaxTxnOps
	}
	if opts.MaxRequestBytes == 0 {
		opts.MaxRequestBytes = RecommendedMaxRequestBytes
	}
	if opts.TickMs == 0 {
		opts.TickMs = 50
	}
	if opts.ElectionMs == 0 {
		opts.ElectionMs = 500
	}
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	c := &Cluster{opts: opts, dir: opts.Dir}
	if c.dir == "" {
		dir, err := os.MkdirTemp("", "rightsdesk-etcd-")
		if err != nil {
			return nil, err
		}
		c.dir, c.tempDir = dir, true
	}
	// Every member's ports in one call, all held open until each is known,
	// so that no two members are given the same port.
	ports, err := freePorts(2 * opts.Members)
	if err != nil {
		c.Close()
		return nil, err
	}
	for i := range opts.Members {
		c.members = append(c.members, &member{memberConfig: memberConfig{
			Name:      fmt.Sprintf("m%d", i+1),
			Dir:       filepath.Join(c.dir, fmt.Sprintf("m%d", i+1)),
			ClientURL: "http://" + ports[2*i],
			PeerURL:   "http://" + ports[2*i+1],
		}})
	}
	var parts []string
	for _, m := range c.members {
		parts = append(parts, m.Name+"="+m.PeerURL)
	}
	for _, m := range c.members {
		m.InitialCluster = strings.Join(parts, ",")
		m.MaxTxnOps, m.MaxRequestBytes = opts.MaxTxnOps, opts.MaxRequestBytes
		m.TickMs, m.ElectionMs, m.NoFsync = opts.TickMs, opts.ElectionMs, opts.NoFsync
	}
	errs := make(chan error, len(c.members))
	for i := range c.members {
		go func() { errs <- c.start(ctx, i) }()
	}
	for range c.members {
		err = errors.Join(err, <-errs)
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// freePorts asks the kernel for n free loopback ports.
func freePorts(n int) ([]string, error) {
	var (
		ls    []net.Listener
		addrs []string
	)
	defer func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		addrs = append(addrs, l.Addr().String())
	}
	return addrs, nil
}

// embedConfig is the member's etcd configuration.
func (m memberConfig) embedConfig(lg *zap.Logger) (*embed.Config, error) {
	client, err := url.Parse(m.ClientURL)
	if err != nil {
		return nil, err
	}
	peer, err := url.Parse(m.PeerURL)
	if err != nil {
		return nil, err
	}
	cfg := embed.NewConfig()
	cfg.Name = m.Name
	cfg.Dir = m.Dir
	cfg.ListenClientUrls = []url.URL{*client}
	cfg.AdvertiseClientUrls = []url.URL{*client}
	cfg.ListenPeerUrls = []url.URL{*peer}
	cfg.AdvertisePeerUrls = []url.URL{*peer}
	cfg.InitialCluster = m.InitialCluster
	cfg.InitialClusterToken = "rightsdesk-local"
	cfg.ClusterState = m.State
	cfg.MaxTxnOps = m.MaxTxnOps
	cfg.MaxRequestBytes = m.MaxRequestBytes
	cfg.TickMs = m.TickMs
	cfg.ElectionMs = m.ElectionMs
	cfg.UnsafeNoFsync = m.NoFsync
	cfg.QuotaBackendBytes = 8 << 30
	cfg.AutoCompactionMode = embed.CompactorModePeriodic
	cfg.AutoCompactionRetention = "10m"
	cfg.EnableGRPCGateway = false
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(lg.With(zap.String("member", m.Name)))
	return cfg, nil
}

func startEmbedded(ctx context.Context, m memberConfig, lg *zap.Logger) (*embed.Etcd, error) {
	cfg, err := m.embedConfig(lg)
	if err != nil {
		return nil, err
	}
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, fmt.Errorf("start etcd member %s: %w", m.Name, err)
	}
	select {
	case <-e.Server.ReadyNotify():
		return e, nil
	case <-time.After(60 * time.Second):
		e.Close()
		return nil, fmt.Errorf("etcd member %s did not become ready within 60s", m.Name)
	case <-ctx.Done():
		e.Close()
		return nil, ctx.Err()
	}
}

// start starts member i (new or again) and waits until it serves.
func (c *Cluster) start(ctx context.Context, i int) error {
	c.mu.Lock()
	m := c.members[i]
	cfg := m.memberConfig
	c.mu.Unlock()
	cfg.State = embed.ClusterStateFlagNew
	if m.everServed {
		cfg.State = embed.ClusterStateFlagExisting
	}
	if !c.opts.Processes {
		e, err := startEmbedded(ctx, cfg, c.opts.Logger)
		if err != nil {
			return err
		}
		c.mu.Lock()
		m.etcd, m.everServed = e, true
		c.mu.Unlock()
		return nil
	}
	raw, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), memberEnv+"="+string(raw))
	cmd.SysProcAttr = dieWithParent()
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start etcd member %s: %w", cfg.Name, err)
	}
	ready := make(chan error, 1)
	go func() {
		line, err := bufio.NewReader(out).ReadString('\n')
		if err == nil && line != "ready\n" {
			err = fmt.Errorf("etcd member %s: %s", cfg.Name, strings.TrimSpace(line))
		}
		ready <- err
	}()
	select {
	case err = <-ready:
	case <-time.After(60 * time.Second):
		err = fmt.Errorf("etcd member %s did not become ready within 60s", cfg.Name)
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return err
	}
	c.mu.Lock()
	m.cmd, m.everServed = cmd, true
	c.mu.Unlock()
	return nil
}

// RunMemberIfAsked runs an etcd member and never returns when this process
// was started as one by a Cluster with Options.Processes; otherwise it
// returns at once. Call it first in TestMain (or main).
func RunMemberIfAsked() {
	raw := os.Getenv(memberEnv)
	if raw == "" {
		return
	}
	var cfg memberConfig
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		fmt.Println("bad member configuration:", err)
		os.Exit(2)
	}
	e, err := startEmbedded(context.Background(), cfg, zap.NewNop())
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	fmt.Println("ready")
	err = <-e.Err()
	fmt.Fprintln(os.Stderr, "etcd member", cfg.Name, "stopped:", err)
	os.Exit(1)
}

// Endpoints are the members' client addresses, HOST:PORT.
func (c *Cluster) Endpoints() []string {
	var out []string
	for _, m := range c.members {
		out = append(out, strings.TrimPrefix(m.ClientURL, "http://"))
	}
	return out
}

// URL is the store address of the cluster with the given key prefix ("" for
// the default), with the members' limits.
func (c *Cluster) URL(prefix string) string {
	return fmt.Sprintf("etcd://%s/%s?max-txn-ops=%d&max-request-bytes=%d",
		strings.Join(c.Endpoints(), ","), strings.Trim(prefix, "/"), c.opts.MaxTxnOps, c.opts.MaxRequestBytes)
}

// Limits are the members' --max-txn-ops and --max-request-bytes.
func (c *Cluster) Limits() (ops, bytes int) {
	return int(c.opts.MaxTxnOps), int(c.opts.MaxRequestBytes)
}

// Members is the member count.
func (c *Cluster) Members() int { return len(c.members) }

// Leader is the index of the member that leads, or -1 when no running
// member answers with a leader.
func (c *Cluster) Leader() int {
	cli, err := clientv3.New(clientv3.Config{Endpoints: c.Endpoints(), DialTimeout: time.Second, Logger: zap.NewNop()})
	if err != nil {
		return -1
	}
	defer cli.Close()
	ids := map[uint64]int{}
	var lead uint64
	for i, ep := range c.Endpoints() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		st, err := cli.Status(ctx, ep)
		cancel()
		if err != nil {
			continue
		}
		ids[st.Header.MemberId] = i
		if st.Leader != 0 {
			lead = st.Leader
		}
	}
	if i, ok := ids[lead]; ok && lead != 0 {
		return i
	}
	return -1
}

// Stop stops member i: with Options.Processes a SIGKILL (a crash: no
// goodbye, nothing flushed that was not already synced); in process, a
// clean close. Its data stays for Restart.
func (c *Cluster) Stop(i int) {
	c.mu.Lock()
	m := c.members[i]
	e, cmd := m.etcd, m.cmd
	m.etcd, m.cmd = nil, nil
	c.mu.Unlock()
	if e != nil {
		e.Close()
	}
	if cmd != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
}

// Restart starts a stopped member i again on its data.
func (c *Cluster) Restart(ctx context.Context, i int) error {
	return c.start(ctx, i)
}

// Close stops every member (at once, together) and, when Start made the
// directory, removes it.
func (c *Cluster) Close() {
	var wg sync.WaitGroup
	for i := range c.members {
		wg.Go(func() { c.Stop(i) })
	}
	wg.Wait()
	if c.tempDir {
		_ = os.RemoveAll(c.dir)
	}
}
