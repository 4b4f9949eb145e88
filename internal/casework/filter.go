package casework

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.einride.tech/aip/filtering"
	expr "google.golang.org/genproto/googleapis/api/expr/v1alpha1"

	"github.com/rightsdesk/rightsdesk/internal/cases"
	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
	"github.com/rightsdesk/rightsdesk/internal/report"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// maxFilterLength bounds a filter before it is parsed: the parser
// recurses on parentheses, so its depth must not be the caller's choice.
const maxFilterLength = 1024

// filter is a parsed ListCases filter (AIP-160): a tree of AND, OR and
// NOT over terms. The zero filter matches every case.
type filter struct {
	root *node
}

type nodeKind int

const (
	nodeTerm nodeKind = iota
	nodeAnd
	nodeOr
	nodeNot
)

// node is one operator of the tree, or, as nodeTerm, one comparison.
type node struct {
	kind nodeKind
	kids []*node
	term term
}

// term compares one field of a case with a value already read into the
// field's type: an enum's short spelling (in_progress), a notice id, an
// assignee, a normalised reference, a date YYYY-MM-DD, or a boolean.
// Every != was rewritten as NOT =, so cmp is = or, for due only, an order.
type term struct {
	field string
	cmp   string
	text  string
	flag  bool
}

// fieldKind is how a field's value is written and compared.
type fieldKind int

const (
	kindEnum fieldKind = iota
	kindString
	kindBool
	kindDate
)

var fieldKinds = map[string]fieldKind{
	"state": kindEnum, "right": kindEnum, "channel": kindEnum,
	"notice": kindString, "assignee": kindString, "reference": kindString,
	"overdue": kindBool, "open": kindBool, "waiting": kindBool, "needs_action": kindBool,
	"due_this_week": kindBool, "undelivered": kindBool, "new_reply": kindBool, "extension_due": kindBool,
	"due": kindDate,
}

// costly are the terms that work a case's commands out: evaluated last, so
// a cheaper term can settle an AND or an OR first.
var costly = map[string]bool{"needs_action": true, "extension_due": true}

// day is what a filter's terms about time and next steps are measured
// against: the date today, the last day of "this week" (report.WeekEnd)
// and the day after it, the likely next action of a case
// (cases.Case.NextAction as of today) and whether its extension must be
// decided soon (cases.Case.ExtensionDecisionBy as of today).
type day struct {
	today, weekEnd, afterWeek string
	next                      func(*cases.Case) cases.StaffAction
	extensionDue              func(*cases.Case) bool
}

func newDay(today deadline.Date, next func(*cases.Case) cases.StaffAction, extensionDue func(*cases.Case) bool) day {
	end := report.WeekEnd(today)
	return day{today: today.String(), weekEnd: end.String(), afterWeek: end.AddDays(1).String(), next: next, extensionDue: extensionDue}
}

// parseFilter reads a filter with the AIP-160 parser and checks each term
// against the fields the language has. Every error names the column (from
// 1, in characters) where the filter stops making sense.
func parseFilter(s string) (filter, error) {
	if len(s) > maxFilterLength {
		return filter{}, fault.Invalid("filter", "is %d bytes long; the most is %d", len(s), maxFilterLength)
	}
	trimmed := strings.TrimSpace(s)
	if trimmed == "" {
		return filter{}, nil
	}
	// The parser counts from the first non-blank character.
	lead := utf8.RuneCountInString(s[:strings.Index(s, trimmed)])
	column := func(offset int32) int {
		if offset < 0 || int(offset) > len(trimmed) {
			offset = int32(len(trimmed))
		}
		return lead + utf8.RuneCountInString(trimmed[:offset]) + 1
	}
	var p filtering.Parser
	p.Init(trimmed)
	parsed, err := p.Parse()
	if err != nil {
		offset, msg := syntaxError(err)
		return filter{}, fault.Invalid("filter", "column %d: %s (%s)", column(offset), msg, usecase.FilterFields)
	}
	c := compiler{positions: parsed.GetSourceInfo().GetPositions()}
	root, err := c.compile(parsed.GetExpr())
	var bad *termError
	if errors.As(err, &bad) {
		return filter{}, fault.Invalid("filter", "column %d: %s", column(bad.offset), bad.msg)
	}
	if err != nil {
		return filter{}, err
	}
	return filter{root: root}, nil
}

// positioned is what the parser's errors tell: where and what.
type positioned interface {
	Position() filtering.Position
	Message() string
}

// syntaxError is the innermost of the parser's nested errors: the token it
// could not take, rather than each rule it was inside.
func syntaxError(err error) (offset int32, msg string) {
	offset, msg = -1, "cannot read the filter"
	for e := err; e != nil; e = errors.Unwrap(e) {
		if p, ok := e.(positioned); ok {
			offset, msg = p.Position().Offset, p.Message()
		}
	}
	switch {
	case msg == "parse token":
		return offset, "expected a field, a value or ( but the filter ends"
	case strings.HasPrefix(msg, "unexpected"):
		token := msg[strings.LastIndex(msg, " ")+1:]
		if token == "WS" {
			token = "space (is a term missing after AND or OR?)"
		}
		return offset, fmt.Sprintf("unexpected %s: write field = value terms joined by AND or OR, and quote values holding - or : (due < \"2026-03-01\")", token)
	}
	return offset, msg
}

// termError is a well-formed filter that says something the language has
// no meaning for, at a byte offset of the filter.
type termError struct {
	offset int32
	msg    string
}

func (e *termError) Error() string { return e.msg }

type compiler struct {
	positions map[int64]int32
}

func (c compiler) fail(e *expr.Expr, format string, args ...any) error {
	offset, ok := c.positions[e.GetId()]
	if !ok {
		offset = -1
	}
	return &termError{offset: offset, msg: fmt.Sprintf(format, args...)}
}

func (c compiler) compile(e *expr.Expr) (*node, error) {
	call := e.GetCallExpr()
	if call == nil {
		if id := e.GetIdentExpr(); id != nil {
			if _, known := fieldKinds[id.GetName()]; known {
				return nil, c.fail(e, "%s needs a comparison, e.g. %s", id.GetName(), example(id.GetName()))
			}
		}
		return nil, c.fail(e, "expected a term such as state = \"NEW\"; filter on %s", usecase.FilterFields)
	}
	switch call.GetFunction() {
	case filtering.FunctionAnd, filtering.FunctionFuzzyAnd:
		return c.combine(nodeAnd, call.GetArgs())
	case filtering.FunctionOr:
		return c.combine(nodeOr, call.GetArgs())
	case filtering.FunctionNot:
		kid, err := c.compile(call.GetArgs()[0])
		if err != nil {
			return nil, err
		}
		return &node{kind: nodeNot, kids: []*node{kid}}, nil
	case filtering.FunctionEquals, filtering.FunctionNotEquals, filtering.FunctionLessThan,
		filtering.FunctionLessEquals, filtering.FunctionGreaterThan, filtering.FunctionGreaterEquals:
		return c.comparison(e, call)
	case filtering.FunctionHas:
		return nil, c.fail(e, "the operator : is not in this language; use =")
	}
	return nil, c.fail(e, "%s(...) is not in this language; filter on %s", call.GetFunction(), usecase.FilterFields)
}

// combine flattens a chain of one operator (the parser nests them in
// pairs) and puts the costly terms last.
func (c compiler) combine(kind nodeKind, args []*expr.Expr) (*node, error) {
	n := &node{kind: kind}
	for _, a := range args {
		kid, err := c.compile(a)
		if err != nil {
			return nil, err
		}
		if kid.kind == kind {
			n.kids = append(n.kids, kid.kids...)
		} else {
			n.kids = append(n.kids, kid)
		}
	}
	slices.SortStableFunc(n.kids, func(a, b *node) int { return boolInt(a.costly()) - boolInt(b.costly()) })
	return n, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (n *node) costly() bool {
	if n.kind == nodeTerm {
		return costly[n.term.field]
	}
	return slices.ContainsFunc(n.kids, (*node).costly)
}

func (c compiler) comparison(e *expr.Expr, call *expr.Expr_Call) (*node, error) {
	lhs, rhs := call.GetArgs()[0], call.GetArgs()[1]
	field := lhs.GetIdentExpr().GetName()
	kind, known := fieldKinds[field]
	switch {
	case lhs.GetCallExpr() != nil:
		return nil, c.fail(lhs, "%s(...) is not in this language; filter on %s", lhs.GetCallExpr().GetFunction(), usecase.FilterFields)
	case lhs.GetSelectExpr() != nil:
		return nil, c.fail(lhs, "unknown field %q (fields have no parts); filter on %s", lhs.GetSelectExpr().GetField(), usecase.FilterFields)
	case lhs.GetIdentExpr() == nil:
		return nil, c.fail(lhs, "expected a field name before %s; filter on %s", call.GetFunction(), usecase.FilterFields)
	case !known:
		return nil, c.fail(lhs, "unknown field %q; filter on %s", field, usecase.FilterFields)
	}
	op := call.GetFunction()
	if kind != kindDate && op != filtering.FunctionEquals && op != filtering.FunctionNotEquals {
		return nil, c.fail(e, "%s only supports = and !=", field)
	}
	value, quoted, ok := literal(rhs)
	if !ok {
		return nil, c.fail(rhs, "%s takes %s", field, example(field))
	}
	t := term{field: field, cmp: op}
	switch kind {
	case kindBool:
		b, err := strconv.ParseBool(value)
		if err != nil {
			return nil, c.fail(rhs, "%s takes true or false", field)
		}
		t.flag = b
	case kindDate:
		d, err := deadline.ParseDate(value)
		if err != nil || !quoted {
			return nil, c.fail(rhs, "due %s %s: want a quoted date, e.g. due < \"2026-03-01\"", op, value)
		}
		t.text = d.String()
	case kindEnum:
		v, ok := enum(field, value)
		if !ok {
			return nil, c.fail(rhs, "unknown %s %q", field, value)
		}
		t.text = v
	case kindString:
		t.text = value
		switch field {
		case "notice":
			t.text = strings.TrimPrefix(value, "notices/")
		case "reference":
			t.text = cases.NormaliseReference(value)
		}
	}
	if op == filtering.FunctionNotEquals {
		t.cmp = filtering.FunctionEquals
		return &node{kind: nodeNot, kids: []*node{{kind: nodeTerm, term: t}}}, nil
	}
	return &node{kind: nodeTerm, term: t}, nil
}

// literal is the value side of a comparison: a quoted string, or a bare
// word (true, IN_PROGRESS) the parser reads as a name.
func literal(e *expr.Expr) (value string, quoted, ok bool) {
	if id := e.GetIdentExpr(); id != nil {
		return id.GetName(), false, true
	}
	if s, isString := e.GetConstExpr().GetConstantKind().(*expr.Constant_StringValue); isString {
		return s.StringValue, true, true
	}
	return "", false, false
}

func example(field string) string {
	switch fieldKinds[field] {
	case kindBool:
		return field + " = true"
	case kindDate:
		return `due < "2026-03-01"`
	case kindEnum:
		return map[string]string{"state": `state = "IN_PROGRESS"`, "right": `right = "ERASURE"`, "channel": `channel = "EMAIL"`}[field]
	}
	return field + ` = "..."`
}

// enum reads an enum value in the API spelling (CASE_STATE_IN_PROGRESS),
// without its prefix (IN_PROGRESS) or in the short one (in_progress).
func enum(field, v string) (string, bool) {
	short := func(prefix string) string {
		return strings.ToLower(strings.TrimPrefix(strings.ToUpper(v), prefix))
	}
	switch field {
	case "state":
		st := cases.State(short("CASE_STATE_"))
		return string(st), slices.Contains(cases.States, st)
	case "right":
		r := notice.Right(short("RIGHT_"))
		return string(r), r.Valid()
	default:
		ch := cases.Channel(short("RECEIVED_CHANNEL_"))
		return string(ch), slices.Contains(cases.Channels, ch)
	}
}

func (f filter) match(c *cases.Case, d day) bool {
	return f.root == nil || f.root.match(c, d)
}

func (n *node) match(c *cases.Case, d day) bool {
	switch n.kind {
	case nodeAnd:
		return !slices.ContainsFunc(n.kids, func(k *node) bool { return !k.match(c, d) })
	case nodeOr:
		return slices.ContainsFunc(n.kids, func(k *node) bool { return k.match(c, d) })
	case nodeNot:
		return !n.kids[0].match(c, d)
	}
	return n.term.match(c, d)
}

func (t term) match(c *cases.Case, d day) bool {
	due := c.Clock.Due
	switch t.field {
	case "due":
		switch t.cmp {
		case filtering.FunctionLessThan:
			return due < t.text
		case filtering.FunctionLessEquals:
			return due <= t.text
		case filtering.FunctionGreaterThan:
			return due > t.text
		case filtering.FunctionGreaterEquals:
			return due >= t.text
		}
		return due == t.text
	case "state":
		return string(c.State) == t.text
	case "right":
		return slices.ContainsFunc(c.Rights, func(r cases.RequestedRight) bool { return string(r.Right) == t.text })
	case "channel":
		return string(c.Channel) == t.text
	case "notice":
		return slices.Contains(c.NoticeIDs(), t.text)
	case "assignee":
		return c.Assignee == t.text
	case "reference":
		return c.Reference == t.text
	}
	return t.flagOf(c, d) == t.flag
}

// flagOf is the value of a true/false field for the case.
func (t term) flagOf(c *cases.Case, d day) bool {
	due := c.Clock.Due
	switch t.field {
	case "open":
		return c.Open()
	case "waiting":
		return c.State == cases.StateAwaitingRequester
	case "overdue":
		return c.Open() && due < d.today
	case "due_this_week":
		return c.Open() && due >= d.today && due <= d.weekEnd
	case "undelivered":
		return c.Undelivered()
	case "new_reply":
		return c.NewReply
	case "needs_action":
		return needsAction(c, d.next)
	}
	return d.extensionDue(c)
}

// needsAction is whether the privacy team has something to do on the case
// now: its likely next step is neither nothing (a closed case) nor to
// record the reply of a requester the case is waiting for.
func needsAction(c *cases.Case, next func(*cases.Case) cases.StaffAction) bool {
	a := next(c)
	return a != "" && a != cases.ActRecordResponse
}

// conjuncts are the terms every match must satisfy because they stand at
// the top of the filter, alone or joined by AND: the only terms an index
// may be chosen by. A term under OR or NOT narrows nothing.
func (f filter) conjuncts() []term {
	switch {
	case f.root == nil:
		return nil
	case f.root.kind == nodeTerm:
		return []term{f.root.term}
	case f.root.kind != nodeAnd:
		return nil
	}
	var out []term
	for _, k := range f.root.kids {
		if k.kind == nodeTerm {
			out = append(out, k.term)
		}
	}
	return out
}

// required is the value a top-level term sets for field, if one does.
func (f filter) required(field string) (term, bool) {
	i := slices.IndexFunc(f.conjuncts(), func(t term) bool { return t.field == field })
	if i < 0 {
		return term{}, false
	}
	return f.conjuncts()[i], true
}

// requires reports whether a top-level term sets the true/false field to
// want.
func (f filter) requires(field string, want bool) bool {
	t, ok := f.required(field)
	return ok && t.flag == want
}

// dueRange is the span of due dates, [from, to), the filter's top-level
// terms allow on the day: the narrowest of the due terms and those
// overdue, due_this_week and extension_due imply. Empty ends are open.
func (f filter) dueRange(d day) (from, to string) {
	narrow := func(lo, hi string) {
		if lo != "" && lo > from {
			from = lo
		}
		if hi != "" && (to == "" || hi < to) {
			to = hi
		}
	}
	for _, t := range f.conjuncts() {
		switch {
		case t.field == "due":
			next := t.text
			if dt, err := deadline.ParseDate(t.text); err == nil {
				next = dt.AddDays(1).String()
			}
			switch t.cmp {
			case filtering.FunctionGreaterEquals:
				narrow(t.text, "")
			case filtering.FunctionGreaterThan:
				narrow(next, "")
			case filtering.FunctionLessThan:
				narrow("", t.text)
			case filtering.FunctionLessEquals:
				narrow("", next)
			default:
				narrow(t.text, next)
			}
		case t.field == "overdue" && t.flag:
			narrow("", d.today)
		case t.field == "due_this_week" && t.flag:
			narrow(d.today, d.afterWeek)
		case t.field == "extension_due" && t.flag:
			// The decision is due by the end of the first period, never
			// after the due date of a case not yet extended, and not yet
			// past.
			narrow(d.today, "")
		}
	}
	return from, to
}
