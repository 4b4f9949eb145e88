package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/store/bolt"
)

// errCheckFailed makes the exit status 1 after the problems are printed.
var errCheckFailed = errors.New("the database is not consistent")

// maxPrinted bounds the problems printed of each kind.
const maxPrinted = 100

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("check", stderr)
	dataDir := fs.String("data", "./rightsdesk-data", "data directory of the database to check (the server must be stopped); it is opened read-only and left unchanged")
	storeAddr := fs.String("store", "", "check this store instead of --data's: bolt:///DIR or etcd://HOST:PORT,…[/PREFIX] (on etcd the replicas may keep running: the check reads one snapshot; there are no pages to check)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *storeAddr != "" {
		where, err := app.ParseStore(*storeAddr, "")
		if err != nil {
			return fmt.Errorf("--store: %w", err)
		}
		if where.Engine != "bolt" {
			return checkRemoteStore(ctx, where, stdout)
		}
		*dataDir = where.Dir
	}
	// An empty, truncated or missing file fails here, naming the problem.
	backend, err := bolt.Open(*dataDir, bolt.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer backend.Close()

	err = backend.CheckPages(ctx)
	var damage *bolt.DamageError
	if errors.As(err, &damage) {
		for i, p := range damage.Problems {
			if i == maxPrinted {
				break
			}
			fmt.Fprintf(stdout, "pages: %v\n", p)
		}
		if more := len(damage.Problems) + damage.Omitted - maxPrinted; more > 0 {
			fmt.Fprintf(stdout, "pages: … and %d more\n", more)
		}
		fmt.Fprintf(stdout, "DAMAGED: %s has damaged pages; the indexes and the audit chain were not checked, since reading damaged pages can fail at any point. Restore rightsdesk.db from a backup.\n", backend.Path())
		return errCheckFailed
	}
	if err != nil {
		return err
	}

	st, err := openReadOnlySchema(ctx, *dataDir, backend)
	if err != nil {
		return err
	}
	return checkRecords(ctx, st, "pages checked", "pages checked and sound", backend.Path(), "Restore rightsdesk.db from a backup", stdout)
}

// checkRemoteStore checks a store on etcd: the indexes against the records
// and the audit chain, from one snapshot.
func checkRemoteStore(ctx context.Context, where app.StoreAddress, stdout io.Writer) error {
	backend, err := app.OpenBackend(ctx, where, app.OpenOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer backend.Close()
	opts, err := offlineKeyring("")
	if err != nil {
		return err
	}
	st, err := store.OpenReadOnly(ctx, backend, opts...)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	return checkRecords(ctx, st, "one etcd snapshot read", "read from one etcd snapshot", where.String(), "Restore from an etcd snapshot or a backup", stdout)
}

// checkRecords compares the indexes with the records and verifies the
// audit chain, printing what it finds.
func checkRecords(ctx context.Context, st *store.Store, pages, pagesFailed, name, restore string, stdout io.Writer) error {
	var report *store.Consistency
	if err := st.View(ctx, func(tx store.ReadTx) (err error) {
		report, err = store.CheckConsistency(tx)
		return err
	}); err != nil {
		return err
	}
	for i, p := range report.Problems {
		if i == maxPrinted {
			break
		}
		fmt.Fprintf(stdout, "indexes: %v\n", p)
	}
	if more := len(report.Problems) + report.Omitted - maxPrinted; more > 0 {
		fmt.Fprintf(stdout, "indexes: … and %d more\n", more)
	}

	chain, err := casework.VerifyChain(ctx, st)
	var br *audit.Break
	chainOK := err == nil
	switch {
	case errors.As(err, &br):
		fmt.Fprintf(stdout, "audit: %v (%d events verified before it)\n", br, chain.Events)
	case err != nil:
		fmt.Fprintf(stdout, "audit: the chain could not be read: %v\n", err)
	}

	if !report.OK() || !chainOK {
		n := len(report.Problems) + report.Omitted
		if !chainOK {
			n++
		}
		fmt.Fprintf(stdout, "NOT CONSISTENT: %d problem(s) in %s (%s). %s, or keep this copy and report the problems above.\n", n, name, pagesFailed, restore)
		return errCheckFailed
	}
	_, err = fmt.Fprintf(stdout, "Database consistent: %s, %d cases and their indexes agree (%d index entries), audit chain intact (%d events)\n",
		pages, report.Cases, report.IndexEntries, chain.Events)
	return err
}
