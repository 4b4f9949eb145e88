package letters

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// The documented fields are the Go comments of data.go: FIELDS.md is made
// from them, so the list an organisation reads cannot drift from what the
// load-time check accepts. A field with no comment fails the test.

const fieldsFile = "FIELDS.md"

const fieldsIntro = `# Letter template fields

Generated from internal/letters/data.go by ` + "`go test ./internal/letters -update`" + `; do not edit.

An organisation overrides any of these templates by putting a file of the
same name in the directory given to ` + "`--templates`" + ` (letters.Load). Every
template is checked when it is loaded: a field that is not listed here for
the template's data, a template that does not parse, or a file name that is
not one of these stops start-up with the file and the field named.

Templates are Go text/template files writing a small markup: a line
starting "# " is a heading (the first is the letter's subject), "## ",
"### " and "#### " are smaller headings, "- " starts a list item, and
other lines are paragraphs (lines that follow each other join; a blank line
ends a paragraph). The same text is set as HTML for email (every value
escaped), as the email's plain-text part and as the PDF for post.
common.tmpl holds the parts every letter calls with {{template "name" .}}:
greeting, request, asked, explanation, contact-us, complaint (with
regulator, how to complain to it), court and sign-off; they take the data of the letter calling them (Common, or a type
that includes it).

Functions besides text/template's own: ` + "`list`" + ` joins a list as
English does ("a, b and c"); ` + "`join LIST SEP`" + ` joins with a
separator; ` + "`capitalise`" + ` upper-cases the first letter.

`

// fieldsDoc writes FIELDS.md from the comments of data.go.
func fieldsDoc(t *testing.T) string {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), "data.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(fieldsIntro)
	b.WriteString("## Templates\n\n| file | data |\n|---|---|\n")
	for _, s := range specs {
		data := "none: it holds the parts the letters call"
		if s.data != nil {
			data = fmt.Sprintf("[%s](#%s)", s.data.Name(), strings.ToLower(s.data.Name()))
		}
		fmt.Fprintf(&b, "| %s | %s |\n", s.fileName(), data)
	}
	b.WriteString("\n## Data types\n")
	for _, decl := range file.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.TYPE {
			continue
		}
		for _, spec := range gen.Specs {
			ts := spec.(*ast.TypeSpec)
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				continue
			}
			if gen.Doc == nil {
				t.Errorf("data.go: type %s has no comment", ts.Name.Name)
				continue
			}
			fmt.Fprintf(&b, "\n### %s\n\n%s\n| field | type | meaning |\n|---|---|---|\n", ts.Name.Name, gen.Doc.Text())
			for _, f := range st.Fields.List {
				typ := typeText(f.Type)
				if len(f.Names) == 0 {
					fmt.Fprintf(&b, "| (every field of %s) | | |\n", typ)
					continue
				}
				if f.Doc == nil {
					t.Errorf("data.go: field %s.%s has no comment, so it is not documented", ts.Name.Name, f.Names[0].Name)
					continue
				}
				meaning := strings.Join(strings.Fields(f.Doc.Text()), " ")
				for _, n := range f.Names {
					fmt.Fprintf(&b, "| %s | %s | %s |\n", n.Name, typ, strings.ReplaceAll(meaning, "|", `\|`))
				}
			}
		}
	}
	return b.String()
}

func typeText(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		if e.IsExported() {
			return fmt.Sprintf("[%s](#%s)", e.Name, strings.ToLower(e.Name))
		}
		return e.Name
	case *ast.ArrayType:
		return "list of " + typeText(e.Elt)
	case *ast.StarExpr:
		return typeText(e.X)
	}
	return fmt.Sprintf("%T", e)
}

func TestFieldsDocIsCurrent(t *testing.T) {
	got := fieldsDoc(t)
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.WriteFile(fieldsFile, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(fieldsFile)
	if err != nil {
		t.Fatalf("%v (go test ./internal/letters -update writes it)", err)
	}
	if string(want) != got {
		t.Errorf("%s is not what data.go documents now; go test ./internal/letters -update rewrites it", fieldsFile)
	}
}

// Every template's data type is documented in data.go, so FIELDS.md
// covers every field a template can use.
func TestEveryTemplateDataTypeIsInDataGo(t *testing.T) {
	doc := fieldsDoc(t)
	for _, s := range specs {
		if s.data != nil && !strings.Contains(doc, "\n### "+s.data.Name()+"\n") {
			t.Errorf("%s's data, %s, is not declared in data.go", s.fileName(), s.data.Name())
		}
	}
}
