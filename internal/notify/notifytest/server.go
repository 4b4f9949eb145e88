package notifytest

import (
	"errors"
	"io"
	"log"
	"net"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// Message is one email as the server received it.
type Message struct {
	From string
	To   []string
	Data string // headers and body, as sent
}

// Server is a running SMTP server.
type Server struct {
	// Addr is its host:port on 127.0.0.1.
	Addr string

	mu       sync.Mutex
	messages []Message
	refusals int
	code     int
}

// RefuseNext makes the server refuse the next n messages with the SMTP
// reply code (4xx: try again later; 5xx: never), as a relay that is down
// or that rejects a recipient does. Refused messages are not kept.
func (s *Server) RefuseNext(n, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refusals, s.code = n, code
}

// refusal is the error for a message the server refuses, or nil.
func (s *Server) refusal() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refusals == 0 {
		return nil
	}
	s.refusals--
	return &smtp.SMTPError{Code: s.code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: "refused by the test server"}
}

// Start runs a server until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: l.Addr().String()}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{server: s}, nil }))
	srv.Domain = "localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		_ = srv.Close()
		if err := <-done; err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			t.Errorf("SMTP server: %v", err)
		}
	})
	return s
}

// Messages returns what has been delivered so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

type session struct {
	server *Server
	msg    Message
}

func (s *session) Reset()        { s.msg = Message{} }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.msg.From = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.msg.To = append(s.msg.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if err := s.server.refusal(); err != nil {
		return err
	}
	s.msg.Data = string(data)
	s.server.mu.Lock()
	s.server.messages = append(s.server.messages, s.msg)
	s.server.mu.Unlock()
	return nil
}
