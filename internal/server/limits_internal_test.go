package server

import (
	"testing"
	"time"
)

func TestConnectionCapLeavesFilesForTheStore(t *testing.T) {
	for _, tt := range []struct {
		files uint64
		want  int
	}{
		{0, defaultMaxConnections},       // limit not known
		{1 << 20, defaultMaxConnections}, // plenty
		{2*defaultMaxConnections + reservedFiles, defaultMaxConnections},
		{1024, (1024 - reservedFiles) / 2}, // a common soft limit: 412 each
		{100, 1},                           // absurdly low: one each, never zero
	} {
		if got := connectionsFor(tt.files); got != tt.want {
			t.Errorf("connectionsFor(%d) = %d, want %d", tt.files, got, tt.want)
		}
	}
}

func TestLimitsDefaultOnlyWhatIsUnset(t *testing.T) {
	l := Limits{MaxConnections: 7, IdleTimeout: 3 * time.Second}
	if err := l.withDefaults(); err != nil {
		t.Fatal(err)
	}
	if l.MaxConnections != 7 || l.IdleTimeout != 3*time.Second {
		t.Errorf("set limits were changed: %+v", l)
	}
	if l.ReadHeaderTimeout != 10*time.Second || l.WriteTimeout != time.Minute || l.MaxConcurrentStreams != DefaultMaxConcurrentStreams || l.MaxHeaderBytes != 64<<10 {
		t.Errorf("unset limits took no default: %+v", l)
	}
	for _, bad := range []Limits{{MaxConnections: -1}, {IdleTimeout: -time.Second}, {MaxHeaderBytes: -1}} {
		if err := bad.withDefaults(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}
