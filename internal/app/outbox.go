package app

import (
	"context"
	"net/url"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/notify"
	"github.com/rightsdesk/rightsdesk/internal/server"
)

// outboxMailer is the relay the outbox sends letters through, from
// --smtp-url; nil when none is configured, and then no letter is queued.
func outboxMailer(cfg server.Config) (*notify.Mailer, error) {
	if cfg.SMTPURL == "" {
		return nil, nil
	}
	m, err := notify.ParseSMTPURL(cfg.SMTPURL)
	if err != nil {
		return nil, err
	}
	cfg.Logger.Info("letters to requesters by email on", "relay", m.String())
	return m, nil
}

// publicURL is the public pages' address as the doors will serve it: the
// configured one, or else http:// and the bound HTTP address.
func publicURL(cfg server.Config, lis server.Listeners) string {
	if cfg.PublicURL != "" {
		return strings.TrimSuffix(cfg.PublicURL, "/")
	}
	return "http://" + lis.HTTP.Addr().String()
}

// mailSender sends the outbox's letters by email. A letter's id becomes
// its Message-ID, so every attempt at one letter carries the same one.
type mailSender struct {
	m      *notify.Mailer
	domain string
}

func newMailSender(m *notify.Mailer, publicURL string) mailSender {
	domain := "rightsdesk.invalid"
	if u, err := url.Parse(publicURL); err == nil && u.Hostname() != "" {
		domain = u.Hostname()
	}
	return mailSender{m: m, domain: domain}
}

func (s mailSender) Send(ctx context.Context, l casework.Letter) error {
	return s.m.Send(ctx, notify.Message{To: l.To, Subject: l.Subject, Text: l.Text, HTML: l.HTML, MessageID: l.ID + "@" + s.domain})
}
