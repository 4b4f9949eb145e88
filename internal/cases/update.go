package cases

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// UpdatablePaths are the fields UpdateCase may change; everything else
// moves only through the lifecycle commands.
var UpdatablePaths = []string{"description", "region", "requester", "channel", "received_on", "notices", "rights"}

// FullReplacement is the update_mask that names every updatable field
// (AIP-134): each takes From's value, so a case read, edited and sent back
// whole is updated as sent. The region is the exception: it changes only
// when From's differs, since changing it needs a reason and sending back
// the one the case has is no change.
const FullReplacement = "*"

// Update copies the named fields from From. Changing the region, the
// calendar the organisation's clock runs on, needs From.RegionReason.
// Changing the notices pins each to the version in force when the request
// was received (as does correcting that date); changing the notices or the
// rights evaluates every right again and brings the Art 19 tasks in line.
type Update struct {
	Paths []string
	From  Case
}

// Action implements Command.
func (Update) Action() string { return "case.updated" }

func (cmd Update) apply(c *Case, env Env) (map[string]any, error) {
	if len(cmd.Paths) == 0 {
		return nil, fault.Invalid("update_mask", "name the fields to update (%s), or %q for all of them", strings.Join(UpdatablePaths, ", "), FullReplacement)
	}
	if !c.Open() {
		return nil, c.illegal("update")
	}
	paths, err := cmd.paths(c)
	if err != nil {
		return nil, err
	}
	personal := map[string]any{}
	for _, path := range paths {
		if err := cmd.applyPath(c, env, path, personal); err != nil {
			return nil, err
		}
	}
	if slices.Contains(paths, "received_on") && !slices.Contains(paths, "notices") {
		if err := c.changeNotices(refsOf(c.Notices), env); err != nil {
			return nil, err
		}
	}
	return personal, nil
}

// paths are the fields the update changes: Paths, or for FullReplacement
// every updatable one (less an unchanged region).
func (cmd Update) paths(c *Case) ([]string, error) {
	if !slices.Contains(cmd.Paths, FullReplacement) {
		return cmd.Paths, nil
	}
	if len(cmd.Paths) > 1 {
		return nil, fault.Invalid("update_mask", "%q names every updatable field, so it stands alone", FullReplacement)
	}
	return slices.DeleteFunc(slices.Clone(UpdatablePaths), func(p string) bool {
		return p == "region" && cmd.From.Region == c.Region
	}), nil
}

func (cmd Update) applyPath(c *Case, env Env, path string, personal map[string]any) error {
	from := &cmd.From
	switch path {
	case "description":
		if problem := textProblem(from.Description, MaxDescription, paragraph); problem != "" {
			return fault.Invalid("case.description", "%s", problem)
		}
		c.Description = strings.TrimSpace(from.Description)
		personal["description"] = c.Description
	case "region":
		reason := strings.TrimSpace(from.RegionReason)
		var v []fault.FieldViolation
		checkText(&v, "case.region_reason", reason, MaxDetail, paragraph, "say why this case counts working days in another region's calendar than the organisation's")
		if err := invalidIf(v); err != nil {
			return err
		}
		c.Region, c.RegionReason = from.Region, reason
	case "requester":
		var v []fault.FieldViolation
		validateRequester(from.Requester, func(field, format string, args ...any) {
			v = append(v, fault.FieldViolation{Field: field, Description: fmt.Sprintf(format, args...)})
		})
		if len(v) > 0 {
			return &fault.InvalidArgument{Violations: v}
		}
		c.Requester = from.Requester
		personal["requester"] = c.Requester
	case "channel":
		if !slices.Contains(Channels, from.Channel) {
			return fault.Invalid("case.channel", "unknown channel %q", from.Channel)
		}
		c.Channel = from.Channel
	case "received_on":
		d, err := deadline.ParseDate(from.ReceivedOn)
		if err != nil || d.After(env.Today()) {
			return fault.Invalid("case.received_on", "%q is not a date on or before today", from.ReceivedOn)
		}
		c.ReceivedOn = from.ReceivedOn
	case "notices":
		return c.changeNotices(refsOf(from.Notices), env)
	case "rights":
		return c.changeRights(from.rightsAsked(), env)
	default:
		return fault.Invalid("update_mask", "%q cannot be updated; updatable fields: %s", path, strings.Join(UpdatablePaths, ", "))
	}
	return nil
}
