package notify_test

import (
	"context"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/notify"
	"github.com/rightsdesk/rightsdesk/internal/notify/notifytest"
)

func TestParseSMTPURLRefusesWhatCannotWork(t *testing.T) {
	for raw, want := range map[string]string{
		"smtp://mail.example.org:587":                      "from=",
		"smtp://mail.example.org?from=not-an-address":      "from=",
		"http://mail.example.org?from=a@example.org":       "scheme",
		"smtp://?from=a@example.org":                       "host",
		"smtp://mail.example.org:99999?from=a@example.org": "port",
	} {
		_, err := notify.ParseSMTPURL(raw)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSMTPURL(%q) = %v, want an error about %q", raw, err, want)
		}
	}
	m, err := notify.ParseSMTPURL("smtps://user:secret@mail.example.org?from=privacy@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if s := m.String(); strings.Contains(s, "secret") || !strings.Contains(s, "mail.example.org") {
		t.Errorf("String() = %q: want the host and never the password", s)
	}
}

func TestSendDeliversPlainText(t *testing.T) {
	relay := notifytest.Start(t)
	m, err := notify.ParseSMTPURL("smtp://" + relay.Addr + "?from=privacy@example.org")
	if err != nil {
		t.Fatal(err)
	}
	err = m.Send(context.Background(), notify.Message{To: "ada@example.org", Subject: "Your request RD-2345-6789", Text: "Reference: RD-2345-6789\n"})
	if err != nil {
		t.Fatal(err)
	}
	got := relay.Messages()
	if len(got) != 1 {
		t.Fatalf("relay got %d messages, want 1", len(got))
	}
	msg := got[0]
	if msg.From != "privacy@example.org" || len(msg.To) != 1 || msg.To[0] != "ada@example.org" {
		t.Errorf("envelope from %q to %q", msg.From, msg.To)
	}
	for _, want := range []string{"Subject: Your request RD-2345-6789", "text/plain", "Reference: RD-2345-6789"} {
		if !strings.Contains(msg.Data, want) {
			t.Errorf("message lacks %q:\n%s", want, msg.Data)
		}
	}
}

func TestSendReportsARelayThatIsNotThere(t *testing.T) {
	m, err := notify.ParseSMTPURL("smtp://127.0.0.1:1?from=privacy@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Send(context.Background(), notify.Message{To: "ada@example.org", Subject: "s", Text: "t"}); err == nil {
		t.Error("sending through a closed port succeeded")
	}
}
