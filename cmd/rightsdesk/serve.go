package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/buildinfo"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/notice/catalogue"
	"github.com/rightsdesk/rightsdesk/internal/telemetry"
	"github.com/rightsdesk/rightsdesk/internal/users"
	"github.com/rightsdesk/rightsdesk/internal/web/staff"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	var cfg app.Config
	fs.StringVar(&cfg.DataDir, "data", "./rightsdesk-data", "data directory: the bbolt database (unless --store names another store) and the admin socket")
	fs.StringVar(&cfg.Store, "store", "", "where the store is: bolt:///DIR (default: the bbolt database in --data) or etcd://HOST:2379,HOST:2379,HOST:2379[/PREFIX][?cacert=CA.pem&cert=CLIENT.pem&key=CLIENT-KEY.pem&max-txn-ops=N&max-request-bytes=N] for replicas sharing an etcd cluster")
	fs.StringVar(&cfg.Blobs, "blobs", "", "where documents go: file:///DIR, or s3://BUCKET[/PREFIX]?endpoint=HOST:PORT with keys in $RIGHTSDESK_S3_ACCESS_KEY and $RIGHTSDESK_S3_SECRET_KEY (default: DATA/blobs; replicas that share no disk need S3)")
	fs.StringVar(&cfg.Replica, "replica", "", "this replica's name in the leader election and the logs (default: host, process id and a random suffix)")
	fs.DurationVar(&cfg.LeaderTTL, "leader-ttl", 0, "on etcd, how long the other replicas wait before taking over the background work of a leader that died without resigning (default 10s)")
	fs.StringVar(&cfg.Server.GRPCAddr, "grpc-addr", "127.0.0.1:9090", "gRPC listen address")
	fs.StringVar(&cfg.Server.HTTPAddr, "http-addr", "127.0.0.1:8080", "HTTP listen address (REST, web pages, health)")
	reflect := fs.Bool("grpc-reflection", true, "serve gRPC server reflection, which lists every service and message to anyone who can connect (grpcurl needs it; turn it off on a production port)")
	fs.StringVar(&cfg.Server.AdminAddr, "admin-addr", "127.0.0.1:9091", "admin HTTP listen address, for operators only: Prometheus /metrics, /debug/pprof/, /healthz, /readyz (off for none)")
	fs.StringVar(&cfg.Server.TLSCert, "tls-cert", "", "PEM file of the certificate (and its chain) the gRPC and HTTP ports present, TLS 1.2 or later only; reloaded when the file changes (with --tls-key; default plaintext, for loopback or behind a TLS-terminating proxy: see docs/security.md)")
	fs.StringVar(&cfg.Server.TLSKey, "tls-key", "", "PEM file of --tls-cert's private key; reloaded when the file changes")
	fs.Int64Var(&cfg.Server.MaxBodyBytes, "max-body", 1<<20, "largest request body accepted, in bytes")
	fs.IntVar(&cfg.Server.Limits.MaxConnections, "max-connections", 0, "most connections held open at once on each of the HTTP and gRPC ports; more wait until one closes (default 2000, less when the open-file limit (ulimit -n) is under 4200: keep twice this plus 200 under it)")
	fs.DurationVar(&cfg.Server.Drain, "drain", 5*time.Second, "on SIGTERM, how long to go on serving with /readyz (and gRPC health) already saying not ready, so load balancers stop sending calls before the listeners close (0 closes them at once)")
	fs.DurationVar(&cfg.Server.Limits.IdleTimeout, "idle-timeout", 0, "close an HTTP keep-alive or gRPC connection that carries no request for this long (default 2m)")
	fs.IntVar(&cfg.Server.Limits.TokenCallsPerSecond, "api-token-rate", 0, "API calls (gRPC and REST) each token may make a second, after a burst of --api-token-burst; more are refused RESOURCE_EXHAUSTED / 429 with Retry-After (default 1000; negative: no limit)")
	fs.IntVar(&cfg.Server.Limits.TokenBurst, "api-token-burst", 0, "API calls each token may make at once before --api-token-rate applies (default 2000)")
	fs.IntVar(&cfg.Server.Limits.AddressCallsPerSecond, "api-address-rate", 0, "API calls each client address (IPv6: each /64) may make a second without a token, failed sign-ins with a bad token included, after a burst of --api-address-burst (default 100; negative: no limit)")
	fs.IntVar(&cfg.Server.Limits.AddressBurst, "api-address-burst", 0, "API calls each client address may make at once without a token before --api-address-rate applies (default 500)")
	fs.IntVar(&cfg.Server.Limits.MaxInFlightWrites, "max-inflight-writes", 0, "most API write calls running at once; one more is refused at once, UNAVAILABLE / 503 with Retry-After, rather than queued (default 256; negative: no limit)")
	fs.DurationVar(&cfg.Server.Limits.MaxCallDuration, "max-call-duration", 0, "longest an API call (other than a backup stream) may run, whatever deadline its client set (default 30s)")
	fs.StringVar(&cfg.Server.Organisation, "org-name", "", "organisation named in the web pages' header (default: the controller of the built-in notices)")
	fs.StringVar(&cfg.Server.PublicURL, "public-url", "", "address the public reaches the web pages at, for links in emails; https:// marks the session cookie Secure (default http://HTTP-ADDR)")
	fs.StringVar(&cfg.Server.SMTPURL, "smtp-url", "", "relay for letters to requesters (acknowledgement, requests, extension, response): smtp://[user:pass@]host[:587]?from=ADDRESS (STARTTLS) or smtps://…:465; none sent without it")
	fs.StringVar(&cfg.DigestTime, "digest-time", "07:00", "UK time each working day staff are emailed their overdue cases and those due in the next 5 working days (HH:MM, or "+app.DigestOff+"); sent through --smtp-url to each enabled caseworker and administrator with an email address")
	fs.Func("second-factor", "which local staff accounts must use two-step verification (an authenticator app's codes) after their password: admins (default), everyone, or optional (for staff who sign in through single sign-on with its own second factor)", func(v string) (err error) {
		cfg.SecondFactor, err = users.ParseSecondFactorPolicy(v)
		return err
	})
	fs.Func("retention", "how long after closing each outcome keeps its personal data before the daily run destroys it: OUTCOME=PERIOD,… with periods in months (24m) or years (6y), over the defaults "+cases.DefaultSchedule().String()+" (see docs/retention.md); or off to run no purge", func(v string) (err error) {
		if cfg.RetentionOff = v == "off"; cfg.RetentionOff {
			return nil
		}
		cfg.Retention, err = cases.ParseSchedule(v)
		return err
	})
	fs.StringVar(&cfg.Templates, "templates", "", "directory of letter templates overriding the built-in ones, file for file (see internal/letters/FIELDS.md); a template naming an unknown field stops the start")
	fs.StringVar(&cfg.Server.Contact.Email, "contact-email", "", "email address the public is told to write to about a request (default: the contacts the notices name)")
	fs.StringVar(&cfg.Server.Contact.Phone, "contact-phone", "", "phone number the public is told to call about a request")
	fs.StringVar(&cfg.Server.Contact.Address, "contact-address", "", "postal address the public is told to write to about a request, its lines separated by commas")
	fs.StringVar(&cfg.Server.Contact.Web, "contact-web", "", "web page the public is told to use to reach you about a request")
	fs.StringVar(&cfg.Region, "region", "", "the handling office's bank holidays, used when a request names no region: england-and-wales (default), scotland or northern-ireland")
	fs.Var((*noticeRegions)(&cfg.NoticeRegions), "notice-region", "NOTICE=REGION: requests about this notice are handled by an office in that region (repeat, or separate with commas)")
	holidays := fs.String("holidays", "", "GOV.UK bank-holidays.json to extend the built-in bank holidays")
	var oidc staff.OIDCConfig
	fs.StringVar(&oidc.Issuer, "oidc-issuer", "", "OpenID Connect issuer URL for staff sign-in (off when empty)")
	fs.StringVar(&oidc.ClientID, "oidc-client-id", "", "OpenID Connect client id")
	fs.StringVar(&oidc.ClientSecret, "oidc-client-secret", "", "OpenID Connect client secret (or $RIGHTSDESK_OIDC_CLIENT_SECRET)")
	fs.StringVar(&oidc.RedirectURL, "oidc-redirect-url", "", "this site's /staff/oidc/callback as registered with the provider")
	fs.StringVar(&oidc.RoleClaim, "oidc-role-claim", staff.DefaultRoleClaim, "ID token claim holding viewer, caseworker or admin (a string or a list)")
	fs.BoolVar(&cfg.RequireSingleSignOn, "require-sso", false, "staff sign in through the OpenID Connect provider: the password form signs in administrators' local accounts only, as the break-glass way in (needs the --oidc- flags; see docs/security.md)")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	keyringPath := fs.String("keyring", "", "keyring file (mode 0600, outside --data) whose keys encrypt personal data at rest; default: the keyring in $RIGHTSDESK_KEK. Make one with `rightsdesk keys init --out FILE`")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	if oidc.Issuer != "" {
		if oidc.ClientSecret == "" {
			oidc.ClientSecret = os.Getenv("RIGHTSDESK_OIDC_CLIENT_SECRET")
		}
		cfg.Server.OIDC = &oidc
	}
	cfg.Server.Logger = slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	var err error
	if cfg.Calendars, err = loadCalendars(*holidays); err != nil {
		return err
	}
	if cfg.Catalogue, err = catalogue.Builtin(); err != nil {
		return fmt.Errorf("built-in catalogue: %w", err)
	}
	cfg.Server.NoReflection = !*reflect
	keys, err := app.LoadKeyring(*keyringPath, cfg.DataDir, os.LookupEnv)
	if err != nil {
		return err
	}
	cfg.Keyring = keys
	// Traces go over OTLP when the standard OTEL_* variables ask (see
	// telemetry.TracingFromEnv); without them nothing is recorded.
	if cfg.Server.Tracing, err = telemetry.TracingFromEnv(ctx, os.Getenv, telemetry.Build{Version: buildinfo.String(), Revision: buildinfo.Revision()}); err != nil {
		return err
	}
	defer func() {
		// The spans of the last calls are sent before the process ends.
		flushCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := cfg.Server.Tracing.Shutdown(flushCtx); err != nil {
			cfg.Server.Logger.Warn("OpenTelemetry: spans not exported at stop", "error", err)
		}
	}()
	srv, err := app.New(ctx, cfg)
	if err != nil {
		return err
	}
	if cfg.Store == "" {
		fmt.Fprintf(stdout, "Rightsdesk is running (data in %s)\n", cfg.DataDir)
	} else {
		where, _ := app.ParseStore(cfg.Store, cfg.DataDir) // New has parsed it
		fmt.Fprintf(stdout, "Rightsdesk is running (store %s)\n", where)
	}
	fmt.Fprintf(stdout, "  request form http://%s/\n", srv.HTTPAddr())
	fmt.Fprintf(stdout, "  status page  http://%s/status\n", srv.HTTPAddr())
	fmt.Fprintf(stdout, "  staff        http://%s/staff/\n", srv.HTTPAddr())
	if link, expires := srv.SetupLink(); link != "" {
		fmt.Fprintf(stdout, "  first admin  %s\n", link)
		fmt.Fprintf(stdout, "               no administrator exists yet: open this link once, before %s, to create one\n", expires.Local().Format("15:04 on 2 Jan"))
	}
	fmt.Fprintf(stdout, "  REST API     http://%s/v1/notices\n", srv.HTTPAddr())
	fmt.Fprintf(stdout, "  OpenAPI      http://%s/openapi.json\n", srv.HTTPAddr())
	fmt.Fprintf(stdout, "  health       http://%s/healthz  http://%s/readyz\n", srv.HTTPAddr(), srv.HTTPAddr())
	if admin := srv.AdminHTTPAddr(); admin != "" {
		fmt.Fprintf(stdout, "  metrics      http://%s/metrics  (admin listener: also /debug/pprof/, /healthz, /readyz)\n", admin)
	}
	if *reflect {
		fmt.Fprintf(stdout, "  gRPC         %s (reflection on: grpcurl -plaintext %s list)\n", srv.GRPCAddr(), srv.GRPCAddr())
	} else {
		fmt.Fprintf(stdout, "  gRPC         %s\n", srv.GRPCAddr())
	}
	fmt.Fprintln(stdout, "Press Ctrl+C to stop.")
	return srv.Run(ctx)
}

// loadCalendars returns the built-in bank holidays, extended by a GOV.UK
// bank-holidays.json file when one is given.
func loadCalendars(path string) (*deadline.Calendars, error) {
	cal := deadline.BuiltinCalendars()
	if path == "" {
		return cal, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--holidays: %w", err)
	}
	defer f.Close()
	imported, err := deadline.ParseGOVUKBankHolidays(f)
	if err != nil {
		return nil, fmt.Errorf("--holidays %s: %w", path, err)
	}
	return cal.Merge(imported), nil
}

// noticeRegions is --notice-region: NOTICE=REGION pairs, from repeated
// flags or one comma-separated value (as $RIGHTSDESK_NOTICE_REGION gives).
type noticeRegions map[string]string

func (n *noticeRegions) String() string {
	pairs := make([]string, 0, len(*n))
	for id, region := range *n {
		pairs = append(pairs, id+"="+region)
	}
	slices.Sort(pairs)
	return strings.Join(pairs, ",")
}

func (n *noticeRegions) Set(value string) error {
	if *n == nil {
		*n = map[string]string{}
	}
	for pair := range strings.SplitSeq(value, ",") {
		id, region, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok || id == "" || region == "" {
			return fmt.Errorf("%q: want NOTICE=REGION", pair)
		}
		(*n)[id] = region
	}
	return nil
}
