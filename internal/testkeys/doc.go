// Package testkeys (layer: test support) gives tests a
// keyring per store that lasts for the whole test binary, so that a test
// which closes a store and opens it again — or starts a server on a store
// another helper filled — uses the keyring the store was sealed with, as a
// real restart would. The keyrings live in memory only.
//
// It must not be imported by anything but tests and test helpers.
package testkeys
