package architecture

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/rightsdesk/rightsdesk/"

// rule forbids the packages matching from (and everything they import,
// directly or not) to depend on any package matching one of forbidden.
type rule struct {
	why       string
	from      []string
	forbidden []string
}

// Prefixes are module-relative; "internal/web" matches internal/web and
// every package under it.
var (
	doors       = []string{"internal/server", "internal/web"}
	useCaseImpl = []string{"internal/casework", "internal/noticework", "internal/accounts", "internal/tokens", "internal/operations", "internal/websessions"}
	storage     = []string{"internal/store"}
	domain      = []string{"internal/cases", "internal/notice", "internal/deadline", "internal/audit", "internal/auth", "internal/users", "internal/report", "internal/fault", "internal/clock", "internal/letters", "internal/pack"}
	composition = []string{"internal/app", "cmd/"}
	keys        = []string{"internal/keyring"}
)

var rules = []rule{
	{"doors reach the store only through the use cases, behind internal/usecase", doors, append(slices.Clone(storage), useCaseImpl...)},
	{"the domain is pure: no door, use case, contract, store, keys or wiring", domain, slices.Concat(doors, useCaseImpl, storage, composition, keys, []string{"internal/usecase", "internal/policy"})},
	{"the contracts hold no implementation", []string{"internal/usecase", "internal/policy"}, slices.Concat(doors, useCaseImpl, storage, composition)},
	{"use cases do not know the doors or the wiring", useCaseImpl, slices.Concat(doors, composition)},
	{"storage does not know what uses it", storage, slices.Concat(doors, useCaseImpl, composition, []string{"internal/usecase", "internal/policy"})},
	{"the deadline clock imports nothing of ours", []string{"internal/deadline"}, []string{""}},
	{"the keyring imports nothing of ours: it encrypts, and knows no case, store or door", keys, []string{""}},
	{"telemetry instruments the doors and the store from outside: it knows no door, use case or wiring", []string{"internal/telemetry"}, slices.Concat(doors, useCaseImpl, composition)},
}

func matches(pkg string, prefixes []string) bool {
	rel, ok := strings.CutPrefix(pkg, module)
	if !ok {
		return false
	}
	for _, p := range prefixes {
		if p == "" || rel == p || strings.HasPrefix(rel, strings.TrimSuffix(p, "/")+"/") {
			return true
		}
	}
	return false
}

// violations checks the rules against deps, which maps each of the
// module's packages to every package it depends on, directly or not, and
// returns one line per broken rule and package.
func violations(deps map[string][]string, rules []rule) []string {
	var out []string
	for pkg, ds := range deps {
		for _, r := range rules {
			if !matches(pkg, r.from) {
				continue
			}
			for _, d := range ds {
				if d != pkg && matches(d, r.forbidden) {
					out = append(out, fmt.Sprintf("%s depends on %s: %s", strings.TrimPrefix(pkg, module), strings.TrimPrefix(d, module), r.why))
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// moduleDeps runs `go list -deps` over the module's non-test code.
func moduleDeps(t *testing.T) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, module+"...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	deps := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 0 {
			deps[fields[0]] = fields[1:]
		}
	}
	return deps
}

func TestTheLayersHold(t *testing.T) {
	deps := moduleDeps(t)
	if len(deps) < 20 || len(deps[module+"internal/server"]) == 0 {
		t.Fatalf("go list found %d packages; the check would prove nothing", len(deps))
	}
	for _, v := range violations(deps, rules) {
		t.Error(v)
	}
}

// The checker itself, on an invented graph, so that a rule that could
// never fire is caught here.
func TestTheCheckerFindsEachKindOfBreak(t *testing.T) {
	p := func(rel string) string { return module + rel }
	deps := map[string][]string{
		p("internal/web/staff"): {p("internal/usecase"), p("internal/casework"), p("internal/store")},
		p("internal/server"):    {p("internal/usecase"), p("internal/cases")},
		p("internal/cases"):     {p("internal/deadline"), p("internal/server")},
		p("internal/deadline"):  {"time", p("internal/fault")},
		p("internal/casework"):  {p("internal/store"), p("internal/app")},
		p("internal/keyring"):   {"crypto/aes", p("internal/fault")},
		p("internal/audit"):     {p("internal/keyring")},
	}
	got := violations(deps, rules)
	for _, want := range []string{
		"internal/web/staff depends on internal/store",
		"internal/web/staff depends on internal/casework",
		"internal/cases depends on internal/server",
		"internal/deadline depends on internal/fault",
		"internal/casework depends on internal/app",
		"internal/keyring depends on internal/fault",
		"internal/audit depends on internal/keyring",
	} {
		if !slices.ContainsFunc(got, func(v string) bool { return strings.HasPrefix(v, want+":") }) {
			t.Errorf("the checker misses %q; it found:\n%s", want, strings.Join(got, "\n"))
		}
	}
	if slices.ContainsFunc(got, func(v string) bool { return strings.HasPrefix(v, "internal/server ") }) {
		t.Errorf("the checker blames internal/server, which only uses the contracts and the domain:\n%s", strings.Join(got, "\n"))
	}
}

// Every package says in the first sentence of its documentation which
// layer it belongs to, so a reader knows what it may import.
func TestEveryPackageSaysItsLayer(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}\t{{.Doc}}", module+"...").Output()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for line := range strings.Lines(string(out)) {
		pkg, doc, _ := strings.Cut(strings.TrimSpace(line), "\t")
		if strings.HasPrefix(pkg, module+"gen/go/") {
			continue // generated
		}
		n++
		if !strings.Contains(doc, "(layer: ") {
			t.Errorf("%s: the package documentation does not say its layer: %q", pkg, doc)
		}
	}
	if n < 20 {
		t.Fatalf("checked %d packages", n)
	}
}
