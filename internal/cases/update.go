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
var UpdatablePaths = []string{"description", "region", "requester", "channel", "received_on"}

// Update copies the named fields from From.
type Update struct {
	Paths []string
	From  Case
}

// Action implements Command.
func (Update) Action() string { return "case.updated" }

func (cmd Update) apply(c *Case, env Env) (map[string]any, error) {
	if len(cmd.Paths) == 0 {
		return nil, fault.Invalid("update_mask", "name the fields to update: %s", strings.Join(UpdatablePaths, ", "))
	}
	if !c.Open() {
		return nil, c.illegal("update")
	}
	personal := map[string]any{}
	for _, path := range cmd.Paths {
		if err := cmd.applyPath(c, env, path, personal); err != nil {
			return nil, err
		}
	}
	return personal, nil
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
		c.Region = from.Region
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
	default:
		return fault.Invalid("update_mask", "%q cannot be updated; updatable fields: %s", path, strings.Join(UpdatablePaths, ", "))
	}
	return nil
}
