package testkeys

import (
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/keyring"
)

var keyrings sync.Map // store name → *keyring.Keyring

// For returns the keyring of the store named name (a data directory or a
// store address), making a fresh one the first time — unless the
// environment holds a keyring (keyring.EnvVar), as a child process started
// with Env does, or a test binary whose commands read the keyring from
// there: that one then serves every store.
func For(t testing.TB, name string) *keyring.Keyring {
	t.Helper()
	name = canonical(name)
	if kr, ok := keyrings.Load(name); ok {
		return kr.(*keyring.Keyring)
	}
	if _, ok := os.LookupEnv(keyring.EnvVar); ok {
		kr, err := keyring.FromEnv(os.LookupEnv)
		if err != nil {
			t.Fatal(err)
		}
		actual, _ := keyrings.LoadOrStore(name, kr)
		return actual.(*keyring.Keyring)
	}
	kr, err := keyring.NewKeyring(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	actual, _ := keyrings.LoadOrStore(name, kr)
	return actual.(*keyring.Keyring)
}

// Env is the environment entry that gives a child test process the
// keyring of the store named name.
func Env(t testing.TB, name string) string {
	t.Helper()
	return keyring.EnvVar + "=" + string(For(t, name).Encode())
}

// Set makes kr the keyring of the store named name from now on (after a
// test rotates the store's keys, say).
func Set(name string, kr *keyring.Keyring) { keyrings.Store(canonical(name), kr) }

// canonical names a bbolt store the same way given as a directory or as
// bolt://DIR.
func canonical(name string) string {
	if strings.Contains(name, "://") {
		return name
	}
	return "bolt://" + name
}
