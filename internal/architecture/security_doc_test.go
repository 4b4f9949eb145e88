package architecture

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// docs/security.md maps every ASVS 5.0.0 Level 1 and Level 2 requirement
// to the test that covers it or the decision that answers it. These tests
// keep the map honest: a "covered" row must name a test, and every test
// it names must exist, so renaming or deleting a test breaks the build
// instead of leaving a claim with nothing behind it.

// levelTwoRequirements is, for each ASVS 5.0.0 section, how many of its
// requirements are at Level 1 or 2. In every section those come first,
// numbered from 1, so the map must list exactly ids SECTION.1 to
// SECTION.n, and nothing of Level 3. Sections with only Level 3
// requirements (3.1, 3.6, 6.7, 11.7, 15.4) and V17 are absent.
var levelTwoRequirements = map[string]int{
	"1.1": 2, "1.2": 9, "1.3": 11, "1.4": 3, "1.5": 2,
	"2.1": 3, "2.2": 3, "2.3": 4, "2.4": 1,
	"3.2": 2, "3.3": 4, "3.4": 6, "3.5": 5, "3.7": 2,
	"4.1": 3, "4.2": 1, "4.3": 2, "4.4": 4,
	"5.1": 1, "5.2": 3, "5.3": 2, "5.4": 3,
	"6.1": 3, "6.2": 12, "6.3": 4, "6.4": 4, "6.5": 5, "6.6": 3, "6.8": 4,
	"7.1": 3, "7.2": 4, "7.3": 2, "7.4": 5, "7.5": 2, "7.6": 2,
	"8.1": 2, "8.2": 3, "8.3": 1, "8.4": 1,
	"9.1": 3, "9.2": 4,
	"10.1": 2, "10.2": 2, "10.3": 4, "10.4": 11, "10.5": 5, "10.6": 2, "10.7": 3,
	"11.1": 2, "11.2": 3, "11.3": 3, "11.4": 3, "11.5": 1, "11.6": 1,
	"12.1": 3, "12.2": 2, "12.3": 4,
	"13.1": 1, "13.2": 5, "13.3": 2, "13.4": 5,
	"14.1": 2, "14.2": 4, "14.3": 3,
	"15.1": 3, "15.2": 3, "15.3": 7,
	"16.1": 1, "16.2": 5, "16.3": 4, "16.4": 3, "16.5": 3,
}

// The four statuses the page defines.
const statusCovered = "covered"

var securityStatuses = []string{statusCovered, "decision", "partly", "not met"}

var (
	requirementID = regexp.MustCompile(`^(\d+\.\d+)\.(\d+)$`)
	// A Go test is cited as `TestName` (or `FuzzName`), a browser test as
	// `web/test/FILE.test.mjs: "title"`.
	goTestCitation      = regexp.MustCompile("`((?:Test|Fuzz)[A-Za-z0-9_]+)`")
	browserTestCitation = regexp.MustCompile("`(web/test/[A-Za-z0-9_-]+\\.test\\.mjs): \"([^\"`]+)\"`")
	goTestFunc          = regexp.MustCompile(`(?m)^func ((?:Test|Fuzz)[A-Za-z0-9_]+)\(`)
)

// securityRow is one requirement row of the map.
type securityRow struct {
	line                        int
	id, status, evidence        string
	goTests                     []string
	browserFiles, browserTitles []string
}

func (r securityRow) String() string { return fmt.Sprintf("docs/security.md:%d (%s)", r.line, r.id) }

// parseSecurityRows reads the table rows whose first cell is a
// requirement id; malformed ones come back as problems.
func parseSecurityRows(doc string) (rows []securityRow, problems []string) {
	for i, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		id := strings.TrimSpace(cells[0])
		if !requirementID.MatchString(id) {
			continue // a header, a separator or another table
		}
		r := securityRow{line: i + 1, id: id}
		if len(cells) != 4 {
			problems = append(problems, fmt.Sprintf("%s: %d cells, want 4 (id, requirement, status, evidence); a | inside a cell splits it", r, len(cells)))
			continue
		}
		r.status, r.evidence = strings.TrimSpace(cells[2]), strings.TrimSpace(cells[3])
		for _, m := range goTestCitation.FindAllStringSubmatch(r.evidence, -1) {
			r.goTests = append(r.goTests, m[1])
		}
		for _, m := range browserTestCitation.FindAllStringSubmatch(r.evidence, -1) {
			r.browserFiles, r.browserTitles = append(r.browserFiles, m[1]), append(r.browserTitles, m[2])
		}
		rows = append(rows, r)
	}
	return rows, problems
}

// checkSecurityRows returns one line per mistake in rows: an unknown
// status, no evidence, a covered row that cites no test, a cited test
// that does not exist (goTests holds the names of the repository's test
// functions; readFile reads a repository file), and an id that is
// repeated, missing or not of Level 1 or 2 according to want.
func checkSecurityRows(rows []securityRow, want map[string]int, goTests map[string]bool, readFile func(string) (string, error)) []string {
	var problems []string
	seen := map[string]bool{}
	for _, r := range rows {
		if seen[r.id] {
			problems = append(problems, fmt.Sprintf("%s: listed twice", r))
		}
		seen[r.id] = true
		m := requirementID.FindStringSubmatch(r.id)
		if n, _ := strconv.Atoi(m[2]); n < 1 || n > want[m[1]] {
			problems = append(problems, fmt.Sprintf("%s: not a Level 1 or 2 requirement of ASVS 5.0.0", r))
		}
		if !slices.Contains(securityStatuses, r.status) {
			problems = append(problems, fmt.Sprintf("%s: status %q, want one of %q", r, r.status, securityStatuses))
		}
		if r.evidence == "" {
			problems = append(problems, fmt.Sprintf("%s: no evidence", r))
		}
		if r.status == statusCovered && len(r.goTests)+len(r.browserTitles) == 0 {
			problems = append(problems, fmt.Sprintf("%s: covered, but names no test", r))
		}
		for _, name := range r.goTests {
			if !goTests[name] {
				problems = append(problems, fmt.Sprintf("%s: cites %s, which is no func in any _test.go file", r, name))
			}
		}
		for i, file := range r.browserFiles {
			text, err := readFile(file)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: cites %s: %v", r, file, err))
			} else if !strings.Contains(text, r.browserTitles[i]) {
				problems = append(problems, fmt.Sprintf("%s: cites %q, which is no test title in %s", r, r.browserTitles[i], file))
			}
		}
	}
	for section, n := range want {
		for i := 1; i <= n; i++ {
			if id := fmt.Sprintf("%s.%d", section, i); !seen[id] {
				problems = append(problems, fmt.Sprintf("docs/security.md: requirement %s has no row", id))
			}
		}
	}
	slices.Sort(problems)
	return problems
}

// repoRoot is the module's directory, found upwards from the test's.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// repoTestFuncs returns the name of every Test and Fuzz function in the
// repository's _test.go files, skipping dependencies and test data.
func repoTestFuncs(t *testing.T, root string) map[string]bool {
	t.Helper()
	funcs := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "testdata", "vendor":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range goTestFunc.FindAllStringSubmatch(string(src), -1) {
			funcs[m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return funcs
}

func TestSecurityDocNamesOnlyTestsThatExist(t *testing.T) {
	root := repoRoot(t)
	doc, err := os.ReadFile(filepath.Join(root, "docs", "security.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows, problems := parseSecurityRows(string(doc))
	total := 0
	for _, n := range levelTwoRequirements {
		total += n
	}
	if len(rows) < total/2 {
		t.Fatalf("read %d requirement rows of the %d expected; the check would prove nothing", len(rows), total)
	}
	goTests := repoTestFuncs(t, root)
	if !goTests["TestSecurityDocNamesOnlyTestsThatExist"] {
		t.Fatal("the walk over the repository did not find this very test")
	}
	readFile := func(rel string) (string, error) {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		return string(b), err
	}
	for _, p := range append(problems, checkSecurityRows(rows, levelTwoRequirements, goTests, readFile)...) {
		t.Error(p)
	}
}

// The checker itself, on an invented page, so that a check that could
// never fire is caught here.
func TestSecurityDocCheckerFindsEachKindOfMistake(t *testing.T) {
	doc := strings.Join([]string{
		"| # | Requirement | Status | Evidence |",
		"| :-- | :-- | :-- | :-- |",
		"| 1.1.1 | Fine | covered | `TestReal` and `web/test/a.test.mjs: \"a real title\"`. |",
		"| 1.1.2 | Nothing named | covered | Trust us. |",
		"| 1.2.1 | Misspelt | covered | `TestRael`. |",
		"| 1.2.2 | Wrong title | covered | `web/test/a.test.mjs: \"an imagined title\"`. |",
		"| 1.2.2 | Twice | decision | Said again. |",
		"| 1.2.3 | Made-up status | sort of | Something. |",
		"| 1.2.4 | Empty | partly |  |",
		"| 1.2.5 | A stray | pipe | covered | `TestReal`. |",
		"| 1.2.9 | Level 3 | decision | Out of scope. |",
		"| 1.3.1 | No such file | covered | `web/test/b.test.mjs: \"a real title\"`. |",
	}, "\n")
	rows, problems := parseSecurityRows(doc)
	files := map[string]string{"web/test/a.test.mjs": "test('a real title', async () => {})"}
	readFile := func(rel string) (string, error) {
		if text, ok := files[rel]; ok {
			return text, nil
		}
		return "", errors.New("no such file")
	}
	problems = append(problems, checkSecurityRows(rows, map[string]int{"1.1": 2, "1.2": 8, "1.3": 1}, map[string]bool{"TestReal": true}, readFile)...)
	got := strings.Join(problems, "\n")
	for _, want := range []string{
		"(1.1.2): covered, but names no test",
		"(1.2.1): cites TestRael, which is no func",
		`(1.2.2): cites "an imagined title", which is no test title in web/test/a.test.mjs`,
		"(1.2.2): listed twice",
		`(1.2.3): status "sort of"`,
		"(1.2.4): no evidence",
		"(1.2.5): 5 cells, want 4",
		"(1.2.9): not a Level 1 or 2 requirement",
		"(1.3.1): cites web/test/b.test.mjs: no such file",
		"requirement 1.2.5 has no row",
		"requirement 1.2.6 has no row",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the checker misses %q; it found:\n%s", want, got)
		}
	}
	if strings.Contains(got, "(1.1.1)") {
		t.Errorf("the checker blames the sound row 1.1.1:\n%s", got)
	}
}
