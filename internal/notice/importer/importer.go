package importer

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// Format is how a notice document is written.
type Format string

const (
	FormatAuto     Format = "" // detect from the content
	FormatText     Format = "text"
	FormatMarkdown Format = "markdown"
	FormatHTML     Format = "html"
)

// ParseFormat accepts the names the CLI and API use.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case FormatAuto, FormatText, FormatMarkdown, FormatHTML:
		return f, nil
	case "auto":
		return FormatAuto, nil
	case "md":
		return FormatMarkdown, nil
	case "txt":
		return FormatText, nil
	}
	return "", fmt.Errorf("unknown format %q: want text, markdown, html or auto", s)
}

// MaxInput bounds a document. GOV.UK privacy notices are tens of kilobytes;
// the bound keeps a mistaken upload from holding memory, while anything up to
// it is read in linear time.
const MaxInput = 16 << 20

// Limits past which a document is not a privacy notice any more; what lies
// beyond them is reported as unplaced, in one entry, rather than read.
const (
	maxBlocks   = 20000  // paragraphs, headings and bullets
	maxLines    = 100000 // source lines kept in blocks
	maxUnits    = 20000  // sentences and list items
	maxUnitLen  = 2000   // bytes in one sentence; longer runs are not prose
	maxContexts = 64
	maxItems    = 1000 // of each kind of fact: rights, recipients, retention rules…
	maxUnplaced = 1000
	excerptLen  = 200 // runes of unplaced text shown
)

// Options steer one import.
type Options struct {
	Format Format
	// ID is the notice id; empty derives one from the title or, for a title
	// such as "Privacy policy", from the service or controller.
	ID string
	// Document names the source, e.g. its file name; empty uses the title.
	Document string
	// Today (YYYY-MM-DD) is when the version takes effect if the document
	// gives no date.
	Today string
	// EffectiveFrom (YYYY-MM-DD), when set, overrides the document's date.
	EffectiveFrom string
}

// Draft is what the importer read: a version ready to number and store, and
// the evidence for each fact in it.
type Draft struct {
	ID       string
	Format   Format
	Version  notice.Version
	Facts    []Fact
	Unplaced []Unplaced
	// Notes say what the importer assumed or could not find.
	Notes []string
}

// Fact is one extracted value and the place it came from. Field is a path
// into the version, e.g. "controller.email" or "contexts[satisfaction-surveys].basis".
type Fact struct {
	Field      string            `json:"field"`
	Value      string            `json:"value"`
	Provenance notice.Provenance `json:"provenance"`
}

// Unplaced is a passage no fact was drawn from.
type Unplaced struct {
	Section string `json:"section,omitempty"`
	Line    int    `json:"line"`
	EndLine int    `json:"end_line,omitempty"`
	Text    string `json:"text"`
}

// ErrEmpty is returned for a document with no text in it.
var ErrEmpty = errors.New("the document has no text")

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// Parse reads a notice document into a draft. It fails only when there is
// nothing to read or the options are wrong; a document it understands badly
// still yields a draft, with what it could not place listed.
func Parse(content []byte, opts Options) (*Draft, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	if len(content) > MaxInput {
		return nil, fmt.Errorf("the document is %d bytes; the most an import reads is %d", len(content), MaxInput)
	}
	text := normalise(content)
	if strings.TrimSpace(text) == "" {
		return nil, ErrEmpty
	}
	format := opts.Format
	if format == FormatAuto {
		format = detect(text)
	}
	d := decode(text, format)
	p := newParser(d)
	p.run()
	return p.draft(opts, format, digest(d)), nil
}

func (o *Options) check() error {
	if o.ID != "" && !idPattern.MatchString(o.ID) {
		return fmt.Errorf("notice id %q: use 1 to 63 lower-case letters, digits and hyphens, starting with a letter or digit", o.ID)
	}
	for name, date := range map[string]string{"today": o.Today, "effective from": o.EffectiveFrom} {
		if _, err := time.Parse(time.DateOnly, date); date != "" && err != nil {
			return fmt.Errorf("%s %q is not a date (YYYY-MM-DD)", name, date)
		}
	}
	if o.Today == "" && o.EffectiveFrom == "" {
		return errors.New("today's date is required, for a document that gives no date of its own")
	}
	_, err := ParseFormat(string(o.Format))
	return err
}

// normalise makes the text valid UTF-8 with \n line ends and no control
// characters, so every later step can assume both. Line numbers in
// provenance count lines as an editor does: CRLF, LF or a lone CR.
func normalise(content []byte) string {
	s := strings.ToValidUTF8(string(content), "\uFFFD")
	s = strings.TrimPrefix(s, "\uFEFF")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n' // a lone carriage return ends a line, as on old Macs
		case r == '\t', r == '\f', r == '\v', r == '\u00a0', r == '\u2007', r == '\u202f':
			return ' '
		case r == '\n':
			return r
		case r < 0x20, r == 0x7f, r == '\u2028', r == '\u2029':
			return ' '
		}
		return r
	}, s)
}

// detect tells HTML by its tags and markdown by front matter, # headings or
// link syntax; anything else is text copied from a page.
func detect(text string) Format {
	head := strings.ToLower(strings.TrimSpace(text[:min(len(text), 4096)]))
	if strings.HasPrefix(head, "<") && (strings.Contains(head, "</") || strings.Contains(head, "<!doctype") || strings.Contains(head, "<html")) {
		return FormatHTML
	}
	if strings.HasPrefix(head, "---\n") || markdownSignal.MatchString(text[:min(len(text), 65536)]) {
		return FormatMarkdown
	}
	return FormatText
}

var markdownSignal = regexp.MustCompile(`(?m)^#{1,6} \S|\]\([^)\s]+\)|^\*\*[^*\n]+\*\*\s*$`)

// digest fingerprints the words the importer read, in order, lower-cased,
// with punctuation, markup and layout gone: saving the same page twice,
// re-wrapping its paragraphs, changing its bullets or headings, or copying
// it as text instead of HTML is not a new version.
func digest(d *document) string {
	h := sha256.New()
	w := bufio.NewWriter(h)
	for i := range d.blocks {
		for _, l := range d.blocks[i].lines {
			writeWords(w, l.text)
		}
	}
	w.WriteString(d.overflow.Text)
	_ = w.Flush() // a hash never fails to write
	return hex.EncodeToString(h.Sum(nil))
}

// writeWords writes the words of s, lower-cased, each followed by a space,
// without copying s: a document may be megabytes on one line.
func writeWords(w *bufio.Writer, s string) {
	inWord := false
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '@' {
			if inWord {
				w.WriteByte(' ')
				inWord = false
			}
			continue
		}
		w.WriteRune(unicode.ToLower(r))
		inWord = true
	}
	if inWord {
		w.WriteByte(' ')
	}
}
