package main

import (
	"context"
	"fmt"
	"io"

	"github.com/rightsdesk/rightsdesk/internal/buildinfo"
)

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if err := parseFlags(newFlags("version", stderr), args); err != nil {
		return err
	}
	_, err := fmt.Fprintf(stdout, "rightsdesk %s\n", buildinfo.String())
	return err
}
