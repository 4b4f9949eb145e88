package staff

import (
	"net/http"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/letters"
	"github.com/rightsdesk/rightsdesk/internal/web"
)

// The response pack of an access case, as the requester will get it, is
// here for staff at any time: the zip to download as a preview, and a
// page to print for a requester who gets their response by post (the
// letter, and the list of documents to print from the zip with it).

// packRPCs are the API calls the pack stands for: it holds the collected
// records as the requester will get them, so who may close the case with
// its response may preview it; a viewer may not.
var packRPCs = []string{"CaseService/GetCase", "CaseService/CloseCase"}

func packURL(caseID string) string      { return caseURL(caseID) + "/response-pack.zip" }
func printableURL(caseID string) string { return caseURL(caseID) + "/response-pack/print" }

// packView is the case page's section on the response pack.
type packView struct {
	ZipHref, PrintHref string
	// Documents are what the pack holds today, besides the letter.
	Documents []packDocumentView
}

type packDocumentView struct {
	Name, Kind, Source, Size, SHA256 string
}

var packKindLabels = map[cases.DocumentKind]string{
	cases.DocumentCollectedRecord: "Collected record, disclosed",
	cases.DocumentRedactedVersion: "Redacted version",
	cases.DocumentResponseLetter:  "Response letter (added by staff)",
}

// packViewOf is the pack section of an access case for a member of staff
// who may preview the pack, else nil.
func packViewOf(c *cases.Case, mayPreview bool) *packView {
	if !c.HasPack() || !mayPreview {
		return nil
	}
	return &packView{ZipHref: packURL(c.ID), PrintHref: printableURL(c.ID), Documents: packDocumentViews(c.PackContents())}
}

func packDocumentViews(docs []cases.Document) []packDocumentView {
	out := make([]packDocumentView, 0, len(docs))
	for _, d := range docs {
		out = append(out, packDocumentView{Name: d.Name, Kind: packKindLabels[d.Kind], Source: d.Source, Size: sizeText(d.Size), SHA256: d.SHA256})
	}
	return out
}

// packPreview sends the response pack as a file to save. Its headers go
// with its first bytes, so a pack that cannot be made at all (no letter
// can be written yet) gets the error page instead.
func (h *handler) packPreview(w http.ResponseWriter, r *http.Request, _ *staffer) {
	out := web.NewMadeAttachment(w, "application/zip", "response-pack-preview-"+r.PathValue("id")+".zip")
	err := h.cfg.Work.WritePack(r.Context(), r.PathValue("id"), out)
	if err != nil && out.Started() {
		h.cfg.Log.ErrorContext(r.Context(), "response pack preview cut short", "case", r.PathValue("id"), "error", err)
	}
	if err := out.Finish(err); err != nil {
		h.render.Fail(w, err)
	}
}

// printableData is the printable pack page's content.
type printableData struct {
	Case      *cases.Case
	Blocks    []letters.Block
	ZipHref   string
	Documents []packDocumentView
}

// printablePack shows the pack for post: the letter to print, and the
// documents to print from the zip and put in the envelope with it.
func (h *handler) printablePack(w http.ResponseWriter, r *http.Request, _ *staffer) {
	p, err := h.cfg.Work.PrintablePack(r.Context(), r.PathValue("id"))
	if err != nil {
		h.render.Fail(w, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	d := printableData{Case: p.Case, Blocks: p.Letter.Blocks(), ZipHref: packURL(p.Case.ID), Documents: packDocumentViews(p.Documents)}
	h.render.Render(w, http.StatusOK, "staff/pack-print", web.View{Title: "Printable response pack – case " + p.Case.Reference, Back: caseURL(p.Case.ID) + "#response-pack", Data: d})
}
