package letters

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"text/template/parse"
)

// A template can name a field on a path the sample never takes (inside an
// {{if}} whose condition is false, or a {{range}} over an empty list), and
// text/template only complains about a field when it reaches it. So every
// template is also read before it runs: each field it names, on every
// path, through {{with}}, {{range}}, variables and {{template}} calls, is
// looked up in the Go type of the data it will be given. What that type
// does not have is no documented field, and the template is refused.

// FieldError is a template naming a field its data does not have.
type FieldError struct {
	// Template is the template whose text names the field.
	Template string
	// At is the position in it, "name:line:column".
	At string
	// Field is the field as written, e.g. ".To.Nmae".
	Field string
	// Type is the data type that has no such field.
	Type string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s: unknown field %s: %s has no field %s (the fields are listed in internal/letters/FIELDS.md)",
		e.At, e.Field, e.Type, e.missing())
}

// missing is the part of the path that does not exist.
func (e *FieldError) missing() string {
	parts := strings.Split(e.Field, ".")
	return parts[len(parts)-1]
}

// unknownType stands for a value whose type the checker cannot know (what
// index or call return): fields of it are not checked.
var unknownType reflect.Type

// noData is the data of {{template "name"}} called without a pipeline.
type noData struct{}

type variable struct {
	name string
	typ  reflect.Type
}

type checker struct {
	lookup func(string) *parse.Tree
	funcs  map[string]any
	done   map[string]bool
	errs   []error
	tree   *parse.Tree
	vars   []variable
}

// checkFields checks that the template name, and every template it calls,
// names only fields of data.
func checkFields(name string, lookup func(string) *parse.Tree, data reflect.Type, funcs map[string]any) error {
	c := &checker{lookup: lookup, funcs: funcs, done: map[string]bool{}}
	c.template(name, data, nil)
	return errors.Join(c.errs...)
}

func (c *checker) template(name string, dot reflect.Type, from parse.Node) {
	key := name + "\x00" + typeName(dot)
	if c.done[key] {
		return
	}
	c.done[key] = true
	tree := c.lookup(name)
	if tree == nil {
		if from != nil {
			c.errs = append(c.errs, fmt.Errorf("%s: calls template %q, which is not defined", c.where(from), name))
		}
		return
	}
	saveTree, saveVars := c.tree, c.vars
	c.tree, c.vars = tree, []variable{{"$", dot}}
	if tree.Root != nil {
		c.walk(tree.Root, dot)
	}
	c.tree, c.vars = saveTree, saveVars
}

func (c *checker) where(n parse.Node) string {
	at, _ := c.tree.ErrorContext(n)
	return at
}

func (c *checker) walk(node parse.Node, dot reflect.Type) {
	switch n := node.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, item := range n.Nodes {
			c.walk(item, dot)
		}
	case *parse.ActionNode:
		c.pipe(n.Pipe, dot)
	case *parse.IfNode:
		c.branch(&n.BranchNode, dot, false)
	case *parse.WithNode:
		c.branch(&n.BranchNode, dot, true)
	case *parse.RangeNode:
		mark := len(c.vars)
		t := c.commands(n.Pipe, dot)
		elem, key := elementOf(t)
		switch len(n.Pipe.Decl) {
		case 1:
			c.vars = append(c.vars, variable{n.Pipe.Decl[0].Ident[0], elem})
		case 2:
			c.vars = append(c.vars, variable{n.Pipe.Decl[0].Ident[0], key}, variable{n.Pipe.Decl[1].Ident[0], elem})
		}
		c.walk(n.List, elem)
		c.vars = c.vars[:mark]
		c.walk(n.ElseList, dot)
	case *parse.TemplateNode:
		data := reflect.TypeFor[noData]()
		if n.Pipe != nil {
			data = c.pipe(n.Pipe, dot)
		}
		c.template(n.Name, data, n)
	}
}

// branch checks {{if}} and {{with}}: the pipeline, the list (with dot set
// to the pipeline's value for {{with}}) and the else list.
func (c *checker) branch(n *parse.BranchNode, dot reflect.Type, with bool) {
	mark := len(c.vars)
	t := c.pipe(n.Pipe, dot)
	inner := dot
	if with {
		inner = t
	}
	c.walk(n.List, inner)
	c.vars = c.vars[:mark]
	c.walk(n.ElseList, dot)
	c.vars = c.vars[:mark]
}

// pipe checks a pipeline, declares its variables and returns its type.
func (c *checker) pipe(p *parse.PipeNode, dot reflect.Type) reflect.Type {
	t := c.commands(p, dot)
	for _, d := range p.Decl {
		if p.IsAssign {
			c.assign(d.Ident[0], t)
		} else {
			c.vars = append(c.vars, variable{d.Ident[0], t})
		}
	}
	return t
}

func (c *checker) assign(name string, t reflect.Type) {
	for i := len(c.vars) - 1; i >= 0; i-- {
		if c.vars[i].name == name {
			c.vars[i].typ = t
			return
		}
	}
}

func (c *checker) commands(p *parse.PipeNode, dot reflect.Type) reflect.Type {
	var t reflect.Type
	for _, cmd := range p.Cmds {
		t = c.command(cmd, dot)
	}
	return t
}

func (c *checker) command(cmd *parse.CommandNode, dot reflect.Type) reflect.Type {
	for _, arg := range cmd.Args[1:] {
		c.arg(arg, dot)
	}
	if id, ok := cmd.Args[0].(*parse.IdentifierNode); ok {
		return c.result(id.Ident)
	}
	return c.arg(cmd.Args[0], dot)
}

// arg checks one operand and returns its type.
func (c *checker) arg(node parse.Node, dot reflect.Type) reflect.Type {
	switch n := node.(type) {
	case *parse.DotNode:
		return dot
	case *parse.FieldNode:
		return c.fields(n, dot, n.Ident, "")
	case *parse.VariableNode:
		return c.fields(n, c.variable(n.Ident[0]), n.Ident[1:], n.Ident[0])
	case *parse.ChainNode:
		return c.fields(n, c.arg(n.Node, dot), n.Field, n.Node.String())
	case *parse.PipeNode:
		return c.pipe(n, dot)
	case *parse.IdentifierNode:
		return c.result(n.Ident)
	case *parse.StringNode:
		return reflect.TypeFor[string]()
	case *parse.BoolNode:
		return reflect.TypeFor[bool]()
	case *parse.NumberNode:
		if n.IsInt {
			return reflect.TypeFor[int]()
		}
		return reflect.TypeFor[float64]()
	}
	return unknownType
}

func (c *checker) variable(name string) reflect.Type {
	for i := len(c.vars) - 1; i >= 0; i-- {
		if c.vars[i].name == name {
			return c.vars[i].typ
		}
	}
	return unknownType // text/template's parser has already refused an undefined variable
}

// result is the type a function returns, where it says.
func (c *checker) result(name string) reflect.Type {
	switch name {
	case "eq", "ne", "lt", "le", "gt", "ge", "not":
		return reflect.TypeFor[bool]()
	case "len":
		return reflect.TypeFor[int]()
	case "print", "printf", "println", "html", "js", "urlquery":
		return reflect.TypeFor[string]()
	}
	if f, ok := c.funcs[name]; ok {
		if ft := reflect.TypeOf(f); ft.Kind() == reflect.Func && ft.NumOut() > 0 && ft.Out(0).Kind() != reflect.Interface {
			return ft.Out(0)
		}
	}
	return unknownType // and, or, index, slice, call: it depends on the values
}

// fields follows a chain of field names from t, reporting the first that
// t does not have.
func (c *checker) fields(node parse.Node, t reflect.Type, idents []string, base string) reflect.Type {
	path := base
	for _, id := range idents {
		path += "." + id
		if t == unknownType {
			return unknownType
		}
		next, ok := member(t, id)
		if !ok {
			c.errs = append(c.errs, &FieldError{Template: c.tree.ParseName, At: c.where(node), Field: path, Type: typeName(t)})
			return unknownType
		}
		t = next
	}
	return t
}

// member is the type of t's field or method id, as text/template finds it.
func member(t reflect.Type, id string) (reflect.Type, bool) {
	if m, ok := reflect.PointerTo(t).MethodByName(id); ok && m.IsExported() {
		if m.Type.NumOut() == 0 || m.Type.Out(0).Kind() == reflect.Interface {
			return unknownType, true
		}
		return m.Type.Out(0), true
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		if f, ok := t.FieldByName(id); ok && f.IsExported() {
			return f.Type, true
		}
	case reflect.Map:
		if t.Key().Kind() == reflect.String {
			return t.Elem(), true
		}
	case reflect.Interface:
		return unknownType, true
	}
	return nil, false
}

// elementOf is what {{range}} over t yields: the element, and the key or index.
func elementOf(t reflect.Type) (elem, key reflect.Type) {
	if t == unknownType {
		return unknownType, unknownType
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return t.Elem(), reflect.TypeFor[int]()
	case reflect.Map:
		return t.Elem(), t.Key()
	case reflect.Int:
		return t, t
	}
	return unknownType, unknownType
}

func typeName(t reflect.Type) string {
	if t == unknownType {
		return "?"
	}
	if t == reflect.TypeFor[noData]() {
		return "no data ({{template}} called without a value)"
	}
	return t.String()
}

// sampleOf is a fully populated value of t: every string set (to its own
// field path, so a sample letter shows where each value goes), every list
// two long, every flag true. A template that runs on it uses each field as
// a real letter might.
func sampleOf(t reflect.Type) any {
	v := reflect.New(t).Elem()
	fill(v, t.Name())
	return v.Interface()
}

func fill(v reflect.Value, path string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("[" + path + "]")
	case reflect.Int:
		v.SetInt(2)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(s.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), path)
		v.Set(p)
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			sub := path + "." + f.Name
			if f.Anonymous {
				sub = path
			}
			fill(v.Field(i), sub)
		}
	}
}
