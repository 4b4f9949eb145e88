// Package apptest (layer: test support) starts a whole Rightsdesk (internal/app) on loopback for
// tests: random ports, a temporary data directory unless one is given, the
// built-in catalogue, and a clean shutdown checked when the test ends.
package apptest
