package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Mailer sends email through one SMTP relay.
type Mailer struct {
	host    string
	from    string
	options []gomail.Option
	timeout time.Duration
}

// Message is one email: plain text, with an HTML alternative when HTML is
// set. MessageID, when set, is the Message-ID header (without the angle
// brackets): a letter sent twice with the same one is recognisably one
// letter to the mail systems that deduplicate on it.
type Message struct {
	To        string
	Subject   string
	Text      string
	HTML      string
	MessageID string
}

// RefusedError is a relay's permanent refusal (an SMTP 5xx reply): sending
// the same message again will fail again.
type RefusedError struct {
	Code int
	Err  error
}

func (e *RefusedError) Error() string { return e.Err.Error() }
func (e *RefusedError) Unwrap() error { return e.Err }

// Permanent reports that trying again cannot help.
func (e *RefusedError) Permanent() bool { return true }

// ParseSMTPURL reads a relay address of the form
//
//	smtp://[user:password@]host[:port]?from=address     (STARTTLS, port 587)
//	smtps://[user:password@]host[:port]?from=address    (TLS from the start, port 465)
//
// smtp:// insists on STARTTLS, so a password is never sent in clear, except
// to a relay on a loopback address (a local mail catcher), where it is
// used only if offered.
func ParseSMTPURL(raw string) (*Mailer, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// Not wrapped: url.Parse's error quotes the whole address, password
		// and all, and an invalid escape quotes part of it.
		return nil, errors.New("--smtp-url is not a URL: percent-encode any of : / ? # [ ] @ % in the user name or password")
	}
	from := u.Query().Get("from")
	if a, err := mail.ParseAddress(from); err != nil || a.Address != from {
		return nil, fmt.Errorf("--smtp-url: add ?from=ADDRESS, the address emails are sent from (got %q)", from)
	}
	host := u.Hostname()
	if host == "" {
		return nil, errors.New("--smtp-url: the relay's host name is missing")
	}
	m := &Mailer{host: host, from: from, timeout: 15 * time.Second}
	port := 587
	switch u.Scheme {
	case "smtp":
		policy := gomail.TLSMandatory
		if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
			policy = gomail.TLSOpportunistic
		}
		m.options = append(m.options, gomail.WithTLSPolicy(policy))
	case "smtps":
		port = 465
		m.options = append(m.options, gomail.WithSSL())
	default:
		return nil, fmt.Errorf("--smtp-url: scheme %q: want smtp:// or smtps://", u.Scheme)
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port < 1 || port > 65535 {
			return nil, fmt.Errorf("--smtp-url: port %q is not a port number", p)
		}
	}
	m.options = append(m.options, gomail.WithPort(port), gomail.WithTimeout(m.timeout))
	if u.User != nil {
		password, _ := u.User.Password()
		m.options = append(m.options, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(u.User.Username()), gomail.WithPassword(password))
	}
	return m, nil
}

// String names the relay without its credentials, for logs.
func (m *Mailer) String() string { return fmt.Sprintf("%s (from %s)", m.host, m.from) }

// Send delivers one message, giving up after the mailer's timeout.
func (m *Mailer) Send(ctx context.Context, msg Message) error {
	email := gomail.NewMsg()
	if err := email.From(m.from); err != nil {
		return fmt.Errorf("email sender: %w", err)
	}
	if err := email.To(msg.To); err != nil {
		return fmt.Errorf("email recipient: %w", err)
	}
	email.Subject(msg.Subject)
	email.SetDate()
	if msg.MessageID != "" {
		email.SetMessageIDWithValue(msg.MessageID)
	} else {
		email.SetMessageID()
	}
	email.SetBodyString(gomail.TypeTextPlain, msg.Text)
	if msg.HTML != "" {
		email.AddAlternativeString(gomail.TypeTextHTML, msg.HTML)
	}
	client, err := gomail.NewClient(m.host, m.options...)
	if err != nil {
		return fmt.Errorf("email client for %s: %w", m.host, err)
	}
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	if err := client.DialAndSendWithContext(ctx, email); err != nil {
		var refused *gomail.SendError
		if errors.As(err, &refused) && refused.ErrorCode() >= 500 && refused.ErrorCode() < 600 {
			err = &RefusedError{Code: refused.ErrorCode(), Err: err}
		}
		return fmt.Errorf("send email through %s: %w", m.host, err)
	}
	return nil
}
