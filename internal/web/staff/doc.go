// Package staff (layer: doors) is the privacy team's web workspace under /staff/: sign-in
// with local accounts (internal/users) or OpenID Connect, the queue of open
// cases by due date, logging a request received by post, email or phone,
// the case page with its actions, finding a requester's other cases, the
// dashboard, and the exports (CSV, calendar feed, evidence bundle).
//
// Every page needs a signed-in member of staff with the right role: a
// viewer reads, a caseworker acts, an admin also reopens closed cases. Each
// action is one casework command carrying the etag the page was drawn with,
// so a change someone else made first is reported, never overwritten.
//
// It must not make domain decisions or touch the store directly: like the
// gRPC services it calls internal/casework and internal/users, and it
// formats files with internal/export. Sessions, CSRF, rendering and the
// security headers come from internal/web.
package staff
