package cases

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/fault"
	"github.com/rightsdesk/rightsdesk/internal/notice"
)

// A request is about the processing of whatever privacy notices it touches:
// a subject access request covers everything the organisation holds, so a
// person may name several services or none, and staff triage adds the
// notices it finds. Each notice is pinned to the version in force on the
// day the request was received, and every requested right is evaluated
// under each.

// NoticeRef names a privacy notice a request is about, and where known the
// part of its processing (context) and the group of people (audience) the
// request concerns.
type NoticeRef struct {
	ID       string `json:"id"`
	Context  string `json:"context,omitempty"`
	Audience string `json:"audience,omitempty"`
}

// CaseNotice is a NoticeRef pinned to the version in force when the request
// was received.
type CaseNotice struct {
	NoticeRef
	Version int `json:"version"`
}

// MaxNotices bounds the notices one case names.
const MaxNotices = 50

// NoticeIDs lists the ids of the notices the case names, in order.
func (c *Case) NoticeIDs() []string {
	out := make([]string, len(c.Notices))
	for i, n := range c.Notices {
		out[i] = n.ID
	}
	return out
}

// resolvedNotice is a CaseNotice with its version, for evaluation.
type resolvedNotice struct {
	ref     CaseNotice
	version *notice.Version
}

// resolveNotices checks the refs against the notices env can find, pins
// each to the version in force on received, and names every bad ref. field
// prefixes the violations ("case.notices").
func resolveNotices(refs []NoticeRef, received string, env Env, field string) ([]resolvedNotice, []fault.FieldViolation) {
	var (
		out []resolvedNotice
		v   []fault.FieldViolation
	)
	add := func(i int, sub, format string, args ...any) {
		v = append(v, fault.FieldViolation{Field: fmt.Sprintf("%s[%d]%s", field, i, sub), Description: fmt.Sprintf(format, args...)})
	}
	if len(refs) > MaxNotices {
		return nil, []fault.FieldViolation{{Field: field, Description: fmt.Sprintf("names %d notices; a case names at most %d", len(refs), MaxNotices)}}
	}
	seen := map[string]bool{}
	for i, ref := range refs {
		if seen[ref.ID] {
			add(i, ".id", "names %q twice", ref.ID)
			continue
		}
		seen[ref.ID] = true
		var n *notice.Notice
		if env.Notice != nil {
			n, _ = env.Notice(ref.ID)
		}
		if n == nil {
			add(i, ".id", "there is no notice %q", ref.ID)
			continue
		}
		version := n.Current()
		if received != "" {
			version = n.InForceOn(received)
		}
		if ref.Context != "" {
			if _, ok := version.Context(ref.Context); !ok {
				add(i, ".context", "version %d of %s has no processing context %q", version.Number, ref.ID, ref.Context)
			}
		}
		if ref.Audience != "" && !slices.ContainsFunc(version.Audiences, func(a notice.Audience) bool { return a.ID == ref.Audience }) {
			add(i, ".audience", "version %d of %s has no audience %q", version.Number, ref.ID, ref.Audience)
		}
		out = append(out, resolvedNotice{ref: CaseNotice{NoticeRef: ref, Version: version.Number}, version: version})
	}
	return out, v
}

// availabilityRank orders the answers from the most favourable to the
// requester: a right one notice declares is available, whatever another says.
var availabilityRank = []notice.Availability{notice.Declared, notice.DeclaredConditionally, notice.StatutoryNotDeclared, notice.NotApplicable}

func rankOf(a notice.Availability) int {
	if i := slices.Index(availabilityRank, a); i >= 0 {
		return i
	}
	return len(availabilityRank)
}

// unassessed is what a right's evaluation says while no notice is named.
const unassessed = "No privacy notice is named yet, so whether the law gives this right depends on the processing: staff assess it when they add the notices the request touches."

// evaluate records, for each right asked for, what each notice says under
// the law in force when the request was received, and the most favourable
// answer of them.
func evaluate(c *Case, notices []resolvedNotice, rights []notice.Right) error {
	c.Rights = c.Rights[:0]
	for _, r := range rights {
		rr := RequestedRight{Right: r, Reason: unassessed}
		for _, n := range notices {
			e, err := notice.EvaluateRightOn(n.version, n.ref.Context, r, c.ReceivedOn)
			if err != nil {
				return fault.Invalid("case.notices", "%s: %v (in version %d, in force on %s)", n.ref.ID, err, n.version.Number, c.ReceivedOn)
			}
			rr.PerNotice = append(rr.PerNotice, NoticeEvaluation{NoticeID: n.ref.ID, Availability: e.Availability, Condition: e.Condition, Reason: e.Reason})
			if len(rr.PerNotice) == 1 || rankOf(e.Availability) < rankOf(rr.Availability) {
				rr.Availability, rr.Condition, rr.Reason = e.Availability, e.Condition, e.Reason
			}
		}
		c.Rights = append(c.Rights, rr)
	}
	return nil
}

// otherController is set when, for some notice, we are only the processor
// for the requester's audience: the request belongs with that controller.
func otherController(notices []resolvedNotice) *notice.Party {
	for _, n := range notices {
		for _, a := range n.version.Audiences {
			if a.ID == n.ref.Audience && a.Role == notice.RoleProcessor {
				party := a.Controller
				return &party
			}
		}
	}
	return nil
}

// article19Rights are the rights after which each recipient must be told.
var article19Rights = []notice.Right{notice.RightRectification, notice.RightErasure, notice.RightRestriction}

// article19Recipients lists, once each, the recipients any of the notices
// names for the processing concerned, when a right asked for needs them
// told (Art 19).
func article19Recipients(c *Case, notices []resolvedNotice) []string {
	if !slices.ContainsFunc(c.Rights, func(r RequestedRight) bool { return slices.Contains(article19Rights, r.Right) }) {
		return nil
	}
	var out []string
	for _, n := range notices {
		for _, r := range n.version.Recipients {
			if n.ref.Context != "" && len(r.Scope) > 0 && !slices.Contains(r.Scope, n.ref.Context) {
				continue
			}
			if !slices.Contains(out, r.Name) {
				out = append(out, r.Name)
			}
		}
	}
	return out
}

// syncArticle19Tasks makes the case's Art 19 tasks match its notices and
// rights: a task for each recipient that should be told and has none, and
// an open task dropped for a recipient no longer concerned. Tasks already
// done or found impossible stay, as a record of what was done.
func (c *Case) syncArticle19Tasks(notices []resolvedNotice) {
	wanted := article19Recipients(c, notices)
	kept := c.Tasks[:0]
	have := map[string]bool{}
	for _, t := range c.Tasks {
		if t.Kind == TaskArticle19 && t.State == TaskOpen && !slices.Contains(wanted, t.Recipient) {
			continue
		}
		if t.Kind == TaskArticle19 {
			have[t.Recipient] = true
		}
		kept = append(kept, t)
	}
	c.Tasks = kept
	for _, r := range wanted {
		if !have[r] {
			c.Tasks = append(c.Tasks, Task{ID: c.nextTaskID(), Kind: TaskArticle19, Recipient: r, State: TaskOpen, Due: c.Clock.Due})
		}
	}
}

// nextTaskID is an id no task of the case has had: t1, t2, …
func (c *Case) nextTaskID() string {
	highest := 0
	for _, t := range c.Tasks {
		if n, err := strconv.Atoi(strings.TrimPrefix(t.ID, "t")); err == nil && n > highest {
			highest = n
		}
	}
	return "t" + strconv.Itoa(highest+1)
}

// NoticesText is the case's notices in a line, for the audit trail and
// listings, e.g. "it-service-desk v1 (employment), gpg-csep-hub v1", or
// "none named".
func NoticesText(notices []CaseNotice) string {
	if len(notices) == 0 {
		return "none named"
	}
	parts := make([]string, len(notices))
	for i, n := range notices {
		parts[i] = n.ID + " v" + strconv.Itoa(n.Version)
		var scope []string
		if n.Context != "" {
			scope = append(scope, n.Context)
		}
		if n.Audience != "" {
			scope = append(scope, "audience "+n.Audience)
		}
		if len(scope) > 0 {
			parts[i] += " (" + strings.Join(scope, ", ") + ")"
		}
	}
	return strings.Join(parts, ", ")
}

// UnmarshalJSON reads a case, including one stored before a case could
// name several notices: its single notice_id, notice_version, context and
// audience become its one CaseNotice.
func (c *Case) UnmarshalJSON(b []byte) error {
	type plain Case
	var rec struct {
		plain
		LegacyNoticeID      string `json:"notice_id"`
		LegacyNoticeVersion int    `json:"notice_version"`
		LegacyContext       string `json:"context"`
		LegacyAudience      string `json:"audience"`
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		return err
	}
	*c = Case(rec.plain)
	if len(c.Notices) == 0 && rec.LegacyNoticeID != "" {
		c.Notices = []CaseNotice{{NoticeRef: NoticeRef{ID: rec.LegacyNoticeID, Context: rec.LegacyContext, Audience: rec.LegacyAudience}, Version: rec.LegacyNoticeVersion}}
		for i := range c.Rights {
			r := &c.Rights[i]
			r.PerNotice = []NoticeEvaluation{{NoticeID: rec.LegacyNoticeID, Availability: r.Availability, Condition: r.Condition, Reason: r.Reason}}
		}
	}
	return nil
}

// pinned resolves the notices the case names at the versions it is pinned
// to, for commands that evaluate again without moving them.
func (c *Case) pinned(env Env) ([]resolvedNotice, error) {
	out := make([]resolvedNotice, 0, len(c.Notices))
	for _, ref := range c.Notices {
		var n *notice.Notice
		if env.Notice != nil {
			n, _ = env.Notice(ref.ID)
		}
		if n == nil {
			return nil, &fault.FailedPrecondition{Subject: c.Name(), Description: fmt.Sprintf("the case names notice %q, which is no longer in the catalogue: change its notices first", ref.ID)}
		}
		v, ok := n.Version(ref.Version)
		if !ok {
			return nil, &fault.FailedPrecondition{Subject: c.Name(), Description: fmt.Sprintf("notice %q has no version %d any more", ref.ID, ref.Version)}
		}
		out = append(out, resolvedNotice{ref: ref, version: v})
	}
	return out, nil
}

// reassess records the notices and rights of the case and everything that
// follows from them: each right's evaluation, whether another controller
// owns the request, and the Art 19 tasks.
func (c *Case) reassess(notices []resolvedNotice, rights []notice.Right) error {
	c.Notices = c.Notices[:0]
	for _, n := range notices {
		c.Notices = append(c.Notices, n.ref)
	}
	if err := evaluate(c, notices, rights); err != nil {
		return err
	}
	c.OtherController = otherController(notices)
	c.syncArticle19Tasks(notices)
	return nil
}

func (c *Case) rightsAsked() []notice.Right {
	out := make([]notice.Right, len(c.Rights))
	for i, r := range c.Rights {
		out[i] = r.Right
	}
	return out
}

func refsOf(notices []CaseNotice) []NoticeRef {
	out := make([]NoticeRef, len(notices))
	for i, n := range notices {
		out[i] = n.NoticeRef
	}
	return out
}

// changeNotices sets the notices a case is about, as staff triage finds
// them: each is pinned to the version in force when the request was
// received, every right is evaluated again and the Art 19 tasks follow.
func (c *Case) changeNotices(refs []NoticeRef, env Env) error {
	notices, bad := resolveNotices(refs, c.ReceivedOn, env, "case.notices")
	if err := invalidIf(bad); err != nil {
		return err
	}
	return c.reassess(notices, c.rightsAsked())
}

// changeRights sets the rights the request asks for, as staff read it;
// each is evaluated under the case's notices and the Art 19 tasks follow.
func (c *Case) changeRights(rights []notice.Right, env Env) error {
	var v []fault.FieldViolation
	validateRights(rights, func(field, format string, args ...any) {
		v = append(v, fault.FieldViolation{Field: field, Description: fmt.Sprintf(format, args...)})
	})
	if err := invalidIf(v); err != nil {
		return err
	}
	notices, err := c.pinned(env)
	if err != nil {
		return err
	}
	return c.reassess(notices, rights)
}
