package notify

import (
	"net/mail"
	"net/url"
	"strings"
	"testing"
)

// FuzzParseSMTPURL reads any --smtp-url built from a scheme, credentials,
// host, port and sender. An accepted one names a host and a sender that is
// one plain address; and neither an error nor the name the mailer logs
// ever shows the password.
func FuzzParseSMTPURL(f *testing.F) {
	f.Add("smtp", "relay", "s3cret-Pass", "mail.example.org", "587", "privacy@example.org")
	f.Add("smtps", "", "", "mail.example.org", "", "privacy@example.org")
	f.Add("smtp", "u", "pa%ss", "127.0.0.1", "1025", "a@b.co")
	f.Add("smtp", "u", "hunter22", "[::1]", "0", "a@b.co")
	f.Add("http", "u", "hunter22", "h", "", "Name <a@b.co>")
	f.Add("smtp", "u@x", "p:@/?#[]", "", "99999", "")
	f.Fuzz(func(t *testing.T, scheme, user, password, host, port, from string) {
		raw := scheme + "://"
		if user != "" || password != "" {
			raw += user + ":" + password + "@"
		}
		raw += host
		if port != "" {
			raw += ":" + port
		}
		raw += "?from=" + url.QueryEscape(from)
		m, err := ParseSMTPURL(raw)
		// A password of a few characters may also be part of the host or
		// the sender, which messages do name.
		secret := len(password) >= 6 && !strings.Contains(host+from+scheme+user+port, password)
		if err != nil {
			if secret && strings.Contains(err.Error(), password) {
				t.Fatalf("the error for %q shows the password: %v", raw, err)
			}
			return
		}
		if m.host == "" {
			t.Fatalf("%q is accepted with no host", raw)
		}
		if a, err := mail.ParseAddress(m.from); err != nil || a.Address != m.from {
			t.Fatalf("%q is accepted with sender %q", raw, m.from)
		}
		if secret && strings.Contains(m.String(), password) {
			t.Fatalf("the mailer for %q is named %q, with its password", raw, m.String())
		}
	})
}
