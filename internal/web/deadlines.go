package web

import (
	"errors"
	"io"
	"net/http"
	"time"
)

// The server's read and write timeouts (internal/server's Limits) bound a
// whole request and a whole response, which suits pages and forms. A
// download or an upload has no such bound on its size, so its handler moves
// the connection's deadline itself with an http.ResponseController: long
// transfers go on while bytes move, and a client that stops moving them
// loses its connection. These deadlines are on the network connection, so
// they are measured on the machine's clock, never the injected one.

// StallTimeout is how long a download may wait on a client that reads
// nothing before its connection is closed.
const StallTimeout = time.Minute

// Download is w for a response of any length: each write has StallTimeout
// to reach the client, however long the whole response takes.
func Download(w http.ResponseWriter) io.Writer {
	return &downloadWriter{w: w, rc: http.NewResponseController(w)}
}

type downloadWriter struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

func (d *downloadWriter) Write(p []byte) (int, error) {
	if err := d.rc.SetWriteDeadline(time.Now().Add(StallTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return 0, err
	}
	return d.w.Write(p)
}

// slowestUpload is the slowest uplink a form with files is read at in
// full: 64 KiB/s, a poor mobile connection.
const slowestUpload = 64 << 10

// AllowSlowBody gives the request's body, of at most limit bytes, time to
// arrive over a slow uplink: a minute plus its length at slowestUpload.
// Only the pages taking documents call it, and only what the client
// declares (or else the limit) earns the time.
func AllowSlowBody(w http.ResponseWriter, r *http.Request, limit int64) {
	size := limit
	if r.ContentLength >= 0 && r.ContentLength < limit {
		size = r.ContentLength
	}
	allow := time.Minute + time.Duration(size/slowestUpload)*time.Second
	// Not supported only under a test recorder, which has no connection.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(allow))
}
