package letters

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	texttemplate "text/template"
	"text/template/parse"

	"github.com/rightsdesk/rightsdesk/internal/notice"
)

//go:embed templates
var builtinFiles embed.FS

// Kind is a kind of letter; its value is the name of the template that
// writes it.
type Kind string

// The letters Rightsdesk writes.
const (
	KindAcknowledgement      Kind = "acknowledgement"
	KindIdentityRequest      Kind = "identity-request"
	KindClarificationRequest Kind = "clarification-request"
	KindFeeRequest           Kind = "fee-request"
	KindExtensionNotice      Kind = "extension-notice"
	KindResponse             Kind = "response"
	KindRefusal              Kind = "refusal"
	KindWithdrawn            Kind = "withdrawn"
	KindPassedOn             Kind = "passed-on"
	KindSelfService          Kind = "self-service"
	KindDuplicate            Kind = "duplicate"
	KindArticle19            Kind = "article-19"
	KindSearchRequest        Kind = "search-request"
	KindSearchChaser         Kind = "search-chaser"
	KindDeliveryCode         Kind = "delivery-code"
)

// Kinds are all the letters, in the order of a case's life.
var Kinds = []Kind{
	KindAcknowledgement, KindIdentityRequest, KindClarificationRequest, KindFeeRequest, KindExtensionNotice,
	KindResponse, KindRefusal, KindWithdrawn, KindPassedOn, KindSelfService, KindDuplicate, KindArticle19,
	KindSearchRequest, KindSearchChaser, KindDeliveryCode,
}

// role says how a template file is used, and so what the load-time check
// asks of it.
type role int

const (
	roleLetter   role = iota // a whole letter: its text starts with its subject, a "# " heading
	roleSection              // one right's part of the response letter
	rolePartials             // {{define}}s every letter may call
	roleFrame                // the HTML page a letter is set in for email
)

// spec is one template file: its name, the type of the data it is
// executed with (its documented fields) and its role.
type spec struct {
	name string
	data reflect.Type
	role role
}

const (
	partialsName = "common"
	frameName    = "email"
)

func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

// sectionName is the template that writes a right's part of a response.
func sectionName(r notice.Right) string {
	return "response-" + strings.ReplaceAll(string(r), "_", "-")
}

// specs lists every template file, in the order FIELDS.md documents them.
var specs = func() []spec {
	out := []spec{
		{partialsName, nil, rolePartials},
		{string(KindAcknowledgement), typeOf[Common](), roleLetter},
		{string(KindIdentityRequest), typeOf[Request](), roleLetter},
		{string(KindClarificationRequest), typeOf[Request](), roleLetter},
		{string(KindFeeRequest), typeOf[Request](), roleLetter},
		{string(KindExtensionNotice), typeOf[Extension](), roleLetter},
		{string(KindResponse), typeOf[Response](), roleLetter},
	}
	for _, r := range notice.Rights {
		out = append(out, spec{sectionName(r), typeOf[Section](), roleSection})
	}
	return append(out,
		spec{string(KindRefusal), typeOf[Closing](), roleLetter},
		spec{string(KindWithdrawn), typeOf[Closing](), roleLetter},
		spec{string(KindPassedOn), typeOf[PassedOn](), roleLetter},
		spec{string(KindSelfService), typeOf[SelfService](), roleLetter},
		spec{string(KindDuplicate), typeOf[Duplicate](), roleLetter},
		spec{string(KindArticle19), typeOf[Article19](), roleLetter},
		spec{string(KindSearchRequest), typeOf[SearchRequest](), roleLetter},
		spec{string(KindSearchChaser), typeOf[SearchRequest](), roleLetter},
		spec{string(KindDeliveryCode), typeOf[DeliveryCode](), roleLetter},
		spec{frameName, typeOf[Page](), roleFrame},
	)
}()

// fileName is the file a template is read from, embedded or overridden.
func (s spec) fileName() string {
	if s.role == roleFrame {
		return s.name + ".html"
	}
	return s.name + ".tmpl"
}

// funcs are the functions templates may call besides text/template's own.
var funcs = texttemplate.FuncMap{
	// list writes "a, b and c".
	"list": andList,
	// join joins with a separator of the template's choosing.
	"join": strings.Join,
	// capitalise upper-cases the first letter, for a name that starts a line.
	"capitalise": notice.Capitalise,
}

// Templates is a checked set of letter templates: the built-in ones, each
// replaced by an organisation's own where it has one.
type Templates struct {
	text     map[string]*texttemplate.Template
	frame    *htmltemplate.Template
	sources  map[string]string
	origins  map[string]string
	versions map[string]string
}

// Load reads the built-in templates and, when dir is not empty, the
// organisation's templates in dir over them (same file names; see
// FIELDS.md). Every template is parsed, checked to use only the fields its
// data documents, and executed against a fully populated sample, so a
// mistake stops start-up with the template and the field named instead of
// leaving a blank in a letter.
func Load(dir string) (*Templates, error) {
	sources, origins, err := readSources(dir)
	if err != nil {
		return nil, err
	}
	t := &Templates{text: map[string]*texttemplate.Template{}, sources: sources, origins: origins, versions: map[string]string{}}
	var errs []error
	for _, s := range specs {
		if err := t.prepare(s); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return t, nil
}

// readSources reads every template file, the organisation's where dir has
// it; a file dir has that is no template is an error, so a misspelt name
// is not silently ignored.
func readSources(dir string) (sources, origins map[string]string, err error) {
	sources, origins = map[string]string{}, map[string]string{}
	known := map[string]string{}
	for _, s := range specs {
		b, err := builtinFiles.ReadFile("templates/" + s.fileName())
		if err != nil {
			return nil, nil, fmt.Errorf("built-in letter template %s: %w", s.fileName(), err)
		}
		sources[s.name], origins[s.name] = string(b), "built-in"
		known[s.fileName()] = s.name
	}
	if dir == "" {
		return sources, origins, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("letter templates: %w", err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") || strings.HasSuffix(e.Name(), ".md") {
			continue
		}
		name, ok := known[e.Name()]
		if !ok || e.IsDir() {
			return nil, nil, fmt.Errorf("letter templates: %s is not a letter template; the files are: %s", filepath.Join(dir, e.Name()), strings.Join(slices.Sorted(keys(known)), ", "))
		}
		path := filepath.Join(dir, e.Name())
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, fmt.Errorf("letter templates: %w", err)
		}
		sources[name], origins[name] = string(b), path
	}
	return sources, origins, nil
}

func keys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// prepare parses one template and checks it.
func (t *Templates) prepare(s spec) error {
	where := fmt.Sprintf("letter template %s (%s)", s.fileName(), t.origins[s.name])
	switch s.role {
	case rolePartials:
		// Checked through each letter that calls them, with that letter's data.
		return nil
	case roleFrame:
		frame, err := htmltemplate.New(s.name).Option("missingkey=error").Parse(t.sources[s.name])
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		lookup := func(name string) *parse.Tree {
			if h := frame.Lookup(name); h != nil {
				return h.Tree
			}
			return nil
		}
		if _, err := trial(s, lookup, nil, frame.Execute); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		t.frame = frame
		return nil
	}
	set := texttemplate.New(s.name).Funcs(funcs).Option("missingkey=error")
	if _, err := set.New(partialsName).Parse(t.sources[partialsName]); err != nil {
		return fmt.Errorf("letter template %s (%s): %w", specFile(partialsName), t.origins[partialsName], err)
	}
	if _, err := set.Parse(t.sources[s.name]); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	lookup := func(name string) *parse.Tree {
		if tt := set.Lookup(name); tt != nil {
			return tt.Tree
		}
		return nil
	}
	out, err := trial(s, lookup, funcs, set.Execute)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	blocks := parseBlocks(out)
	switch {
	case len(blocks) == 0:
		return fmt.Errorf("%s: writes nothing", where)
	case s.role == roleLetter && blocks[0].Kind != blockHeading1:
		return fmt.Errorf("%s: a letter starts with its subject, a line beginning \"# \"", where)
	}
	t.text[s.name] = set
	t.versions[s.name] = t.versionOf(partialsName, s.name)
	return nil
}

// trial checks that a parsed template names only its data's fields, then
// runs it on a fully populated sample of that data and returns what it
// wrote: the two together catch a bad field on every path, and any other
// failure the template would meet in a real letter.
func trial(s spec, lookup func(string) *parse.Tree, fns map[string]any, execute func(io.Writer, any) error) (string, error) {
	if err := checkFields(s.name, lookup, s.data, fns); err != nil {
		return "", err
	}
	var out bytes.Buffer
	if err := execute(&out, sampleOf(s.data)); err != nil {
		return "", err
	}
	return out.String(), nil
}

func specFile(name string) string {
	for _, s := range specs {
		if s.name == name {
			return s.fileName()
		}
	}
	return name
}

// versionOf is the SHA-256 of the named templates' sources, in order: a
// letter's template version changes whenever any word that could have
// gone into it does.
func (t *Templates) versionOf(names ...string) string {
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s\x00%d\x00%s", n, len(t.sources[n]), t.sources[n])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Origins says where each template came from: "built-in" or the path of
// the organisation's file, for the start-up log.
func (t *Templates) Origins() map[string]string {
	out := make(map[string]string, len(t.origins))
	for k, v := range t.origins {
		out[k] = v
	}
	return out
}

// execute writes a template with its data, in canonical text.
func (t *Templates) execute(name string, data any) (string, error) {
	set, ok := t.text[name]
	if !ok {
		return "", fmt.Errorf("no letter template %q", name)
	}
	var out bytes.Buffer
	if err := set.Execute(&out, data); err != nil {
		return "", fmt.Errorf("letter template %s: %w", specFile(name), err)
	}
	return Normalise(out.String()), nil
}

// html sets letter text in the HTML frame.
func (t *Templates) html(p Page) (string, error) {
	var out bytes.Buffer
	if err := t.frame.Execute(&out, p); err != nil {
		return "", fmt.Errorf("letter template %s: %w", specFile(frameName), err)
	}
	return out.String(), nil
}

// TemplateFiles lists the file names of the templates, as an override
// directory names them.
func TemplateFiles() []string {
	out := make([]string, len(specs))
	for i, s := range specs {
		out[i] = s.fileName()
	}
	return out
}

// BuiltinTemplate is the source of a built-in template file, e.g.
// "refusal.tmpl": what an organisation starts its own from.
func BuiltinTemplate(file string) (string, error) {
	if !slices.Contains(TemplateFiles(), file) {
		return "", fmt.Errorf("%s is not a letter template; the files are: %s", file, strings.Join(TemplateFiles(), ", "))
	}
	b, err := fs.ReadFile(builtinFiles, "templates/"+file)
	return string(b), err
}

// andList joins items as English does: "a", "a and b", "a, b and c".
func andList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
