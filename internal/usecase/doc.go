// Package usecase is the contract between the doors and the use cases
// (layer: use-case contracts). It declares one interface per use case —
// Cases, Notices, Accounts, Tokens, Operations — and the plain request and
// result types they take and return, in terms of the pure domain (cases,
// notice, audit, deadline, report, users, auth).
//
// The doors (internal/server, internal/web/...) import this package and the
// domain, never a use-case implementation, so no door depends, even
// indirectly, on a storage engine: `go list -deps` of a door lists no
// internal/store package, and internal/architecture's test holds that. The
// implementations (internal/casework, noticework, accounts, tokens,
// operations) satisfy these interfaces; the composition root (internal/app)
// builds them and hands them to the doors.
//
// It must hold no logic and import nothing that touches storage.
package usecase
