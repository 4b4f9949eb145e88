package staff

import (
	"context"
	"net/url"
)

// workloadData is how many open cases each person has, each figure a link
// to those cases in the queue.
type workloadData struct {
	People     []workloadRow
	Unassigned workloadRow
}

type workloadRow struct {
	Name string
	Open int
	Href string
}

func (h *handler) workload(ctx context.Context) (workloadData, error) {
	load, err := h.cfg.Work.Workload(ctx)
	if err != nil {
		return workloadData{}, err
	}
	names, err := h.names(ctx)
	if err != nil {
		return workloadData{}, err
	}
	d := workloadData{Unassigned: workloadRow{Name: "Unassigned", Open: load.Unassigned, Href: Prefix + "?view=unassigned"}}
	for _, l := range load.People {
		d.People = append(d.People, workloadRow{Name: names.of(l.Assignee), Open: l.Open, Href: Prefix + "?" + url.Values{"view": {"all"}, "assignee": {l.Assignee}}.Encode()})
	}
	return d, nil
}
