package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/rightsdesk/rightsdesk/internal/auth"
)

func runNoticesList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("notices list", stderr)
	where := addTarget(fs, targetOptions{need: auth.RolePublic, defaultServer: "127.0.0.1:9090", addrAlias: true})
	asJSON := fs.Bool("json", false, "print the notices as JSON, one per line")
	if err := where.parse(args); err != nil {
		return err
	}
	c, err := where.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	notices, err := listAllNotices(ctx, c.notices())
	if err != nil {
		return c.explain(err)
	}
	if *asJSON {
		for _, n := range notices {
			fmt.Fprintln(stdout, protojson.Format(n))
		}
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tVERSION\tEFFECTIVE FROM\tTITLE")
	for _, n := range notices {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", noticeID(n), n.GetVersion(), n.GetEffectiveFrom(), n.GetTitle())
	}
	return tw.Flush()
}
