// Package users is pure domain (layer: domain): a staff account (the same
// viewer, caseworker and admin roles API tokens carry, from internal/auth),
// the rules for a new one, password rules and argon2id hashing in the PHC
// string format, the lockout that slows password guessing after repeated
// failures, and the rules for an administrator's changes to someone's
// account (role, a required password change, disabling, unlocking). Storing
// accounts is internal/accounts's job.
//
// It must not touch storage, transport or the system clock, and must never
// log a password.
package users
