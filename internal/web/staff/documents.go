package staff

import (
	"fmt"
	"io"
	"net/http"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// Documents of a case (the requester's proof of identity or authority,
// collected records, redacted versions) are listed on the case page and
// downloaded here, by staff only: the public site has no route to them.

// documentRPCs are the API calls the download stands for: who may act on a
// requester's reply may read what came with it. (The API does not serve
// documents' bytes; a viewer sees the list, not the documents.)
var documentRPCs = []string{"CaseService/GetCase", "CaseService/RecordRequesterResponse"}

func documentURL(caseID, fileID string) string { return caseURL(caseID) + "/documents/" + fileID }

// document streams one document as an attachment, never shown inline: the
// bytes are the requester's, and only their first few were checked.
func (h *handler) document(w http.ResponseWriter, r *http.Request, _ *staffer) {
	rc, f, err := h.cfg.Work.Document(r.Context(), r.PathValue("id"), r.PathValue("file"))
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	defer rc.Close()
	web.Attachment(w, f.MediaType, f.Name, f.Size)
	if _, err := io.Copy(web.Download(w), rc); err != nil {
		h.cfg.Log.ErrorContext(r.Context(), "document download failed part way", "case", r.PathValue("id"), "document", f.ID, "error", err)
	}
}

// fileView is one document as the case page lists it.
type fileView struct {
	Name, Type, Size, Received, Href string
}

func fileViews(caseID string, files []cases.File, canDownload bool) []fileView {
	out := make([]fileView, 0, len(files))
	for _, f := range files {
		v := fileView{Name: f.Name, Type: mediaLabel(f.MediaType), Size: sizeText(f.Size), Received: web.LongDate(f.ReceivedOn)}
		if canDownload {
			v.Href = documentURL(caseID, f.ID)
		}
		out = append(out, v)
	}
	return out
}

func mediaLabel(media string) string {
	switch media {
	case cases.MediaPDF:
		return "PDF"
	case cases.MediaJPEG:
		return "JPEG"
	case cases.MediaPNG:
		return "PNG"
	}
	return media
}

// sizeText writes a size as GOV.UK style does: 240KB, 1.2MB.
func sizeText(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%dKB", (n+1<<9)>>10)
	}
	return fmt.Sprintf("%.1fMB", float64(n)/(1<<20))
}
