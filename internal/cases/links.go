package cases

import (
	"fmt"
	"slices"

	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// MaxLinks bounds the other cases one case links to.
const MaxLinks = 50

// Link records that the case is about the same person or matter as
// another (the use case links both ways, in one transaction).
type Link struct{ Other string }

// Action implements Command.
func (Link) Action() string { return "case.linked" }

func (cmd Link) apply(c *Case, _ Env) (map[string]any, error) {
	if err := c.link(cmd.Other); err != nil {
		return nil, err
	}
	return nil, nil
}

func (c *Case) link(other string) error {
	switch {
	case other == "":
		return fault.Invalid("other", "name the case to link to")
	case other == c.ID:
		return fault.Invalid("other", "a case cannot be linked to itself")
	case slices.Contains(c.Links, other):
		return nil
	}
	if err := c.checkRoom(len(c.Links), MaxLinks, "linked cases"); err != nil {
		return err
	}
	c.Links = append(c.Links, other)
	return nil
}

// MergeInto closes the case as a duplicate of another, which goes on in its
// place, and links the two (the use case adds the link to the other too).
type MergeInto struct {
	Into string
	On   string
}

// Action implements Command.
func (MergeInto) Action() string { return "case.merged" }

func (cmd MergeInto) statedOn() string { return cmd.On }

func (cmd MergeInto) apply(c *Case, env Env) (map[string]any, error) {
	on, err := actionDate(c, env, "on", cmd.On)
	if err != nil {
		return nil, err
	}
	if err := c.link(cmd.Into); err != nil {
		return nil, err
	}
	if err := c.moveTo(StateClosed, "merge"); err != nil {
		return nil, err
	}
	c.WaitingFor = WaitingForNothing
	c.Outcome = &Outcome{Kind: OutcomeDuplicate, DuplicateOf: cmd.Into, ClosedOn: on, OnTime: on <= c.Clock.Due,
		Detail: fmt.Sprintf("Merged into %s, which goes on in its place.", "cases/"+cmd.Into)}
	return nil, nil
}
