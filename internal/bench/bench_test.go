package bench_test

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/bench"
	"github.com/rightsdesk/rightsdesk/internal/store"
)

// A tiny run of the whole driver, so `make bench` cannot rot between the
// times someone runs it: every figure must be measured and printed.
func TestTinyRunMeasuresAndPrintsEverything(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers and fsyncs for a few seconds")
	}
	dir := t.TempDir()
	rep, err := bench.Run(t.Context(), bench.Config{
		Dir: dir, Clients: []int{1, 4}, Duration: 400 * time.Millisecond, Cases: 200, Queries: 20, GrowthBase: 50,
	})
	if err != nil {
		t.Fatal(err)
	}

	if rep.WriteShape.Puts < 1 || rep.WriteShape.Bytes <= 0 {
		t.Errorf("write shape %+v: a create must put something", rep.WriteShape)
	}
	if len(rep.Writes) != 2 {
		t.Fatalf("%d write levels, want 2", len(rep.Writes))
	}
	for i, l := range rep.Writes {
		if l.Clients != []int{1, 4}[i] || l.CreatesPerSec <= 0 || l.BatchesPerSec <= 0 || l.GroupPerSec <= 0 || l.PlainCreatesPerSec <= 0 ||
			l.CreateP50Ms <= 0 || l.CreateP99Ms < l.CreateP50Ms || l.BatchP50Ms <= 0 || l.BatchP99Ms < l.BatchP50Ms ||
			l.GroupP50Ms <= 0 || l.GroupP99Ms < l.GroupP50Ms || l.PlainCreateP50Ms <= 0 || l.PlainCreateP99Ms < l.PlainCreateP50Ms {
			t.Errorf("write level %+v: want positive rates and latencies, p99 ≥ p50", l)
		}
		if l.CreateCPUPerOpMicros <= 0 || l.GroupCPUPerOpMicros <= 0 || l.CreateCoresBusy <= 0 || l.GroupCoresBusy <= 0 {
			t.Errorf("write level %+v: want the process's CPU per operation and cores busy for CreateCase and the group commit", l)
		}
		if l.CreateWriterBusy <= 0 || l.CreateWriterBusy > 1 || l.CreateCallsPerCommit < 1 || l.CreateWriterRunningMicros <= 0 || l.CreateWriterCommittingMicros <= 0 {
			t.Errorf("write level %+v: want the server's writer busy for a share of the time, at least one writer a commit, and time running and committing", l)
		}
		if l.Ratio != l.CreatesPerSec/l.GroupPerSec || l.SealedRatio != l.CreatesPerSec/l.PlainCreatesPerSec {
			t.Errorf("write level %+v: the ratios are not of the group commit and the plain server", l)
		}
	}
	rd := rep.Reads
	if rd == nil {
		t.Fatal("no read phase")
	}
	if rd.Cases != 200 || rd.SeedSeconds <= 0 || rd.StartupMs <= 0 || rd.Queries != 20 ||
		rd.QueryP50Ms <= 0 || rd.QueryP99Ms < rd.QueryP50Ms || rd.QueryMaxMs < rd.QueryP99Ms ||
		rd.DecodedP50Ms <= 0 || rd.DecodedP99Ms < rd.DecodedP50Ms || rd.DecodedMaxMs < rd.DecodedP99Ms {
		t.Errorf("read phase %+v: want every figure measured", rd)
	}
	if len(rd.Views) < 10 {
		t.Errorf("%d queue views timed, want every view", len(rd.Views))
	}
	for _, v := range rd.Views {
		if v.Calls <= 0 || v.P50Ms <= 0 || v.P99Ms < v.P50Ms || v.Shown < 0 {
			t.Errorf("queue view %+v: want its first page timed", v)
		}
		if v.Name == "all open" && v.Shown != 50 {
			t.Errorf("queue view %q showed %d of 200 open cases, want a page of 50", v.Name, v.Shown)
		}
	}
	if rd.FileBytes <= 0 || rd.InUseBytesPerCase <= 0 || rd.InUseBytesPerCase > rd.BytesPerCase ||
		rd.BucketBytesPerCase[store.BucketCases] <= 0 || rd.BucketBytesPerCase[store.BucketOpenByDue] <= 0 {
		t.Errorf("disk figures %d B, %.0f B/case, %.0f in use, by bucket %v: want the cases and their index on disk",
			rd.FileBytes, rd.BytesPerCase, rd.InUseBytesPerCase, rd.BucketBytesPerCase)
	}
	if g := rd.Growth; g == nil || g.Clients != 64 || g.BaseCases != 50 || g.Cases != 200 || g.BasePerSec <= 0 || g.GrownPerSec <= 0 ||
		g.BaseP99Ms <= 0 || g.GrownP99Ms <= 0 || g.GrownToBaseRatio != g.GrownPerSec/g.BasePerSec ||
		g.BaseOneClientPerSec <= 0 || g.GrownOneClientPerSec <= 0 || g.BaseOneClientP99Ms <= 0 || g.GrownOneClientP99Ms <= 0 {
		t.Errorf("growth %+v: want CreateCase timed at 1 and 64 clients over 50 and over 200 cases", g)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("Run left %d entries in its directory, want none", len(left))
	}

	var out strings.Builder
	if err := rep.Print(&out); err != nil {
		t.Fatal(err)
	}
	for _, row := range []string{
		`(?m)^ +1 +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+% +[0-9.]+ +[0-9.]+ +[0-9.]+$`,
		`(?m)^ +4 +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+% +[0-9.]+ +[0-9.]+ +[0-9.]+$`,
		`(?m)^ +4 +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+%$`,
		`(?m)^ *clients +sealed CreateCase/s .* sealed/plain$`,
		`(?m)^ *clients +CreateCase CPU µs/op +cores busy +group commit CPU µs/op +cores busy$`,
		`(?m)^ +4 +[0-9]+ +[0-9.]+ +[0-9]+ +[0-9.]+$`,
		`(?m)^ *clients +writer busy +writers/commit +running µs/writer +committing µs/writer$`,
		`(?m)^ +4 +[0-9.]+% +[0-9.]+ +[0-9]+ +[0-9]+$`,
		`(?m)^top 50 open by due .*p50 [0-9.]+ ms +p99 [0-9.]+ ms`,
		`(?m)^  the same, decoded in the server's process +p50 [0-9.]+ ms +p99 [0-9.]+ ms`,
		`(?m)^server startup over the seeded store +[0-9]+ ms$`,
		`(?m)^queue view "right", first page \([0-9]+ shown, [0-9]+ calls\) +p50 [0-9.]+ ms +p99 [0-9.]+ ms$`,
		`(?m)^  every queue view's first page p99 < 20 ms +[0-9.]+ ms \(.*\) +(met|MISSED)`,
		`(?m)^disk +[0-9.]+ MB, [0-9,]+ B/case`,
		`(?m)^  by bucket, B/case .*cases [0-9,]+`,
		`(?m)^  CreateCase ≥ 90% of the bbolt group commit at 64 clients +[0-9.]+% +(met|MISSED) +\(measured at 4 clients, not 64\)$`,
		`(?m)^  CreateCase sealed ≥ 85% of plain at 64 clients +[0-9.]+% +(met|MISSED) +\(measured at 4 clients, not 64\)$`,
		`(?m)^  top 50 open by due p99 < 5 ms +[0-9.]+ ms +(met|MISSED)`,
		`(?m)^  startup < 1000 ms `,
		`(?m)^  disk < 4,000 B per case `,
		`(?m)^  heap \(anonymous RSS\) < 200 MB +[0-9.]+ MB +(met|MISSED)`,
		`(?m)^CreateCase at 64 clients over 50 cases +[0-9.]+/s  p99 [0-9.]+ ms$`,
		`(?m)^CreateCase at 64 clients over 200 cases +[0-9.]+/s  p99 [0-9.]+ ms  \([0-9.]+% of over 50\)$`,
		`(?m)^  CreateCase over 1,000,000 cases ≥ 75% of over 50 +[0-9.]+% +(met|MISSED) +\(at 200 cases`,
	} {
		if !regexp.MustCompile(row).MatchString(out.String()) {
			t.Errorf("the report has no line matching %s:\n%s", row, out.String())
		}
	}
	if _, err := json.Marshal(rep); err != nil {
		t.Errorf("--json: %v", err)
	}
}

func TestRunRefusesUnboundedConfigs(t *testing.T) {
	for _, cfg := range []bench.Config{
		{Clients: []int{0}, Duration: time.Second},
		{Clients: []int{bench.MaxClients + 1}, Duration: time.Second},
		{Clients: []int{1}},
		{Cases: -1},
		{Cases: bench.MaxCases + 1, Queries: 1},
		{Cases: 10},
		{Cases: 10, Queries: bench.MaxQueries + 1},
		{BackupStall: -time.Second},
		{BackupStall: bench.MaxBackupStall + time.Second, StallCases: 10, StallClients: 1},
		{BackupStall: time.Second, StallClients: 1},
		{BackupStall: time.Second, StallCases: 10},
	} {
		if _, err := bench.Run(t.Context(), cfg); err == nil {
			t.Errorf("%+v was accepted", cfg)
		}
	}
}

// A tiny backup-stall phase: both sides measured, the stalled backup read
// to its end afterwards, and the verdicts printed.
func TestTinyBackupStallMeasuresAndPrintsBothSides(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server and fsyncs for a few seconds")
	}
	rep, err := bench.Run(t.Context(), bench.Config{Dir: t.TempDir(), BackupStall: 500 * time.Millisecond, StallCases: 300, StallClients: 2})
	if err != nil {
		t.Fatal(err)
	}
	b := rep.BackupStall
	if b == nil {
		t.Fatal("no backup-stall phase")
	}
	if b.Cases != 300 || b.Clients != 2 || b.CreatesPerSec <= 0 || b.StalledCreatesPerSec <= 0 || b.Ratio != b.StalledCreatesPerSec/b.CreatesPerSec ||
		b.Reads <= 0 || b.StalledReads <= 0 || b.ReadP50Ms <= 0 || b.ReadP99Ms < b.ReadP50Ms || b.StalledReadP50Ms <= 0 || b.StalledReadP99Ms < b.StalledReadP50Ms {
		t.Errorf("backup stall %+v: want both sides measured", b)
	}
	if b.BackupBytesRead <= 0 || b.BackupBytes <= b.BackupBytesRead {
		t.Errorf("the stalled backup read %d bytes before it stopped and %d in all: want a first chunk and more after", b.BackupBytesRead, b.BackupBytes)
	}
	var out strings.Builder
	if err := rep.Print(&out); err != nil {
		t.Fatal(err)
	}
	for _, row := range []string{
		`(?m)^ +backup stalled +[0-9.]+ +[0-9.]+ +[0-9]+ +[0-9.]+ +[0-9.]+$`,
		`(?m)^  creates beside a stalled backup ≥ 80% of without \(issue 18\) +[0-9.]+% +(met|MISSED) +\(stalled for 500ms; the target is for 1m0s\)$`,
		`(?m)^  reads beside a stalled backup p99 < 50 ms \(issue 18\) +[0-9.]+ ms +(met|MISSED)`,
	} {
		if !regexp.MustCompile(row).MatchString(out.String()) {
			t.Errorf("the report has no line matching %s:\n%s", row, out.String())
		}
	}
}

// --store etcd measures etcd beside bbolt in the same run.
func TestTinyRunOnEtcd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an etcd cluster and servers for several seconds")
	}
	rep, err := bench.Run(t.Context(), bench.Config{
		Dir: t.TempDir(), Clients: []int{2}, Duration: 300 * time.Millisecond, Cases: 150, Queries: 10, Store: "etcd",
	})
	if err != nil {
		t.Fatal(err)
	}
	if l := rep.Writes[0]; l.EtcdCreatesPerSec <= 0 || l.EtcdCreateP50Ms <= 0 || l.EtcdCreateP99Ms < l.EtcdCreateP50Ms {
		t.Errorf("etcd write level %+v: want a positive rate and latencies", l)
	}
	e := rep.Reads.Etcd
	if e == nil || e.Keys <= 150 || e.CopySeconds <= 0 || e.StartupMs <= 0 || e.QueryP50Ms <= 0 || e.QueryP99Ms < e.QueryP50Ms {
		t.Fatalf("etcd read phase %+v: want every figure measured", e)
	}
	var out strings.Builder
	if err := rep.Print(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"etcd CreateCase/s", "etcd: top 50 open by due", "stores: bolt and etcd"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, out.String())
		}
	}
}

// Without a write phase, the growth phase's dials are the run's first: their
// request ids must still differ from the seeded cases' and from each
// other's, or a create is refused as a reused request id.
func TestReadsAloneCreateOverTheSeededStores(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers and fsyncs for a few seconds")
	}
	rep, err := bench.Run(t.Context(), bench.Config{
		Dir: t.TempDir(), Duration: 200 * time.Millisecond, Cases: 120, Queries: 5, GrowthBase: 40,
	})
	if err != nil {
		t.Fatal(err)
	}
	if g := rep.Reads.Growth; g == nil || g.GrownOneClientPerSec <= 0 || g.GrownPerSec <= 0 {
		t.Errorf("growth %+v: want creates at 1 and 64 clients over both stores", g)
	}
}
