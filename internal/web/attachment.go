package web

import (
	"io"
	"mime"
	"net/http"
	"strconv"
)

// Attachment sets the headers of a download that must be saved, never
// shown or sniffed in the browser, nor kept in a cache: what the site sends
// as files is personal data. A negative size leaves the length out, for a
// file made as it is sent.
func Attachment(w http.ResponseWriter, mediaType, name string, size int64) {
	hd := w.Header()
	hd.Set("Content-Type", mediaType)
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	if size >= 0 {
		hd.Set("Content-Length", strconv.FormatInt(size, 10))
	}
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("Cache-Control", "no-store")
}

// MadeAttachment is a download made as it is sent (a zip written from the
// documents): its headers go with its first bytes, so a file that cannot be
// made at all still gets an error page, and each write has StallTimeout
// (Download). Write into it, then call Finish with the result.
type MadeAttachment struct {
	w         http.ResponseWriter
	mediaType string
	name      string
	body      io.Writer
}

// NewMadeAttachment is a download of a file called name.
func NewMadeAttachment(w http.ResponseWriter, mediaType, name string) *MadeAttachment {
	return &MadeAttachment{w: w, mediaType: mediaType, name: name}
}

func (a *MadeAttachment) start() {
	Attachment(a.w, a.mediaType, a.name, -1)
	a.w.WriteHeader(http.StatusOK)
	a.body = Download(a.w)
}

func (a *MadeAttachment) Write(p []byte) (int, error) {
	if a.body == nil {
		a.start()
	}
	return a.body.Write(p)
}

// Finish ends the download with the result of making it. It returns err
// when nothing was sent yet, for the caller to show an error page. Once
// bytes are gone it cuts the connection instead, through net/http's
// ErrAbortHandler, so the browser shows the download failed rather than
// saving a truncated file; the caller logs err before calling Finish.
func (a *MadeAttachment) Finish(err error) error {
	switch {
	case err != nil && a.body == nil:
		return err
	case err != nil:
		panic(http.ErrAbortHandler)
	case a.body == nil: // an empty file
		a.start()
	}
	return nil
}

// Started reports whether the download's headers were sent.
func (a *MadeAttachment) Started() bool { return a.body != nil }
