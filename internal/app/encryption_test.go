package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
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
	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/app/apptest"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/keyring"
	"github.com/rightsdesk/rightsdesk/internal/notify/notifytest"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt/bolttest"
)

// person is one requester's details as distinctive random strings, so that
// finding one in the raw bytes can only mean it was stored in clear. Tests
// name what they find, never print it.
type person struct{ name, email, text, note string }

func newPerson(t *testing.T, door string) person {
	t.Helper()
	word := func() string {
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		return "q" + hex.EncodeToString(b)
	}
	return person{
		name: "Zed " + word(), email: word() + "@example.org",
		text: "Through " + door + " I ask for " + word(), note: "Rang " + word(),
	}
}

func (p person) strings() map[string]string {
	return map[string]string{"name": p.name, "email": p.email, "request text": p.text, "note": p.note}
}

var (
	intakeCode = regexp.MustCompile(`id="status-code">([A-Z2-7 ]+)<`)
	intakeCase = regexp.MustCompile(`href="/staff/cases/([0-9A-Z]+)" id="open-case"`)
)

// Issue 15's acceptance for encryption at rest: cases made through gRPC,
// REST, the public form and staff intake, each with a note (and, from the
// status page, a reply with a document), leave none of their requester's
// name, email, request text or note, nor a status code, in the database
// file — freed pages included — in a backup, in the web-session bucket or
// in the document store; and every case still reads through the doors.
func TestNoPersonalDataIsStoredInClear(t *testing.T) {
	relay := notifytest.Start(t)
	dir := t.TempDir()
	token := seedStaff(t, "bolt://"+dir)
	cfg := app.Config{DataDir: dir, DigestTime: app.DigestOff}
	cfg.Server.SMTPURL = "smtp://" + relay.Addr + "?from=privacy@example.org"
	cfg.Server.PublicURL = "https://rights.example.org"
	a, stop := apptest.Start(t, cfg)
	conn, err := grpc.NewClient(a.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	admin := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+token)
	api := rdv1.NewCaseServiceClient(conn)
	site := &replica{App: a}
	var (
		people []person
		codes  []string
		names  []string // cases/{id}
	)

	// gRPC.
	p := newPerson(t, "gRPC")
	c := webRequest()
	c.Description = p.text
	c.Requester.Person = &rdv1.Person{Name: p.name, Email: p.email}
	created, err := api.CreateCase(admin, &rdv1.CreateCaseRequest{Case: c})
	if err != nil {
		t.Fatal(err)
	}
	people, names = append(people, p), append(names, created.GetName())
	codes = append(codes, statusTokenOf(t, created))

	// REST, through the gateway.
	p = newPerson(t, "REST")
	body, _ := json.Marshal(map[string]any{
		"notices": []map[string]string{{"notice": "notices/it-service-desk"}}, "channel": "RECEIVED_CHANNEL_WEB",
		"rights":      []map[string]string{{"right": "RIGHT_ACCESS"}},
		"description": p.text,
		"requester":   map[string]any{"person": map[string]string{"name": p.name, "email": p.email}, "relationship": "RELATIONSHIP_SELF"},
	})
	req, _ := http.NewRequestWithContext(t.Context(), "POST", "http://"+a.HTTPAddr()+"/v1/cases", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var rest struct {
		Name        string `json:"name"`
		StatusToken string `json:"statusToken"`
	}
	err = json.NewDecoder(resp.Body).Decode(&rest)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || rest.Name == "" {
		t.Fatalf("REST create: %d, %v", resp.StatusCode, err)
	}
	people, names = append(people, p), append(names, rest.Name)
	if rest.StatusToken != "" {
		codes = append(codes, rest.StatusToken)
	}

	// The public form, then a reply with a document from the status page.
	p = newPerson(t, "the public form")
	answers := map[string]url.Values{}
	for k, v := range formAnswers {
		answers[k] = v
	}
	answers["details"] = url.Values{"full-name": {p.name}, "email": {p.email}}
	answers["find"] = url.Values{"description": {p.text}}
	requester := newWeb(t)
	reference, code, _ := requester.requestThroughTheForm(site, answers)
	people, codes = append(people, p), append(codes, code)
	names = append(names, nameOfReference(t, api, admin, reference))
	document := []byte("%PDF-1.4\n% " + p.note + " passport scan\n%%EOF\n")
	requester.replyFromTheStatusPage(site, reference, code, "Here is my passport.", "passport.pdf", document)

	// Staff intake, signed in on the staff pages.
	p = newPerson(t, "staff intake")
	staff := newWeb(t)
	if status := staff.signIn(site, staffPassword); status != http.StatusSeeOther {
		t.Fatalf("staff sign-in: %d", status)
	}
	form := staff.send("GET", site, "/staff/cases/new", "", nil)
	requestID := regexp.MustCompile(`name="request-id" value="([^"]+)"`).FindStringSubmatch(form.body)
	if form.status != http.StatusOK || requestID == nil {
		t.Fatalf("the intake form: %d", form.status)
	}
	logged := staff.send("POST", site, "/staff/cases/new", "application/x-www-form-urlencoded", strings.NewReader(staff.withToken(form.body, url.Values{
		"request-id": {requestID[1]}, "channel": {"email"}, "received-day": {"2"}, "received-month": {"3"}, "received-year": {"2026"},
		"rights": {"access"}, "description": {p.text}, "relationship": {"self"}, "name": {p.name}, "email": {p.email},
	}).Encode()))
	id, shown := intakeCase.FindStringSubmatch(logged.body), intakeCode.FindStringSubmatch(logged.body)
	if logged.status != http.StatusOK || id == nil || shown == nil {
		t.Fatalf("logging a request at intake: %d, case shown %v, code shown %v", logged.status, id != nil, shown != nil)
	}
	people, codes, names = append(people, p), append(codes, shown[1]), append(names, "cases/"+id[1])

	// A note on each, through the API.
	for i, name := range names {
		if _, err := api.AddNote(admin, &rdv1.AddNoteRequest{Name: name, Text: people[i].note}); err != nil {
			t.Fatal(err)
		}
	}
	// Every case reads back whole through the doors, and is found by its
	// requester's email (a keyed hash in the index).
	for i, name := range names {
		got := getCase(t, api, admin, name)
		if got.GetRequester().GetPerson().GetEmail() != people[i].email || got.GetDescription() != people[i].text {
			t.Errorf("case %d did not read back as made", i+1)
		}
		notes := got.GetNotes()
		if len(notes) == 0 || notes[len(notes)-1].GetText() != people[i].note {
			t.Errorf("case %d lost its note", i+1)
		}
	}
	listed, err := api.ListCases(admin, &rdv1.ListCasesRequest{PageSize: 10})
	if err != nil || len(listed.GetCases()) != len(names) {
		t.Errorf("listing: %d cases, %v; want %d", len(listed.GetCases()), err, len(names))
	}
	awaitEmails(t, relay, 3) // the acknowledgements of the three made as web requests, each with its status code
	stop()

	path := filepath.Join(dir, bolt.FileName)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	backup := backupOf(t, dir)
	sessions := bucketValues(t, dir, store.BucketWebSessions)
	if len(sessions) == 0 {
		t.Error("no web session was stored: the session check would prove nothing")
	}
	documents := filesUnder(t, filepath.Join(dir, "blobs"))
	if len(documents) == 0 {
		t.Error("no document was stored: the document check would prove nothing")
	}
	for i, p := range people {
		for what, v := range p.strings() {
			for where, b := range map[string][]byte{"the database file": raw, "a backup": backup, "the web sessions": sessions, "the document store": documents} {
				if bytes.Contains(b, []byte(v)) {
					t.Errorf("%s holds the %s of requester %d in clear", where, what, i+1)
				}
			}
		}
	}
	for i, code := range codes {
		plain := cases.NormaliseStatusCode(code)
		for _, form := range []string{plain, strings.ToUpper(plain), cases.GroupStatusCode(plain)} {
			for where, b := range map[string][]byte{"the database file": raw, "a backup": backup, "the web sessions": sessions} {
				if bytes.Contains(b, []byte(form)) {
					t.Errorf("%s holds status code %d in clear", where, i+1)
				}
			}
		}
	}
	if bytes.Contains(documents, []byte("passport scan")) {
		t.Error("the document store holds the document in clear")
	}
}

func nameOfReference(t *testing.T, api rdv1.CaseServiceClient, ctx context.Context, reference string) string {
	t.Helper()
	all, err := api.ListCases(ctx, &rdv1.ListCasesRequest{PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range all.GetCases() {
		if c.GetReference() == reference {
			return c.GetName()
		}
	}
	t.Fatalf("no case has the reference %s", reference)
	return ""
}

func statusTokenOf(t *testing.T, c *rdv1.Case) string {
	t.Helper()
	tok := c.GetStatusToken()
	if tok == "" {
		t.Fatal("CreateCase returned no status token")
	}
	return tok
}

func backupOf(t *testing.T, dir string) []byte {
	t.Helper()
	b, err := bolt.Open(dir, bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var out bytes.Buffer
	if _, err := b.Backup(t.Context(), &out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func bucketValues(t *testing.T, dir string, bucket store.Bucket) []byte {
	t.Helper()
	b, err := bolt.Open(dir, bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var all []byte
	err = b.View(t.Context(), func(tx store.ReadTx) error {
		return tx.Scan(bucket, nil, func(k, v []byte) (bool, error) {
			all = append(append(all, k...), v...)
			return true, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func filesUnder(t *testing.T, root string) []byte {
	t.Helper()
	var all []byte
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		all = append(all, b...)
		return err
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return all
}

// A start without a keyring, or with another one, is refused with a
// message that says what to do, and leaves the database file exactly as it
// was; the store's own keyring then starts it.
func TestAStartWithoutTheStoresKeyringChangesNothing(t *testing.T) {
	dir := servedDatabase(t)
	path := filepath.Join(dir, bolt.FileName)
	before := bolttest.SHA256(t, path)
	other, err := keyring.NewKeyring(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for name, tt := range map[string]struct {
		keys store.Keyring
		says []string
	}{
		"no keyring":      {nil, []string{"no keyring", "keys init", "--keyring"}},
		"another keyring": {other, []string{"not the keyring this store was used with", other.Current(), dir}},
	} {
		_, err := app.New(t.Context(), app.Config{DataDir: dir, Server: loopback(), Keyring: tt.keys})
		if err == nil {
			t.Fatalf("%s: the server started", name)
		}
		for _, want := range tt.says {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %q does not say %q", name, err, want)
			}
		}
		if name == "another keyring" && !errors.Is(err, keyring.ErrWrongKeyring) {
			t.Errorf("%s: %v; want ErrWrongKeyring", name, err)
		}
		if bolttest.SHA256(t, path) != before {
			t.Errorf("%s: the refused start changed the database file", name)
		}
	}
	_, stop := apptest.Start(t, app.Config{DataDir: dir})
	stop()
}
