package release

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// maxExposure is the highest `systemd-analyze security` exposure the unit
// may reach, in its tenths (the command's --threshold): it scores 1.2
// ("OK") today. What it leaves open is what the server needs: the
// network, and root's view of the service's user (PrivateUsers= would
// stop root using the admin socket).
const maxExposure = 15

// TestSystemdUnit checks deploy/rightsdesk.service with systemd-analyze:
// verify, which must find nothing to say (it exits 0 even on unknown
// settings, warning about them), and the offline security score.
func TestSystemdUnit(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed, so the systemd unit is not checked (Debian: apt-get install systemd)")
	}
	unit, err := os.ReadFile(filepath.Join(root(t), "deploy", "rightsdesk.service"))
	if err != nil {
		t.Fatal(err)
	}
	// verify also checks that the program exists; the unit names where
	// docs/production.md installs it, which this machine need not have.
	// The test's own executable stands in for it, and only its path changes.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	start := "ExecStart=" + binaryPath + " serve\n"
	if strings.Count(string(unit), start) != 1 {
		t.Fatalf("the unit should start the server once with %q", start)
	}
	checked := filepath.Join(t.TempDir(), "rightsdesk.service")
	if err := os.WriteFile(checked, []byte(strings.Replace(string(unit), start, "ExecStart="+self+" serve\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Environment=RIGHTSDESK_DATA=" + dataDir + "\n", "StateDirectory=" + filepath.Base(dataDir) + "\n",
		"DynamicUser=yes\n", "ProtectSystem=strict\n", "NoNewPrivileges=yes\n", "CapabilityBoundingSet=\n",
		"Environment=RIGHTSDESK_GRPC_REFLECTION=false\n", "LoadCredential=keyring:/etc/rightsdesk/keyring.json\n",
	} {
		if !strings.Contains(string(unit), "\n"+want) {
			t.Errorf("the unit lacks %q", strings.TrimSpace(want))
		}
	}

	out, err := exec.Command(analyze, "verify", checked).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	// --offline reads the file without a running systemd (systemd 250 and
	// later); the exit status is 1 when the exposure passes the threshold.
	out, err = exec.Command(analyze, "security", "--offline=yes", "--threshold="+strconv.Itoa(maxExposure), checked).CombinedOutput()
	if err != nil {
		t.Errorf("systemd-analyze security: %v (want exposure at most %d.%d)\n%s", err, maxExposure/10, maxExposure%10, out)
	}
}
