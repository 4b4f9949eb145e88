package main

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/keyring"
)

// TestMain gives the whole test binary one keyring, in the environment
// (RIGHTSDESK_KEK), as an operator's shell would: serve, the offline
// commands and the servers apptest starts all read it from there.
func TestMain(m *testing.M) {
	kr, err := keyring.NewKeyring(time.Now())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.Setenv(keyring.EnvVar, string(kr.Encode())); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}
