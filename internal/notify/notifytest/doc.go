// Package notifytest (layer: test support) owns an in-process SMTP server for tests of the code
// that sends email: it listens on a random loopback port and keeps every
// message it is given. It must not be imported outside tests.
package notifytest
