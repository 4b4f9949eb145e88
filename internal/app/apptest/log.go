package apptest

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
)

// Log collects what a server logs, for a test to read while it runs.
type Log struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Logger returns a logger that writes to l.
func (l *Log) Logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Errors reports whether anything was logged at level ERROR: a failure of
// ours, which no refusal of bad input may be.
func (l *Log) Errors() bool { return strings.Contains(l.String(), "level=ERROR") }
