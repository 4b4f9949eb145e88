package letters

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// A posted letter is A4, folded in three into a DL window envelope: the
// addressee's block sits where the window shows it (20 mm from the left,
// 50 mm from the top, 85 by 40 mm), the organisation's own address block
// at the top right, the date and reference beneath it, and the text below
// the fold line. Every page carries the reference and its number, so a
// page that comes loose can be put back. The Go fonts (x/image, BSD
// licence) are embedded, subset, so any name the requester writes prints
// as written, whatever alphabet it uses, on a machine with no fonts.

// Measurements, in millimetres.
const (
	pageMargin   = 20.0
	senderX      = 115.0
	senderY      = 15.0
	senderWidth  = 75.0
	windowX      = 20.0
	windowY      = 50.0
	windowWidth  = 85.0
	windowHeight = 40.0
	addressLine  = 5.0
	bodyY        = 100.0
	bodyLine     = 5.5
	footerY      = -12.0
	pageBottom   = 22.0
)

// windowLines is how many lines of an address the window shows.
var windowLines = int(windowHeight / addressLine)

const font = "go"

// PDF renders the letter for post. It needs the addressee's postal
// address and the organisation's; the same letter gives the same bytes.
func PDF(l Letter) ([]byte, error) {
	to := append([]string{l.To.Name}, l.To.PostalAddress...)
	switch {
	case len(l.To.PostalAddress) == 0:
		return nil, fmt.Errorf("letter %s (%s): a posted letter needs the addressee's postal address", l.Reference, l.Kind)
	case len(to) > windowLines:
		return nil, fmt.Errorf("letter %s: the name and postal address take %d lines; an envelope window shows %d", l.Reference, len(to), windowLines)
	case len(l.From.AddressLines()) == 0:
		return nil, fmt.Errorf("letter %s: a posted letter needs the organisation's postal address (letters.Organisation.Address)", l.Reference)
	}
	return render(l, to)
}

// DownloadPDF renders the letter as a PDF for a requester who downloads
// it (the response pack) rather than receives it by post: the same page,
// with only their name where the envelope's window would show the address,
// and neither postal address required.
func DownloadPDF(l Letter) ([]byte, error) {
	return render(l, []string{l.To.Name})
}

// render lays the letter out with to in the envelope's window.
func render(l Letter, to []string) ([]byte, error) {
	date, err := time.Parse(time.DateOnly, l.Date)
	if err != nil {
		return nil, fmt.Errorf("letter %s: date %q: %w", l.Reference, l.Date, err)
	}

	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(date)
	pdf.SetModificationDate(date)
	pdf.SetCatalogSort(true)
	pdf.SetTitle(l.Subject, true)
	pdf.SetAuthor(l.From.Name, true)
	pdf.SetCreator("Rightsdesk", true)
	pdf.SetLang("en-GB")
	pdf.AddUTF8FontFromBytes(font, "", goregular.TTF)
	pdf.AddUTF8FontFromBytes(font, "B", gobold.TTF)
	pdf.SetMargins(pageMargin, pageMargin, pageMargin)
	pdf.SetAutoPageBreak(true, pageBottom)
	pdf.AliasNbPages("{pages}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(footerY)
		pdf.SetFont(font, "", 8)
		pdf.CellFormat(0, 4, fmt.Sprintf("Our reference %s · Page %d of {pages}", l.Reference, pdf.PageNo()), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()

	block := func(x, y, w float64, lines []string, boldFirst bool) float64 {
		pdf.SetXY(x, y)
		for i, line := range lines {
			style := ""
			if i == 0 && boldFirst {
				style = "B"
			}
			pdf.SetFont(font, style, 10)
			pdf.SetX(x)
			pdf.MultiCell(w, addressLine-0.5, line, "", "L", false)
		}
		return pdf.GetY()
	}
	sender := append([]string{l.From.Name}, l.From.AddressLines()...)
	for _, c := range []struct{ label, value string }{{"Email", l.From.Email}, {"Phone", l.From.Phone}, {"Web", l.From.Web}} {
		if c.value != "" {
			sender = append(sender, c.label+": "+c.value)
		}
	}
	y := block(senderX, senderY, senderWidth, sender, true)
	block(senderX, max(y+4, windowY+windowHeight-2*addressLine), senderWidth,
		[]string{"Date: " + longDate(l.Date), "Our reference: " + l.Reference}, false)

	pdf.SetXY(windowX, windowY)
	pdf.SetFont(font, "", 11)
	for _, line := range to {
		pdf.SetX(windowX)
		pdf.CellFormat(windowWidth, addressLine, line, "", 1, "L", false, 0, "")
	}

	pdf.SetXY(pageMargin, bodyY)
	writeBlocks(pdf, parseBlocks(l.Text))

	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		return nil, fmt.Errorf("letter %s: PDF: %w", l.Reference, err)
	}
	return out.Bytes(), nil
}

// headingSizes are the point sizes of the four heading levels.
var headingSizes = map[string]float64{blockHeading1: 15, blockHeading2: 13, blockHeading3: 11.5, blockHeading4: 11}

func writeBlocks(pdf *fpdf.Fpdf, blocks []Block) {
	const (
		bullet = "•"
		indent = 6.0
	)
	for _, b := range blocks {
		switch b.Kind {
		case blockParagraph:
			pdf.SetFont(font, "", 11)
			pdf.MultiCell(0, bodyLine, b.Text, "", "L", false)
		case blockList:
			pdf.SetFont(font, "", 11)
			for _, item := range b.Items {
				// Keep the bullet with the first line of its item.
				if pdf.GetY()+bodyLine > 297-pageBottom {
					pdf.AddPage()
				}
				y := pdf.GetY()
				pdf.SetX(pageMargin)
				pdf.CellFormat(indent, bodyLine, bullet, "", 0, "L", false, 0, "")
				pdf.SetXY(pageMargin+indent, y)
				pdf.MultiCell(0, bodyLine, item, "", "L", false)
				pdf.SetY(pdf.GetY() + 1)
			}
		default:
			// Keep a heading with at least two lines of what follows.
			if pdf.GetY()+3*bodyLine > 297-pageBottom {
				pdf.AddPage()
			}
			pdf.SetY(pdf.GetY() + 2)
			pdf.SetFont(font, "B", headingSizes[b.Kind])
			pdf.MultiCell(0, bodyLine+1, strings.TrimSpace(b.Text), "", "L", false)
		}
		pdf.SetY(pdf.GetY() + 2.5)
	}
}
