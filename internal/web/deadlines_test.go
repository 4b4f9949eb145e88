package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/web"
)

// TestDownloadOutlivesTheWriteTimeout serves a response that takes four
// times the server's write timeout, as a large export on a slow link does:
// through web.Download all of it arrives; written plainly it is cut off.
func TestDownloadOutlivesTheWriteTimeout(t *testing.T) {
	const (
		writeTimeout = 200 * time.Millisecond
		chunks       = 8
		chunk        = 4 << 10
	)
	for _, tt := range []struct {
		name     string
		writer   func(http.ResponseWriter) io.Writer
		complete bool
	}{
		{"through Download", web.Download, true},
		{"plainly", func(w http.ResponseWriter) io.Writer { return w }, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				out := tt.writer(w)
				for range chunks {
					time.Sleep(writeTimeout / 2)
					if _, err := out.Write(make([]byte, chunk)); err != nil {
						return
					}
					_ = http.NewResponseController(w).Flush() // a cut connection shows in what arrives
				}
			}))
			srv.Config.WriteTimeout = writeTimeout
			srv.Start()
			defer srv.Close()
			resp, err := http.Get(srv.URL)
			var n int64
			if err == nil {
				n, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			}
			if got := n == chunks*chunk; got != tt.complete {
				t.Errorf("%d of %d bytes arrived (error %v); want all: %v", n, chunks*chunk, err, tt.complete)
			}
		})
	}
}
