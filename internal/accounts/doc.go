// Package accounts is a use case (layer: use cases): it keeps the privacy
// team's local staff accounts for signing in to the web workspace. Directory
// runs the rules of package users (validation, argon2id hashing, lockout)
// against the store, each change in one transaction chained in the audit
// log with the role and state, never the name, email or password. A
// create that carries a client's request id is made once: the id is kept
// on the account's record and checked in the creating transaction.
//
// It must not touch transport or the system clock (time and randomness are
// passed in), must never store or log a password, and must not decide what
// a role may do: that is internal/policy's.
package accounts
