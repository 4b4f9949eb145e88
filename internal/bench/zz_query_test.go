package bench

import (
	"context"
	"os"
	"runtime/pprof"
	"testing"
	"time"
)

func TestZZProfileQuery(t *testing.T) {
	if os.Getenv("ZZQ") == "" {
		t.Skip()
	}
	ctx := context.Background()
	dir := os.Getenv("ZZQDIR")
	if _, err := os.Stat(dir + "/rightsdesk.db"); err != nil {
		if err := seed(ctx, dir, Config{Cases: 100000}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	inst, err := startServer(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer inst.stop()
	f, _ := os.Create(os.Getenv("ZZQ"))
	pprof.StartCPUProfile(f)
	l, err := queryTop50(ctx, inst, 100000, 5000)
	pprof.StopCPUProfile()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("p50 %.2f p90 %.2f p99 %.2f max %.2f over %s", l.percentile(50), l.percentile(90), l.percentile(99), l.percentile(100), l.elapsed)
}
