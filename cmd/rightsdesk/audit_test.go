package main

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	rdv1 "github.com/rightsdesk/rightsdesk/gen/go/rightsdesk/v1"
	"github.com/rightsdesk/rightsdesk/internal/app"
	"github.com/rightsdesk/rightsdesk/internal/app/apptest"
	"github.com/rightsdesk/rightsdesk/internal/audit"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

// serveWithCases starts a real server on dir, opens `count` cases through
// its API with a caseworker token, and returns the gRPC address, an admin
// token and a stop function.
func serveWithCases(t *testing.T, dir string, count int) (addr, adminToken string, stop func()) {
	t.Helper()
	caseworker := createToken(t, dir, "--role", "caseworker", "--name", "cw")
	adminToken = createToken(t, dir, "--role", "admin", "--name", "ops")
	srv, stop := apptest.Start(t, app.Config{DataDir: dir})
	ctx := t.Context()

	conn, err := grpc.NewClient(srv.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		stop()
		t.Fatal(err)
	}
	defer conn.Close()
	client := rdv1.NewCaseServiceClient(conn)
	callCtx := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+caseworker)
	for range count {
		_, err := client.CreateCase(callCtx, &rdv1.CreateCaseRequest{Case: &rdv1.Case{
			Notices:   []*rdv1.CaseNotice{{Notice: "notices/it-service-desk"}},
			Rights:    []*rdv1.RequestedRight{{Right: rdv1.Right_RIGHT_ACCESS}},
			Requester: &rdv1.Requester{Person: &rdv1.Person{Name: "Ada Example", Email: "ada@example.org"}},
		}}, grpc.WaitForReady(true))
		if err != nil {
			stop()
			t.Fatal(err)
		}
	}
	return srv.GRPCAddr(), adminToken, stop
}

// A backup taken from a running server is a database that opens and whose
// chain verifies; tampering with one event in it makes `audit verify` name
// that event and exit 1; cutting the newest event is caught by the head.
func TestBackupWhileServingThenAuditVerify(t *testing.T) {
	addr, admin, stop := serveWithCases(t, t.TempDir(), 4)
	backup := filepath.Join(t.TempDir(), "backup.db")
	code, stdout, stderr := runCLI(t, "backup", "--addr", addr, "--token", admin, "--out", backup)
	stop()
	if code != 0 || !strings.Contains(stdout, "Backup written") {
		t.Fatalf("backup: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, _ := runCLI(t, "backup", "--addr", addr, "--token", admin, "--out", backup); code == 0 {
		t.Error("backup overwrote an existing file")
	}

	restored := t.TempDir()
	raw, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(restored, "rightsdesk.db"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runCLI(t, "audit", "verify", "--data", restored)
	if code != 0 || !strings.Contains(stdout, "intact: 6 events") { // 2 tokens made offline, 4 cases
		t.Fatalf("verify restored backup: exit %d\n%s%s", code, stdout, stderr)
	}

	alterStore(t, restored, func(tx store.WriteTx) error {
		key := binary.BigEndian.AppendUint64(nil, 2)
		var e audit.Event
		if err := store.EachEvent(tx, func(each *audit.Event, _ *audit.Payload) error {
			if each.Seq == 2 {
				e = *each
			}
			return nil
		}); err != nil {
			return err
		}
		e.Actor = "someone-else"
		out, err := json.Marshal(e) // the layout events had before compression, still read
		if err != nil {
			return err
		}
		return tx.Put(store.BucketAudit, key, out)
	})
	code, stdout, _ = runCLI(t, "audit", "verify", "--data", restored)
	if code != 1 || !strings.Contains(stdout, "event 2") || !strings.Contains(stdout, "1 events verified before the break") {
		t.Fatalf("verify after altering event 2: exit %d\n%s", code, stdout)
	}
}

func TestAuditVerifyCatchesEventsCutFromTheEnd(t *testing.T) {
	dir := t.TempDir()
	_, _, stop := serveWithCases(t, dir, 3)
	stop()
	// Events 1 and 2 are the tokens serveWithCases made; 5 is the newest.
	alterStore(t, dir, func(tx store.WriteTx) error {
		return tx.Delete(store.BucketAudit, binary.BigEndian.AppendUint64(nil, 5))
	})
	code, stdout, _ := runCLI(t, "audit", "verify", "--data", dir)
	if code != 1 || !strings.Contains(stdout, "event 5") {
		t.Fatalf("verify after deleting the newest event: exit %d\n%s", code, stdout)
	}
}

func alterStore(t *testing.T, dir string, fn func(store.WriteTx) error) {
	t.Helper()
	st, err := openStore(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Update(t.Context(), fn); err != nil {
		t.Fatal(err)
	}
}
