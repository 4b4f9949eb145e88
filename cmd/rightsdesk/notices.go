package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/encoding/protojson"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
)

func runNoticesList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("notices list", stderr)
	addr := fs.String("addr", "127.0.0.1:9090", "gRPC address of a running server")
	asJSON := fs.Bool("json", false, "print the notices as JSON, one per line")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	conn, err := grpc.NewClient(*addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	notices, err := listAllNotices(ctx, rdv1.NewNoticeServiceClient(conn))
	if err != nil {
		return fmt.Errorf("cannot list notices from %s (is `rightsdesk serve` running?): %w", *addr, err)
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
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", n.GetName()[len("notices/"):], n.GetVersion(), n.GetEffectiveFrom(), n.GetTitle())
	}
	return tw.Flush()
}

func listAllNotices(ctx context.Context, client rdv1.NoticeServiceClient) ([]*rdv1.Notice, error) {
	var all []*rdv1.Notice
	req := &rdv1.ListNoticesRequest{PageSize: 100}
	for {
		resp, err := client.ListNotices(ctx, req, grpc.WaitForReady(false))
		if err != nil {
			return nil, err
		}
		all = append(all, resp.GetNotices()...)
		if resp.GetNextPageToken() == "" {
			return all, nil
		}
		req.PageToken = resp.GetNextPageToken()
	}
}
