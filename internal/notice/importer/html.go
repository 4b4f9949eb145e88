package importer

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlDecoder walks a saved page's tokens once. Block elements start
// blocks, <br> starts a new line within one (address blocks use it), and
// list nesting gives bullet depth. When the page has a <main> element only
// its content is read, which leaves out a GOV.UK page's header, navigation,
// cookie banner and footer; without one, those elements are skipped by name.
type htmlDecoder struct {
	*builder
	line      int  // source line of the token being read
	onlyMain  bool // the page has <main>: read nothing outside it
	inMain    int
	skip      int // depth inside elements whose text is not content
	lists     int // depth of ul/ol nesting
	kind      blockKind
	level     int
	text      strings.Builder
	textLine  int
	pageTitle string
	inTitle   bool
}

func decodeHTML(src string) *document {
	hd := &htmlDecoder{builder: newBuilder(), line: 1, onlyMain: strings.Contains(strings.ToLower(src), "<main")}
	z := html.NewTokenizer(strings.NewReader(src))
	z.SetMaxBuf(MaxInput + 1)
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		// Raw must be read before Text, which unescapes in place.
		newlines := bytes.Count(z.Raw(), []byte{'\n'})
		hd.token(z, tt)
		hd.line += newlines
	}
	hd.flush()
	hd.doc.title = hd.pageTitle
	return hd.doc
}

func (hd *htmlDecoder) token(z *html.Tokenizer, tt html.TokenType) {
	switch tt {
	case html.TextToken:
		hd.addText(string(z.Text()))
	case html.StartTagToken, html.SelfClosingTagToken:
		name, _ := z.TagName()
		hd.open(atom.Lookup(name), tt == html.SelfClosingTagToken)
	case html.EndTagToken:
		name, _ := z.TagName()
		hd.close(atom.Lookup(name))
	}
}

// skipped are elements whose text is never notice content.
var skipped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true, atom.Svg: true,
	atom.Head: true, atom.Nav: true, atom.Header: true, atom.Footer: true, atom.Button: true, atom.Form: true,
}

func (hd *htmlDecoder) open(a atom.Atom, selfClosing bool) {
	switch {
	case a == atom.Title:
		hd.inTitle = !selfClosing
	case a == atom.Main:
		hd.inMain++
	case skipped[a] && !selfClosing:
		hd.skip++
	case a == atom.Br:
		hd.newLine()
	case a == atom.Ul || a == atom.Ol:
		hd.flush()
		hd.lists++
	case a == atom.Li:
		hd.begin(bullet, max(hd.lists, 1))
	case a == atom.Td || a == atom.Th:
		hd.addText(" | ") // cells are read as the text form's "| a | b |" row
	case headingLevel(a) > 0:
		hd.begin(heading, headingLevel(a))
	case blockElements[a] && hd.kind == bullet:
		hd.newLine() // a paragraph inside a list item stays part of the item
	case blockElements[a]:
		hd.begin(paragraph, 0)
	}
}

func (hd *htmlDecoder) close(a atom.Atom) {
	switch {
	case a == atom.Title:
		hd.inTitle = false
	case a == atom.Main:
		hd.flush()
		hd.inMain = max(hd.inMain-1, 0)
	case skipped[a]:
		hd.skip = max(hd.skip-1, 0)
	case a == atom.Ul || a == atom.Ol:
		hd.flush()
		hd.lists = max(hd.lists-1, 0)
	case a == atom.Tr:
		hd.addText(" |")
		hd.flush()
	case blockElements[a] && hd.kind == bullet:
		hd.newLine()
	case a == atom.Li || headingLevel(a) > 0 || blockElements[a]:
		hd.flush()
	}
}

var blockElements = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Dt: true, atom.Dd: true, atom.Tr: true,
	atom.Blockquote: true, atom.Address: true, atom.Section: true, atom.Article: true, atom.Pre: true,
	atom.Table: true, atom.Caption: true, atom.Figcaption: true, atom.Summary: true, atom.Details: true,
}

func headingLevel(a atom.Atom) int {
	switch a {
	case atom.H1:
		return 1
	case atom.H2:
		return 2
	case atom.H3:
		return 3
	case atom.H4:
		return 4
	case atom.H5:
		return 5
	case atom.H6:
		return 6
	}
	return 0
}

func (hd *htmlDecoder) reading() bool {
	return hd.skip == 0 && (!hd.onlyMain || hd.inMain > 0)
}

// begin ends the block being read and starts collecting a new one.
func (hd *htmlDecoder) begin(kind blockKind, level int) {
	hd.flush()
	hd.kind, hd.level = kind, level
}

func (hd *htmlDecoder) addText(s string) {
	if hd.inTitle {
		hd.pageTitle = fold(strings.ReplaceAll(s, "\n", " "))
		return
	}
	if !hd.reading() {
		return
	}
	if hd.text.Len() == 0 {
		hd.textLine = hd.line + strings.Count(s[:len(s)-len(strings.TrimLeft(s, " \n"))], "\n")
	}
	hd.text.WriteString(strings.ReplaceAll(s, "\n", " "))
}

// newLine ends the current line of a block at a <br>, keeping the block open.
func (hd *htmlDecoder) newLine() {
	text := fold(hd.text.String())
	hd.text.Reset()
	if text == "" {
		return
	}
	if hd.cur == nil || hd.cur.kind != hd.kind {
		hd.start(hd.kind, hd.level, hd.textLine, text)
		return
	}
	hd.extend(hd.textLine, text)
}

func (hd *htmlDecoder) flush() {
	hd.newLine()
	hd.brk()
	hd.kind, hd.level = paragraph, 0
}
