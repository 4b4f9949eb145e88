// Package caseworktest (layer: test support) opens a casework.Service on a fresh embedded store
// holding the built-in notice catalogue, for the tests of packages built on
// casework. It must not be imported outside tests.
package caseworktest
