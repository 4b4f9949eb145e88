package bench

import (
	"context"
	"os"
	"runtime/pprof"
	"testing"
	"time"
)

func TestZZProfileGRPC(t *testing.T) {
	if os.Getenv("ZZPROF") == "" {
		t.Skip()
	}
	dir := t.TempDir()
	f, _ := os.Create(os.Getenv("ZZPROF"))
	var l load
	var err error
	var u0, u1 float64
	u0 = cpuSeconds()
	pprof.StartCPUProfile(f)
	l, err = grpcCreates(context.Background(), dir, 64, 15*time.Second, time.Now())
	pprof.StopCPUProfile()
	u1 = cpuSeconds()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%.1f/s p50 %.2f, cpu %.2fs over %s", l.perSecond(), l.percentile(50), u1-u0, l.elapsed)
}

func cpuSeconds() float64 {
	b, _ := os.ReadFile("/proc/self/stat")
	var f [20]string
	_ = f
	s := string(b)
	// fields after ") "
	i := len(s) - 1
	for s[i] != ')' {
		i--
	}
	var state string
	var x [12]int64
	var utime, stime int64
	_, _ = fmtSscan(s[i+2:], &state, &x, &utime, &stime)
	return float64(utime+stime) / 100
}
