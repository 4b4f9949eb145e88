// Package userstest (layer: test support) helps tests of staff accounts:
// it plays the authenticator app, making the codes that two-step
// verification accepts.
package userstest
