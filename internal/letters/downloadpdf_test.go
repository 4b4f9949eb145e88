package letters_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/letters"
)

// A letter downloaded in the response pack is a PDF of the same words
// with neither postal address: the requester's name in the window, the
// organisation's name and email at the top.
func TestDownloadPDFNeedsNoPostalAddress(t *testing.T) {
	ns := builtin(t)
	c := postalCase(t, ns)
	l := write(t, writer(t, nil), letters.KindAcknowledgement, letters.Facts{Case: c, Notice: finder(ns)})
	l.To.PostalAddress = nil
	l.From.Address = ""
	if _, err := letters.PDF(l); err == nil {
		t.Fatal("a posted letter was made without addresses; the test needs it refused")
	}
	pdf, err := letters.DownloadPDF(l)
	if err != nil {
		t.Fatal(err)
	}
	again, err := letters.DownloadPDF(l)
	if err != nil || !bytes.Equal(pdf, again) {
		t.Error("the same letter gives different PDF bytes")
	}
	if inWindow := window(t, pdf); !strings.Contains(inWindow, "Alex Example") || strings.Contains(inWindow, "Sample Road") {
		t.Errorf("the window shows %q; want the requester's name alone", inWindow)
	}
	words := strings.Join(strings.Fields(poppler(t, pdf, "pdftotext")), " ")
	for _, want := range []string{"Our reference: " + c.Reference, "We will reply by 2 April 2026."} {
		if !strings.Contains(words, want) {
			t.Errorf("the PDF does not read back %q:\n%s", want, words)
		}
	}
}
