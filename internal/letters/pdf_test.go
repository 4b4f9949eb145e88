package letters_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/letters"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// poppler runs a poppler-utils command on the PDF and returns its output,
// skipping the test when the command is not installed (CI installs it).
func poppler(t *testing.T, pdf []byte, command string, args ...string) string {
	t.Helper()
	path, err := exec.LookPath(command)
	if err != nil {
		t.Skipf("%s is not installed (poppler-utils), so the PDF cannot be read back here", command)
	}
	file := filepath.Join(t.TempDir(), "letter.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	args = append(args, file)
	if command == "pdftotext" {
		args = append(args, "-") // to standard output
	}
	out, err := exec.Command(path, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", command, err, out)
	}
	return string(out)
}

// Points per millimetre, for cropping pdftotext to a part of the page.
const ptPerMM = 72 / 25.4

// window is what pdftotext reads in the window of a DL envelope.
func window(t *testing.T, pdf []byte) string {
	mm := func(v float64) string { return strconv.Itoa(int(v * ptPerMM)) }
	return poppler(t, pdf, "pdftotext", "-f", "1", "-l", "1", "-x", mm(20), "-y", mm(50), "-W", mm(85), "-H", mm(40))
}

// postalCase is a case that arrived by post from a requester who gave a
// postal address.
func postalCase(t *testing.T, ns []notice.Notice, cmds ...cases.Command) *cases.Case {
	t.Helper()
	c := newCase(t, ns, []cases.NoticeRef{{ID: "it-service-desk"}}, []notice.Right{notice.RightAccess}, cmds...)
	c.Channel = cases.ChannelPost
	return c
}

// A postal acknowledgement reads back with its reference, due date and
// the requester's address in the envelope window, on an A4 page.
func TestPostalLetterReadsBack(t *testing.T) {
	ns := builtin(t)
	c := postalCase(t, ns)
	l := write(t, writer(t, nil), letters.KindAcknowledgement, letters.Facts{Case: c, Notice: finder(ns)})
	pdf, err := letters.PDF(l)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	text := poppler(t, pdf, "pdftotext", "-layout")
	for _, want := range []string{
		"Our reference: " + c.Reference,
		"We will reply by 2 April 2026.",
		"Date: 20 March 2026",
		"Example Department", "1 Example Street", "EX1 2AB",
		"We received it by post on 2 March 2026.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF does not read back %q:\n%s", want, text)
		}
	}
	inWindow := window(t, pdf)
	for _, line := range []string{"Alex Example", "Flat 2", "10 Sample Road", "Testtown", "TT1 1TT"} {
		if !strings.Contains(inWindow, line) {
			t.Errorf("the envelope window does not show %q; it shows:\n%s", line, inWindow)
		}
	}
	if strings.Contains(inWindow, "Example Department") {
		t.Errorf("the organisation's address shows through the window:\n%s", inWindow)
	}
	info := poppler(t, pdf, "pdfinfo")
	if !regexp.MustCompile(`Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)`).MatchString(info) {
		t.Errorf("the page is not A4:\n%s", info)
	}
	again, err := letters.PDF(l)
	if err != nil || !bytes.Equal(pdf, again) {
		t.Error("the same letter gives different PDF bytes")
	}
}

// A long letter runs onto further pages, each numbered with the reference.
func TestLongPostalLetterRunsOntoMorePages(t *testing.T) {
	ns := builtin(t)
	c := postalCase(t, ns, append(append([]cases.Command{cases.ConfirmIdentity{On: "2026-03-03"}}, searched...),
		cases.Close{Outcome: cases.OutcomeFulfilled, On: today, OverrideReason: guardRailsNotUnderTest})...)
	l := write(t, writer(t, nil), letters.KindResponse, letters.Facts{Case: c, Notice: finder(ns)})
	pdf, err := letters.PDF(l)
	if err != nil {
		t.Fatal(err)
	}
	pages, err := strconv.Atoi(regexp.MustCompile(`Pages:\s+(\d+)`).FindStringSubmatch(poppler(t, pdf, "pdfinfo"))[1])
	if err != nil || pages < 2 {
		t.Fatalf("the access response takes %d pages (%v); it should need more than one", pages, err)
	}
	text := poppler(t, pdf, "pdftotext")
	for p := 1; p <= pages; p++ {
		if want := "Our reference " + c.Reference + " · Page " + strconv.Itoa(p) + " of " + strconv.Itoa(pages); !strings.Contains(text, want) {
			t.Errorf("no footer %q", want)
		}
	}
	// Every paragraph of the letter is printed; pdftotext breaks lines
	// where the PDF wraps them, so compare the words.
	words := strings.Join(strings.Fields(text), " ")
	for _, want := range []string{"Kept for up to 1 year after the person leaves the department.", "Yours sincerely,"} {
		if !strings.Contains(words, want) {
			t.Errorf("the PDF does not read back %q", want)
		}
	}
}

func TestPostalLetterNeedsBothAddresses(t *testing.T) {
	ns := builtin(t)
	c := postalCase(t, ns)
	l := write(t, writer(t, nil), letters.KindAcknowledgement, letters.Facts{Case: c, Notice: finder(ns)})
	noAddress := l
	noAddress.To.PostalAddress = nil
	noSender := l
	noSender.From.Address = ""
	tooLong := l
	tooLong.To.PostalAddress = []string{"1", "2", "3", "4", "5", "6", "7", "8"}
	for name, bad := range map[string]letters.Letter{"no postal address": noAddress, "no sender's address": noSender, "an address longer than the window": tooLong} {
		if _, err := letters.PDF(bad); err == nil {
			t.Errorf("%s: a PDF was made", name)
		}
	}
}
