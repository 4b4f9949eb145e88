package app_test

import (
	"strings"
	"testing"

	"github.com/rightsdesk/rightsdesk/internal/app"
)

// FuzzParseStore reads any --store. An accepted address is bolt with a
// directory or etcd with members; the name messages give an etcd store
// reads back to the same members and prefix; and an address naming
// neither engine is refused, never taken for a directory called
// "something://…".
func FuzzParseStore(f *testing.F) {
	for _, s := range []string{
		"", "/var/lib/rightsdesk", "bolt:///var/lib/rightsdesk", "bolt://data", "bolt://", "etcd://a:2379,b:2379,c/rd?tls=1",
		"etcd://10.0.0.1:2379/prefix/?cacert=/ca.pem&cert=/c.pem&key=/k.pem&max-txn-ops=128", "etcd://", "etcd://,,/",
		"etcd://[::1]/p?retry-for=10s&dial-timeout=x", "etcd://h?unknown=1", "s3://bucket", "file:///tmp",
	} {
		f.Add(s, "/data")
	}
	f.Add("", "")
	f.Fuzz(func(t *testing.T, addr, dataDir string) {
		a, err := app.ParseStore(addr, dataDir)
		if err != nil {
			if strings.TrimSpace(err.Error()) == "" {
				t.Fatalf("%q: an empty error", addr)
			}
			return
		}
		switch a.Engine {
		case "bolt":
			if a.Dir == "" || strings.Contains(a.Dir, "://") && !strings.HasPrefix(addr, "bolt://") {
				t.Fatalf("%q (data %q) is bolt in directory %q", addr, dataDir, a.Dir)
			}
		case "etcd":
			if len(a.Etcd.Endpoints) == 0 {
				t.Fatalf("%q is etcd with no members", addr)
			}
			back, err := app.ParseStore(a.String(), "")
			if err != nil || back.Engine != "etcd" || strings.Join(back.Etcd.Endpoints, ",") != strings.Join(a.Etcd.Endpoints, ",") || back.String() != a.String() {
				t.Fatalf("%q is named %q, which reads back as %+v (%v)", addr, a.String(), back, err)
			}
		default:
			t.Fatalf("%q: engine %q", addr, a.Engine)
		}
	})
}
