package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rightsdesk/rightsdesk/internal/deadline"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

// maxHolidayFile bounds what we read; GOV.UK's file is about 20 KB.
const maxHolidayFile = 4 << 20

func runHolidaysImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("holidays import", stderr)
	dataDir := fs.String("data", "./rightsdesk-data", "data directory of the database to import into")
	file := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if file == "" {
		fmt.Fprintln(stderr, "usage: rightsdesk holidays import FILE [--data DIR]")
		return errUsage
	}
	doc, err := readBounded(file, maxHolidayFile)
	if err != nil {
		return err
	}
	cal, err := deadline.ParseGOVUKBankHolidays(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	st, err := openStore(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Update(ctx, func(tx store.WriteTx) error { return store.AddHolidayImport(tx, doc) }); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "Imported bank holidays for %s into %s; the server uses them from its next start.\n", strings.Join(cal.Regions(), ", "), *dataDir)
	return err
}

func readBounded(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := io.ReadAll(io.LimitReader(f, max+1))
	if err == nil && int64(len(doc)) > max {
		err = fmt.Errorf("%s is larger than %d bytes", path, max)
	}
	return doc, err
}
