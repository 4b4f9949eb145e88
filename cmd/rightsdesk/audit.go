package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/casework"
)

// errAuditBroken makes the exit status 1 after the report is printed.
var errAuditBroken = errors.New("the audit chain is broken")

func runAuditVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("audit verify", stderr)
	dataDir := fs.String("data", "./rightsdesk-data", "data directory of the database to verify (the server must be stopped; use the VerifyAudit RPC while it runs)")
	proof := fs.String("proof", "", "also check an evidence bundle (its .zip or proof.json) against the chain")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	st, err := openStoreReadOnly(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := casework.VerifyChain(ctx, st)
	var br *audit.Break
	if errors.As(err, &br) {
		fmt.Fprintf(stdout, "BROKEN: %v\n%d events verified before the break.\n", br, res.Events)
		return errAuditBroken
	}
	if err != nil {
		return err
	}
	if _, err = fmt.Fprintf(stdout, "Audit chain intact: %d events verified; head %s\n", res.Events, hex.EncodeToString(res.Head)); err != nil || *proof == "" {
		return err
	}
	return verifyProofFile(ctx, st, *proof, stdout)
}
