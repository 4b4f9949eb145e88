package app_test

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/accounts"
	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/app/apptest"
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/clock"
	"github.com/rightsdesk/rightsdesk/internal/leader"
	"github.com/rightsdesk/rightsdesk/internal/leader/leadertest"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/store/etcd/etcdlocal"
	"github.com/rightsdesk/rightsdesk/internal/users"
)

const staffPassword = "correct horse battery staple 7"

// openURL opens the store at a store address as the server would.
func openURL(t *testing.T, addr string) *store.Store {
	t.Helper()
	return openURLWith(t, addr, apptest.Keyring(t, addr))
}

// openURLWith opens the store at addr with keys: a backup restored
// elsewhere opens with the keyring of the store it was taken from.
func openURLWith(t *testing.T, addr string, keys store.Keyring) *store.Store {
	t.Helper()
	where, err := app.ParseStore(addr, "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := app.OpenBackend(t.Context(), where, app.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(t.Context(), b, store.WithKeyring(keys))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// seedStaff stores a caseworker's account and an admin API token.
func seedStaff(t *testing.T, addr string) (token string) {
	t.Helper()
	st := openURL(t, addr)
	defer st.Close()
	dir := accounts.New(st, clock.System{}, rand.Reader, accounts.Options{})
	if _, err := dir.Create(t.Context(), users.NewUser{Email: "cw@example.org", Name: "Casey Worker", Role: auth.RoleCaseworker, Password: staffPassword}); err != nil {
		t.Fatal(err)
	}
	plaintext, hash, err := auth.NewToken(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tok := auth.Token{ID: auth.TokenID(hash), Name: "test", Role: auth.RoleAdmin, CreatedAt: time.Now().UTC()}
	if err := st.Update(t.Context(), func(tx store.WriteTx) error { return store.PutToken(tx, hash, &tok) }); err != nil {
		t.Fatal(err)
	}
	return plaintext
}

type replica struct {
	*app.App
	stop func()
	conn *grpc.ClientConn
	ctx  context.Context // carries the token
}

func startReplica(t *testing.T, addr, name, token string, jobs ...leader.Job) *replica {
	t.Helper()
	a, stop := apptest.Start(t, app.Config{Store: addr, DataDir: t.TempDir(), Replica: name, LeaderTTL: 2 * time.Second, Jobs: jobs})
	conn, err := grpc.NewClient(a.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return &replica{App: a, stop: stop, conn: conn, ctx: metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+token)}
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// web is one browser: its cookie jar serves every replica (cookies are
// per host, whatever the port).
type web struct {
	t      *testing.T
	client *http.Client
}

func newWeb(t *testing.T) *web {
	jar, _ := cookiejar.New(nil)
	return &web{t: t, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (w *web) do(method string, r *replica, path string, form url.Values) (int, string) {
	w.t.Helper()
	var body io.Reader
	contentType := ""
	if form != nil {
		body, contentType = strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"
	}
	resp := w.send(method, r, path, contentType, body)
	return resp.status, resp.body
}

// page is a response as the browser received it, redirects not followed.
type page struct {
	status   int
	location string
	header   http.Header
	body     string
}

// send makes one request of r with the browser's cookies; contentType is
// the body's, "" for none.
func (w *web) send(method string, r *replica, path, contentType string, body io.Reader) page {
	w.t.Helper()
	req, err := http.NewRequestWithContext(w.t.Context(), method, "http://"+r.HTTPAddr()+path, body)
	if err != nil {
		w.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := w.client.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, location: resp.Header.Get("Location"), header: resp.Header, body: string(raw)}
}

// signIn posts the sign-in form on r and returns the status.
func (w *web) signIn(r *replica, password string) int {
	w.t.Helper()
	_, page := w.do("GET", r, "/staff/sign-in", nil)
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		w.t.Fatalf("no anti-forgery token on the sign-in page of %s", r.HTTPAddr())
	}
	code, _ := w.do("POST", r, "/staff/sign-in", url.Values{"csrf_token": {m[1]}, "email": {"cw@example.org"}, "password": {password}, "next": {"/staff/"}})
	return code
}

// Two replicas on one three-member etcd cluster behave as one service: a
// session begun on A goes on on B, a lockout through A holds on B, a
// notice imported through A is served by B at once, a case changed through
// A is listed changed by B (whose decoded-case cache checks the stored
// bytes), and the background work runs on one of them, moving to the other
// when it stops.
func TestTwoReplicasOnEtcd(t *testing.T) {
	cluster, err := etcdlocal.Start(t.Context(), etcdlocal.Options{NoFsync: true, Processes: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close) // after the replicas' own clean-ups, which run first
	addr := cluster.URL("replicas")
	token := seedStaff(t, addr)
	a := startReplica(t, addr, "a", token, leadertest.StandIn(20*time.Millisecond))
	b := startReplica(t, addr, "b", token, leadertest.StandIn(20*time.Millisecond))

	t.Run("a session begun on A goes on on B", func(t *testing.T) {
		w := newWeb(t)
		if code := w.signIn(a, staffPassword); code != http.StatusSeeOther {
			t.Fatalf("sign-in on A: status %d", code)
		}
		code, page := w.do("GET", b, "/staff/", nil)
		if code != http.StatusOK || !strings.Contains(page, "Signed in as Casey Worker") {
			t.Fatalf("the queue on B with A's session: status %d", code)
		}
	})

	t.Run("a notice imported through A is served by B within a second", func(t *testing.T) {
		notices := rdv1.NewNoticeServiceClient(a.conn)
		if _, err := notices.ImportNotice(a.ctx, &rdv1.ImportNoticeRequest{Content: libraryNotice, NoticeId: "example-library"}); err != nil {
			t.Fatal(err)
		}
		imported := time.Now()
		for {
			n, err := rdv1.NewNoticeServiceClient(b.conn).GetNotice(b.ctx, &rdv1.GetNoticeRequest{Name: "notices/example-library"})
			if err == nil && n.GetName() == "notices/example-library" {
				t.Logf("B served the notice %s after the import returned", time.Since(imported))
				break
			}
			if time.Since(imported) > time.Second {
				t.Fatalf("B did not serve the notice within a second: %v", err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	})

	t.Run("a case changed through A is listed changed by B", func(t *testing.T) {
		created, err := rdv1.NewCaseServiceClient(a.conn).CreateCase(a.ctx, &rdv1.CreateCaseRequest{RequestId: "replica-case", Case: &rdv1.Case{
			Notices: []*rdv1.CaseNotice{{Notice: "notices/it-service-desk"}}, ReceivedOn: time.Now().Format(time.DateOnly),
			Rights:    []*rdv1.RequestedRight{{Right: rdv1.Right_RIGHT_ACCESS}},
			Requester: &rdv1.Requester{Person: &rdv1.Person{Name: "Ada Lovelace", Email: "ada@example.org"}, Relationship: rdv1.Relationship_RELATIONSHIP_SELF},
		}})
		if err != nil {
			t.Fatal(err)
		}
		listB := func() *rdv1.Case {
			resp, err := rdv1.NewCaseServiceClient(b.conn).ListCases(b.ctx, &rdv1.ListCasesRequest{Filter: `reference="` + created.GetReference() + `"`})
			if err != nil || len(resp.GetCases()) != 1 {
				t.Fatalf("list on B: %v, %d cases", err, len(resp.GetCases()))
			}
			return resp.GetCases()[0]
		}
		if got := listB(); got.GetAssignee() != "" { // B decodes and caches it
			t.Fatalf("new case assigned to %q", got.GetAssignee())
		}
		if _, err := rdv1.NewCaseServiceClient(a.conn).AssignCase(a.ctx, &rdv1.AssignCaseRequest{Name: created.GetName(), Assignee: "alice"}); err != nil {
			t.Fatal(err)
		}
		if got := listB(); got.GetAssignee() != "alice" {
			t.Fatalf("B lists the case assigned to %q after A assigned it to alice", got.GetAssignee())
		}
	})

	t.Run("a backup through a replica restores as a bbolt data directory", func(t *testing.T) {
		stream, err := rdv1.NewAdminServiceClient(b.conn).Backup(b.ctx, &rdv1.BackupRequest{})
		if err != nil {
			t.Fatal(err)
		}
		var raw []byte
		for {
			chunk, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			raw = append(raw, chunk.GetData()...)
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, bolt.FileName), raw, 0o600); err != nil {
			t.Fatal(err)
		}
		restored := openURLWith(t, "bolt://"+dir, apptest.Keyring(t, addr))
		defer restored.Close()
		chain, err := casework.VerifyChain(t.Context(), restored)
		if err != nil || chain.Events == 0 {
			t.Fatalf("the restored backup's audit chain: %d events, %v", chain.Events, err)
		}
		live := openURL(t, addr)
		defer live.Close()
		if liveChain, err := casework.VerifyChain(t.Context(), live); err != nil || liveChain.Events != chain.Events {
			t.Fatalf("the live chain has %d events (%v), the backup %d", liveChain.Events, err, chain.Events)
		}
	})

	t.Run("a lockout through A holds on B", func(t *testing.T) {
		w := newWeb(t)
		for range users.DefaultLockout.FreeAttempts {
			if code := w.signIn(a, "not the password at all"); code != http.StatusUnprocessableEntity {
				t.Fatalf("a wrong password on A: status %d", code)
			}
		}
		if code := w.signIn(b, staffPassword); code != http.StatusUnprocessableEntity {
			t.Fatalf("the right password on B while A has locked the account: status %d, want 422", code)
		}
	})

	t.Run("background work runs on one leader and moves when it stops", func(t *testing.T) {
		first, second := a, b
		if leading, _ := b.Leading(); leading {
			first, second = b, a
		}
		st := openURL(t, addr)
		defer st.Close()
		if err := leadertest.Enqueue(t.Context(), st, "before"); err != nil {
			t.Fatal(err)
		}
		waitExecuted(t, st, 1)
		first.stop() // resigns: the other replica takes over at once
		if err := leadertest.Enqueue(t.Context(), st, "after"); err != nil {
			t.Fatal(err)
		}
		runs := waitExecuted(t, st, 2)
		leadingFirst, _ := first.Leading()
		leadingSecond, _ := second.Leading()
		if leadingFirst || !leadingSecond {
			t.Errorf("after the leader stopped: first leads %v, second leads %v", leadingFirst, leadingSecond)
		}
		for _, run := range runs {
			if run.ID == "after" && leadingSecond && run.Epoch < 2 {
				t.Errorf("the message queued after the handover ran in epoch %d", run.Epoch)
			}
		}
	})
}

// waitExecuted waits until n distinct messages have run, and fails if any
// ran twice or is still queued after 10s.
func waitExecuted(t *testing.T, st *store.Store, n int) []leadertest.Execution {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		runs, queued, err := leadertest.Executions(t.Context(), st)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, r := range runs {
			if seen[r.ID]++; seen[r.ID] > 1 {
				t.Fatalf("message %s ran twice: %+v", r.ID, runs)
			}
		}
		if len(seen) >= n && len(queued) == 0 {
			return runs
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10s: %d of %d messages ran, %d queued", len(seen), n, len(queued))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

const libraryNotice = `Privacy notice for the Example Library

Published 4 April 2024

Legal basis

The legal basis for processing your personal data is our legitimate interests in running the library.

Your rights

You have the right to request a copy of your personal data.

You have the right to object to the processing of your personal data.

Retention

We keep your data for 2 years after your last loan.

Complaints

You can complain to the Information Commissioner. The Information Commissioner can be contacted at: casework@ico.org.uk

Contact details

The data controller for your personal data is the Example Library Service. The contact details for our Data Protection Officer are: dpo@library.example.gov.uk
`
