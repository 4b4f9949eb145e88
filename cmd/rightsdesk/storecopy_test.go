package main

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/store/etcd/etcdlocal"
)

// copyCases is the store copy test's size: RIGHTSDESK_COPY_CASES
// (make scaletest sets 10,000) or 200, which keeps make test short (and
// make race, which runs it again).
func copyCases(t *testing.T) int {
	if s := os.Getenv("RIGHTSDESK_COPY_CASES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("RIGHTSDESK_COPY_CASES=%q", s)
		}
		return n
	}
	return 200
}

// A seeded bbolt store copied to a three-member etcd cluster and back has
// the same cases and the same audit chain head at every step.
func TestStoreCopyToEtcdAndBack(t *testing.T) {
	// etcd's own default limits, which the README says still work: the
	// copy then takes several transactions a bucket even at 200 cases.
	cluster, err := etcdlocal.Start(context.Background(), etcdlocal.Options{MaxTxnOps: 128, MaxRequestBytes: 1536 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	n := copyCases(t)
	src := t.TempDir()
	if code, _, stderr := runCLI(t, "dev", "seed", "--data", src, "--cases", strconv.Itoa(n)); code != 0 {
		t.Fatalf("seed: %s", stderr)
	}
	etcdURL := cluster.URL("copytest")
	back := t.TempDir() + "/back"

	code, out, stderr := runCLI(t, "store", "copy", "--from", "bolt://"+src, "--to", etcdURL)
	if code != 0 || !strings.Contains(out, "Copy verified") {
		t.Fatalf("copy to etcd: exit %d\n%s%s", code, out, stderr)
	}
	if !strings.Contains(out, "cases "+strings.Repeat(" ", 22-len("cases"))+pad(n)+" "+pad(n)) {
		t.Errorf("the copy's report does not count %d cases on both sides:\n%s", n, out)
	}
	// A second copy into the same store is refused: it is not empty.
	if code, _, stderr := runCLI(t, "store", "copy", "--from", "bolt://"+src, "--to", etcdURL); code == 0 || !strings.Contains(stderr, "not empty") {
		t.Errorf("a copy into a store that has data: exit %d, %s", code, stderr)
	}
	if code, out, stderr := runCLI(t, "check", "--store", etcdURL); code != 0 || !strings.Contains(out, "Database consistent: one etcd snapshot read, "+strconv.Itoa(n)+" cases") {
		t.Fatalf("check on etcd: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, "store", "copy", "--from", etcdURL, "--to", "bolt://"+back)
	if code != 0 || !strings.Contains(out, "Copy verified") {
		t.Fatalf("copy back to bbolt: exit %d\n%s%s", code, out, stderr)
	}
	_, before, _ := runCLI(t, "audit", "verify", "--data", src)
	_, after, _ := runCLI(t, "audit", "verify", "--data", back)
	if !strings.HasPrefix(before, "Audit chain intact") || before != after {
		t.Fatalf("audit verify before the round trip:\n%safter it:\n%s", before, after)
	}
	t.Logf("%d cases to etcd and back; audit verify, the same on both sides: %s", n, strings.TrimSpace(before))
	if code, out, _ := runCLI(t, "check", "--data", back); code != 0 || !strings.Contains(out, strconv.Itoa(n)+" cases") {
		t.Fatalf("check of the round-tripped database: %s", out)
	}
}

func pad(n int) string {
	s := strconv.Itoa(n)
	return strings.Repeat(" ", 10-len(s)) + s
}
