package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/auth"
	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/store"
	"github.com/rightsdesk/rightsdesk/internal/usecase"
)

// errAuditBroken makes the exit status 1 after the report is printed.
var errAuditBroken = errors.New("the audit chain is broken")

func runAuditVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("audit verify", stderr)
	where := addTarget(fs, targetOptions{need: auth.RoleAdmin, dataUsage: "data directory of the database to verify, opened read-only"})
	proof := fs.String("proof", "", "also check an evidence bundle (its .zip or proof.json) against the chain; needs --data, as it compares the bundle with the stored events")
	if err := where.parse(args); err != nil {
		return err
	}
	if where.remote && *proof != "" {
		fmt.Fprintln(stderr, "--proof compares a bundle with the events in the database file, so it needs --data (the server stopped), not --server")
		return errUsage
	}
	var (
		res usecase.ChainResult
		st  *store.Store
		err error
	)
	if where.remote {
		res, err = verifyRemote(ctx, where)
	} else {
		if st, err = openStoreReadOnly(ctx, where.data); err != nil {
			return err
		}
		defer st.Close()
		res, err = casework.VerifyChain(ctx, st)
	}
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

// verifyRemote asks a running server to verify its chain, and reports a
// break as casework.VerifyChain does: an *audit.Break.
func verifyRemote(ctx context.Context, where *target) (usecase.ChainResult, error) {
	c, err := where.dial()
	if err != nil {
		return usecase.ChainResult{}, err
	}
	defer c.Close()
	resp, err := c.admin().VerifyAudit(ctx, &rdv1.VerifyAuditRequest{})
	if err != nil {
		return usecase.ChainResult{}, c.explain(err)
	}
	head, err := hex.DecodeString(resp.GetHead())
	if err != nil {
		return usecase.ChainResult{}, fmt.Errorf("the server sent an audit head that is not hex: %w", err)
	}
	res := usecase.ChainResult{Events: resp.GetEvents(), Head: head}
	if !resp.GetIntact() {
		return res, &audit.Break{Seq: resp.GetBrokenAt(), CaseID: resp.GetBrokenCase(), Reason: resp.GetReason()}
	}
	return res, nil
}
