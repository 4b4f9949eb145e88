// Package users owns the privacy team's local staff accounts for signing in
// to the web workspace: the account record and its role (the same viewer,
// caseworker and admin roles API tokens carry, from internal/auth), password
// rules and argon2id hashing in the PHC string format, and the lockout that
// slows password guessing after repeated failures. Directory runs these
// rules against the store, each change in one transaction.
//
// It must not touch transport or the system clock (time and randomness are
// passed in), must never store or log a password, and must not decide what
// a role may do: that is internal/auth's and the transports' job.
package users
