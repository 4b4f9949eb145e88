// Package bolttest (layer: test support) (layer: test support) damages database files the ways
// disks and people do — emptied, cut short, a page overwritten — for the
// tests of the code that must refuse them, and hashes files for the tests
// of the code that must leave them alone. It must not be imported outside
// tests.
package bolttest
