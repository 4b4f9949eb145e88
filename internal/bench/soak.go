package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
)

// SoakConfig is a soak run: mixed load on one server on 127.0.0.1 for a
// long time, to find what grows (memory, goroutines, open files) rather
// than to time anything.
type SoakConfig struct {
	Duration time.Duration // how long the load runs
	Every    time.Duration // how often the process's resources are printed
	Clients  int           // API clients, each creating, changing, reading and listing cases
	Dir      string        // where the temporary database goes ("" for the system's)
	Out      io.Writer     // where the resources and the tally are printed
}

// Soak starts a server on 127.0.0.1 over a new database and puts it under
// mixed load: over gRPC, creates, assignments, notes, reads and queue
// views from cfg.Clients clients; over HTTP, the public form sent from
// start to confirmation and status-page lookups, one client each (both are
// rate-limited per address, so a refusal with 429 is counted, not a
// fault). The server runs in this process, so the resources printed —
// resident memory, goroutines, open file descriptors, at the start, every
// cfg.Every and at the end, then once the load has stopped and settled —
// are the server's plus the fixed cost of the clients. Any other error
// fails the run once the load ends.
func Soak(ctx context.Context, cfg SoakConfig) (err error) {
	if cfg.Duration <= 0 || cfg.Every <= 0 || cfg.Clients < 1 || cfg.Clients > MaxClients {
		return fmt.Errorf("soak: want a duration and interval above zero and 1 to %d clients", MaxClients)
	}
	dir, err := os.MkdirTemp(cfg.Dir, "rightsdesk-soak-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	srv, err := startServerOn(ctx, "", dir, sealedStore)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, srv.stop()) }()

	tally := &soakTally{}
	printResources(cfg.Out, "start", 0, tally)
	loadCtx, stopLoad := context.WithTimeout(ctx, cfg.Duration)
	defer stopLoad()
	var wg sync.WaitGroup
	for c := range cfg.Clients {
		wg.Go(func() { tally.fault(apiClient(loadCtx, srv, c, tally)) })
	}
	wg.Go(func() { tally.fault(publicClient(loadCtx, srv.httpAddr, tally)) })
	wg.Go(func() { tally.fault(statusClient(loadCtx, srv, tally)) })
	start := time.Now()
	ticker := time.NewTicker(cfg.Every)
	defer ticker.Stop()
	for running := true; running; {
		select {
		case <-ticker.C:
			printResources(cfg.Out, "under load", time.Since(start), tally)
		case <-loadCtx.Done():
			running = false
		}
	}
	wg.Wait()
	printResources(cfg.Out, "end", time.Since(start), tally)
	// What the load left behind: connections close and their goroutines
	// end within a few seconds; what remains after that is kept.
	time.Sleep(5 * time.Second)
	runtime.GC()
	printResources(cfg.Out, "settled", time.Since(start), tally)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return tally.err()
}

// soakTally counts the load's answers by kind; refused is the calls the
// server turned away for rate (RESOURCE_EXHAUSTED, 429), which are its
// limits working, and faults the first few of anything else.
type soakTally struct {
	creates, updates, reads, lists, forms, lookups, refused atomic.Int64

	mu     sync.Mutex
	faults []error
	count  int
}

func (t *soakTally) fault(err error) {
	if err == nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || status.Code(err) == codes.DeadlineExceeded || status.Code(err) == codes.Canceled {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.count++; len(t.faults) < 5 {
		t.faults = append(t.faults, err)
	}
}

func (t *soakTally) err() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.count == 0 {
		return nil
	}
	return fmt.Errorf("soak: %d calls failed; the first: %w", t.count, errors.Join(t.faults...))
}

func (t *soakTally) String() string {
	return fmt.Sprintf("creates %d, updates %d, reads %d, queue views %d, public forms %d, status lookups %d, refused for rate %d",
		t.creates.Load(), t.updates.Load(), t.reads.Load(), t.lists.Load(), t.forms.Load(), t.lookups.Load(), t.refused.Load())
}

// printResources prints this process's resident memory, goroutines and
// open file descriptors, with the tally so far.
func printResources(w io.Writer, when string, elapsed time.Duration, tally *soakTally) {
	fmt.Fprintf(w, "soak %-10s %8s  rss %s  goroutines %d  open fds %s  | %s\n",
		when, elapsed.Round(time.Second), residentMemory(), runtime.NumGoroutine(), openFiles(), tally)
}

// residentMemory is VmRSS from /proc/self/status, or "n/a" where there is
// no /proc.
func residentMemory() string {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return "n/a"
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		if rest, ok := strings.CutPrefix(scanner.Text(), "VmRSS:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err == nil {
				return fmt.Sprintf("%.1f MiB", float64(kb)/1024)
			}
		}
	}
	return "n/a"
}

// openFiles counts /proc/self/fd, or is "n/a" where there is no /proc.
func openFiles() string {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return "n/a"
	}
	return strconv.Itoa(len(entries))
}

// apiClient creates cases and then, in a mix, assigns and notes its own
// (with their etags), reads them and lists queue views, until ctx ends.
func apiClient(ctx context.Context, srv *instance, client int, tally *soakTally) error {
	conn, err := dial(srv.addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx = (&instance{token: srv.token}).authorised(ctx)
	api := rdv1.NewCaseServiceClient(conn)
	rng := rand.New(rand.NewPCG(uint64(client), uint64(time.Now().UnixNano())))
	var mine []*rdv1.Case // the last few this client made, as last seen
	filters := []string{`state = "IN_PROGRESS"`, `assignee = ""`, `overdue = true OR due_this_week = true`, `right = "ACCESS" AND waiting = false`}
	for n := 0; ctx.Err() == nil; n++ {
		var (
			c   *rdv1.Case
			err error
		)
		switch pick := rng.IntN(10); {
		case len(mine) == 0 || pick < 2:
			c, err = api.CreateCase(ctx, createRequest(request(n, time.Now(), rng)))
			tally.creates.Add(1)
		case pick < 4:
			i := rng.IntN(len(mine))
			c, err = api.AssignCase(ctx, &rdv1.AssignCaseRequest{Name: mine[i].GetName(), Etag: mine[i].GetEtag(), Assignee: fmt.Sprintf("user:soak-%d", rng.IntN(4))})
			tally.updates.Add(1)
		case pick < 5:
			i := rng.IntN(len(mine))
			c, err = api.AddNote(ctx, &rdv1.AddNoteRequest{Name: mine[i].GetName(), Etag: mine[i].GetEtag(), Text: fmt.Sprintf("Soak note %d.", n)})
			tally.updates.Add(1)
		case pick < 8:
			_, err = api.GetCase(ctx, &rdv1.GetCaseRequest{Name: mine[rng.IntN(len(mine))].GetName()})
			tally.reads.Add(1)
		default:
			_, err = api.ListCases(ctx, &rdv1.ListCasesRequest{PageSize: 50, Filter: filters[rng.IntN(len(filters))]})
			tally.lists.Add(1)
		}
		switch {
		case status.Code(err) == codes.ResourceExhausted:
			tally.refused.Add(1)
			continue
		case err != nil:
			return err
		}
		mine = remember(mine, c)
	}
	return nil
}

// remember keeps the last 50 cases a client wrote, replacing an older
// copy of c; nil (a read) changes nothing.
func remember(mine []*rdv1.Case, c *rdv1.Case) []*rdv1.Case {
	if c == nil {
		return mine
	}
	for i := range mine {
		if mine[i].GetName() == c.GetName() {
			mine[i] = c
			return mine
		}
	}
	if mine = append(mine, c); len(mine) > 50 {
		mine = mine[1:]
	}
	return mine
}

// soakForm is a browser on the public pages: its own cookies, and the
// anti-forgery token of its session.
type soakForm struct {
	base   string
	client *http.Client
	token  string
}

var soakTokenField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func newSoakForm(httpAddr string) *soakForm {
	jar, _ := cookiejar.New(nil)
	return &soakForm{base: "http://" + httpAddr, client: &http.Client{
		Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// get fetches a page and keeps its anti-forgery token.
func (b *soakForm) get(ctx context.Context, path string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.base+path, nil)
	if err != nil {
		return 0, err
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if m := soakTokenField.FindSubmatch(body); m != nil {
		b.token = string(m[1])
	}
	return resp.StatusCode, err
}

// post sends a form with the session's token and, as a browser does,
// follows a redirect to the next page, whose token it keeps: the token
// changes with the session id, which changes once an answer is saved.
func (b *soakForm) post(ctx context.Context, path string, form url.Values) (int, error) {
	form.Set("csrf_token", b.token)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.client.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	if err = errors.Join(err, resp.Body.Close()); err != nil || resp.StatusCode != http.StatusSeeOther {
		return resp.StatusCode, err
	}
	return b.get(ctx, resp.Header.Get("Location"))
}

// soakAnswer sorts an HTTP answer: a page or a redirect is fine, 429 is a
// refusal for rate, anything else a fault.
func soakAnswer(what string, code int, err error, tally *soakTally) (refused bool, _ error) {
	switch {
	case err != nil:
		return false, fmt.Errorf("%s: %w", what, err)
	case code == http.StatusTooManyRequests:
		tally.refused.Add(1)
		return true, nil
	case code >= 400:
		return false, fmt.Errorf("%s: status %d", what, code)
	}
	return false, nil
}

// publicClient sends the public form for oneself from its first question
// to the confirmation, a new browser each time, pausing a second between
// forms, until ctx ends.
func publicClient(ctx context.Context, httpAddr string, tally *soakTally) error {
	answers := []struct {
		step string
		form url.Values
	}{
		{"rights", url.Values{"rights": {"access"}}},
		{"services", url.Values{}}, // none ticked: everything held
		{"who", url.Values{"who": {"self"}}},
		{"details", url.Values{"full-name": {"Soak Tester"}, "email": {"soak@example.org"}}},
		{"find", url.Values{}},
	}
	for n := 0; ctx.Err() == nil; n++ {
		b := newSoakForm(httpAddr)
		page := "/request/rights"
		code, err := b.get(ctx, page)
		for _, a := range answers {
			if err != nil || code >= 400 {
				break
			}
			page = "/request/" + a.step
			code, err = b.post(ctx, page, a.form)
		}
		if err == nil && code < 400 {
			page = "/request/check"
			code, err = b.post(ctx, page, url.Values{"declaration": {"yes"}})
		}
		if ctx.Err() != nil {
			return nil
		}
		refused, err := soakAnswer("the public form at "+page, code, err, tally)
		if err != nil {
			return err
		}
		if !refused {
			tally.forms.Add(1)
		}
		if err := pause(ctx, time.Second); err != nil {
			return nil
		}
	}
	return nil
}

// statusClient makes cases over the API and looks each up on the status
// page with its reference and code, pausing a second between lookups.
func statusClient(ctx context.Context, srv *instance, tally *soakTally) error {
	conn, err := dial(srv.addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	api := rdv1.NewCaseServiceClient(conn)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))
	for n := 0; ctx.Err() == nil; n++ {
		c, err := api.CreateCase((&instance{token: srv.token}).authorised(ctx), createRequest(request(n, time.Now(), rng)))
		if status.Code(err) == codes.ResourceExhausted {
			tally.refused.Add(1)
			_ = pause(ctx, time.Second)
			continue
		}
		if err != nil {
			return err
		}
		tally.creates.Add(1)
		b := newSoakForm(srv.httpAddr)
		code, err := b.get(ctx, "/status")
		if err == nil && code < 400 {
			code, err = b.post(ctx, "/status", url.Values{"reference": {c.GetReference()}, "code": {c.GetStatusToken()}})
		}
		if ctx.Err() != nil {
			return nil
		}
		refused, err := soakAnswer("the status page", code, err, tally)
		if err != nil {
			return err
		}
		if !refused {
			tally.lookups.Add(1)
		}
		if err := pause(ctx, time.Second); err != nil {
			return nil
		}
	}
	return nil
}

func pause(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
