package casework

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/blob"
	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/letters"
	"github.com/rightsdesk/rightsdesk/internal/pack"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// The response pack is made whenever it is asked for, from the case as it
// stands: the documents cases.Case.PackContents names, read (and unsealed)
// from the document store, and the response letter. Nothing is stored, so
// a preview and the requester's download are the same pack for the same
// case on the same day.

var _ usecase.PackWriter = (*Service)(nil)

// packKindWords are the kinds of document a pack holds, as the requester's
// index names them.
var packKindWords = map[cases.DocumentKind]string{
	cases.DocumentCollectedRecord: "Information we hold about you",
	cases.DocumentRedactedVersion: "Information we hold about you, with some parts removed (our letter says why)",
	cases.DocumentResponseLetter:  "Letter",
}

// WritePack writes the response pack of case id to w, as a zip. Before
// anything is written it fails as a fault.NotFound (no such case), or a
// fault.FailedPrecondition (no letters are written here, the letter
// cannot be written yet, or the pack is over its limits); once writing
// has begun, a document missing from the store or not matching what the
// case recorded fails it part way, and the caller must not pass off what
// was written as a pack.
func (s *Service) WritePack(ctx context.Context, caseID string, w io.Writer) error {
	p, c, err := s.packOf(ctx, caseID)
	if err != nil {
		return err
	}
	_, err = pack.Write(w, p)
	if errors.Is(err, pack.ErrTooLarge) {
		return &fault.FailedPrecondition{Subject: c.Name(), Description: "the response pack is too large to download: " + err.Error() + "; send the documents another way"}
	}
	return err
}

// PrintablePack is the response pack of case id for post: the letter and
// the documents printed with it.
func (s *Service) PrintablePack(ctx context.Context, caseID string) (*usecase.PrintablePack, error) {
	c, l, err := s.packCase(ctx, caseID)
	if err != nil {
		return nil, err
	}
	return &usecase.PrintablePack{Case: c, Letter: l, Documents: c.PackContents()}, nil
}

// packCase reads case id, which must be one with a response pack, and
// writes its pack's letter.
func (s *Service) packCase(ctx context.Context, caseID string) (c *cases.Case, l letters.Letter, err error) {
	err = s.store.View(ctx, func(tx store.ReadTx) (err error) {
		if c, err = s.load(tx, caseID); err != nil {
			return err
		}
		if !c.HasPack() {
			return &fault.FailedPrecondition{Subject: c.Name(), Description: "only an access request has a response pack"}
		}
		l, err = s.responseLetter(tx, c)
		return err
	})
	return c, l, err
}

// packOf reads what case id's pack is made of; the documents are opened
// as the pack is written.
func (s *Service) packOf(ctx context.Context, caseID string) (pack.Pack, *cases.Case, error) {
	c, l, err := s.packCase(ctx, caseID)
	if err != nil {
		return pack.Pack{}, nil, err
	}
	contents := c.PackContents()
	if len(contents) > 0 && s.documents == nil {
		return pack.Pack{}, nil, &fault.FailedPrecondition{Subject: c.Name(), Description: "the pack's documents cannot be read here: no document store is set up"}
	}
	pdf, err := letters.DownloadPDF(l)
	if err != nil {
		return pack.Pack{}, nil, &fault.FailedPrecondition{Subject: c.Name(), Description: err.Error()}
	}
	p := pack.Pack{
		Reference: c.Reference, Made: s.clock.Now().UTC().Truncate(time.Second),
		Letter: pack.Letter{Subject: l.Subject, From: l.From.Name, HTML: []byte(l.HTML), PDF: pdf},
	}
	for _, d := range contents {
		p.Documents = append(p.Documents, pack.Document{
			Name: d.Name, Kind: packKindWords[d.Kind], Source: sourceOf(c, d), Size: d.Size, SHA256: d.SHA256,
			Open: func() (io.ReadCloser, error) { return s.openDocument(ctx, c, d) },
		})
	}
	return p, c, nil
}

// sourceOf is where a document in the pack came from: for a redacted
// version, where its original did.
func sourceOf(c *cases.Case, d cases.Document) string {
	if original, ok := c.Document(d.RedactionOf); ok && d.Source == "" {
		return original.Source
	}
	return d.Source
}

// openDocument opens a document of the pack, unsealed.
func (s *Service) openDocument(ctx context.Context, c *cases.Case, d cases.Document) (io.ReadCloser, error) {
	rc, _, err := s.documents.Get(ctx, d.Key)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, &fault.NotFound{Resource: "document", Name: c.Name() + "/documents/" + d.ID, Detail: "the case lists it, but the document store no longer holds it"}
	}
	return rc, err
}

// responseLetter is the letter of c's pack: once the case is closed, the
// response it sent (as kept, in staff's words if they edited it), or the
// letter its close calls for; before that, the response letter the close
// the pack stands for would send (cases.Case.ResponseOutcome), written
// from a copy of the case that is thrown away.
func (s *Service) responseLetter(tx store.ReadTx, c *cases.Case) (letters.Letter, error) {
	if s.letters == nil {
		return letters.Letter{}, &fault.FailedPrecondition{Subject: c.Name(), Description: "letters are not written on this server (no relay is configured), so the pack has no letter"}
	}
	if l, ok, err := s.sentResponse(tx, c); ok || err != nil {
		return l, err
	}
	draft := *c
	outcome := c.ResponseOutcome(s.env("").Today().String())
	draft.Outcome = &outcome
	kind, ok := letters.ClosingKind(outcome.Kind)
	if !ok {
		return letters.Letter{}, &fault.FailedPrecondition{Subject: c.Name(), Description: "a case closed as " + string(outcome.Kind) + " sends no response letter"}
	}
	return s.letters.Write(kind, letters.Facts{Case: &draft, Notice: noticesIn(tx), On: outcome.ClosedOn})
}

// sentResponse is the response letter a closed case sent, as kept, and
// false when it sent none.
func (s *Service) sentResponse(tx store.ReadTx, c *cases.Case) (letters.Letter, bool, error) {
	if c.Outcome == nil {
		return letters.Letter{}, false, nil
	}
	i := len(c.Messages) - 1
	for ; i >= 0; i-- { // the latest: a case reopened and closed again sent another
		if m := c.Messages[i]; m.Kind == cases.KindResponse && m.Direction == cases.DirectionOut {
			break
		}
	}
	if i < 0 {
		return letters.Letter{}, false, nil
	}
	m := c.Messages[i]
	body, err := store.GetMessageBody(tx, c.ID, m.ID)
	if err != nil {
		return letters.Letter{}, false, err
	}
	return letters.Letter{
		Kind: letters.KindResponse, Template: m.Template, TemplateVersion: m.TemplateVersion, Reference: c.Reference, Date: m.On,
		To: letters.Addressee{Name: c.Requester.Person.Name}, From: s.letters.Organisation(),
		Subject: body.Subject, Text: body.Text, HTML: body.HTML, Edited: m.Edited,
	}, true, nil
}
