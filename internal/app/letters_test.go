package app_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/app/apptest"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/notice/catalogue"
	"github.com/rightsdesk/rightsdesk/internal/notify/notifytest"
)

// brokenTemplates is an override directory whose withdrawn letter names
// a field its data does not have.
func brokenTemplates(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	text := "# Your request {{.Reference}} is closed\n\nDear {{.To.Nmae}},\n\n{{template \"sign-off\" .}}\n"
	if err := os.WriteFile(filepath.Join(dir, "withdrawn.tmpl"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A mistake in the organisation's templates is found before anything is
// bound or created, and the message names the file and the field.
func TestABrokenTemplateOverrideStopsTheStartAndCreatesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	cfg := app.Config{DataDir: dir, Server: loopback(), Templates: brokenTemplates(t), Keyring: apptest.Keyring(t, dir)}
	_, err := app.New(t.Context(), cfg)
	if err == nil || !strings.Contains(err.Error(), "--templates") || !strings.Contains(err.Error(), "withdrawn.tmpl") || !strings.Contains(err.Error(), "Nmae") {
		t.Fatalf("start with a broken override: %v; want the flag, the file and the field named", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the refused start left %s behind (%v)", dir, err)
	}
}

// Letters must say how to reach the organisation. With a relay to send
// them, an organisation with no contact (none configured, none its
// notices agree on) stops the start naming the flags; without a relay no
// letter is sent, and it starts.
func TestAnOrganisationRequestersCannotReachMayNotSendLetters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	cfg := app.Config{DataDir: dir, Server: loopback(), Catalogue: []notice.Notice{}, Keyring: apptest.Keyring(t, dir)}
	cfg.Server.SMTPURL = "smtp://127.0.0.1:1?from=privacy@example.org"
	_, err := app.New(t.Context(), cfg)
	if err == nil || !strings.Contains(err.Error(), "--contact-email") || !strings.Contains(err.Error(), "--smtp-url") {
		t.Fatalf("start with a relay and no contact: %v; want the contact flags named", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the refused start left %s behind (%v)", dir, err)
	}

	cfg.Server.Contact.Phone = "0100 000 0000"
	apptest.Start(t, cfg) // a phone number is enough

	cfg.Server.Contact.Phone, cfg.Server.SMTPURL, cfg.DataDir = "", "", t.TempDir()
	apptest.Start(t, cfg) // no relay: no letters to write
}

// The whole life of a request as the requester sees it, over the API and
// through the relay: the acknowledgement of a public request, the identity
// request, the extension notice and the response each arrive once, written
// from the built-in templates with the organisation's contact taken from
// what the catalogue's notices agree on.
func TestEveryLetterOfARequestReachesTheRequesterOnce(t *testing.T) {
	relay, client, ctx := servedWithRelay(t)

	emails := func(n int) []notifytest.Message { t.Helper(); return awaitEmails(t, relay, n) }
	subjectOf := func(m notifytest.Message) string {
		for line := range strings.Lines(m.Data) {
			if s, ok := strings.CutPrefix(line, "Subject: "); ok {
				return strings.TrimSpace(s)
			}
		}
		return ""
	}

	c, err := client.CreateCase(ctx, &rdv1.CreateCaseRequest{Case: webRequest()})
	if err != nil {
		t.Fatal(err)
	}
	ack := strings.ReplaceAll(emails(1)[0].Data, "=\r\n", "")
	ns, err := catalogue.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{c.GetReference(), "https://rights.example.org/status", controllerAddress(t, ns)} {
		if !strings.Contains(ack, want) {
			t.Errorf("the acknowledgement lacks %q:\n%s", want, ack)
		}
	}

	if c, err = client.RequestIdentity(ctx, &rdv1.RequestIdentityRequest{Name: c.GetName(), Etag: c.GetEtag(), Detail: "A copy of your staff pass."}); err != nil {
		t.Fatal(err)
	}
	emails(2)
	if c, err = client.RecordRequesterResponse(ctx, &rdv1.RecordRequesterResponseRequest{Name: c.GetName(), Etag: c.GetEtag()}); err != nil {
		t.Fatal(err)
	}
	if c, err = client.ExtendCase(ctx, &rdv1.ExtendCaseRequest{Name: c.GetName(), Etag: c.GetEtag(), Reason: "Records are held in four systems.", Months: 2}); err != nil {
		t.Fatal(err)
	}
	emails(3)
	// The letters are under test, not the closure guard-rails: the
	// administrator closes past them.
	if _, err = client.CloseCase(ctx, &rdv1.CloseCaseRequest{Name: c.GetName(), Etag: c.GetEtag(), Outcome: rdv1.OutcomeKind_OUTCOME_KIND_FULFILLED,
		OverrideReason: "letters test: the pack and the extension notice task are not under test"}); err != nil {
		t.Fatal(err)
	}
	msgs := emails(4)
	time.Sleep(100 * time.Millisecond) // time for a second send, were there one
	if n := len(relay.Messages()); n != 4 {
		t.Fatalf("the relay has %d emails, want each of the 4 letters once", n)
	}
	want := []string{"We have received your request", "We need to confirm who you are", "We need more time to reply to your request"}
	for i, m := range msgs {
		if m.To[0] != "ada@example.org" {
			t.Errorf("email %d went to %v", i+1, m.To)
		}
		if i < len(want) && subjectOf(m) != want[i] {
			t.Errorf("email %d is %q, want %q", i+1, subjectOf(m), want[i])
		}
	}
	if data := strings.ReplaceAll(msgs[3].Data, "=\r\n", ""); !strings.Contains(data, c.GetReference()) || subjectOf(msgs[3]) == "" {
		t.Errorf("the response lacks its reference or subject:\n%s", data)
	}
}

// controllerAddress is the controller's postal address every built-in
// notice that gives one agrees on.
func controllerAddress(t *testing.T, ns []notice.Notice) string {
	t.Helper()
	address := ""
	for i := range ns {
		a := ns[i].Current().Controller.Address
		if a != "" && address != "" && a != address {
			t.Fatalf("the built-in notices disagree on the controller's address: %q, %q", a, address)
		}
		if a != "" {
			address = a
		}
	}
	if address == "" {
		t.Fatal("no built-in notice gives the controller's address")
	}
	return address
}
