// Package staff (layer: doors) is the privacy team's web workspace under /staff/: sign-in
// with local accounts (internal/users) or OpenID Connect, the queue of open
// cases (views such as "needs action" and "due this week", each shown as
// the filter in the API's language that lists it, and a filter written
// there in that language, read by the use case as ListCases's is; the next step
// of each, sorting by due or received date, paging both ways without
// JavaScript, bulk assignment and each person's workload), finding a case
// by its reference (open or closed, also as /staff/cases/RD-…), logging a request received by post, email or phone
// (ending on the requester's acknowledgement, the one place its status code
// is shown), the case page, which offers the actions the case's state
// allows, each on a page of its own, finding a requester's other cases, the
// dashboard, and the exports (CSV, calendar feed, evidence bundle); and,
// for administrators, staff accounts (role, a required new password,
// lockouts), API tokens (each shown once) and importing a notice through
// a preview of its draft, lint findings and changes.
//
// Every page needs a signed-in member of staff with the right role: a
// viewer reads, a caseworker acts, an admin also reopens closed cases and
// manages accounts, tokens and notices. Each
// action is one casework command carrying the etag the page was drawn with,
// so a change someone else made first is reported, never overwritten (a
// note or a search record, which cannot undo anyone's change, is always
// saved).
//
// It must not make domain decisions or touch the store directly: like the
// gRPC services it calls the use cases (casework, accounts, tokens,
// noticework) through internal/usecase, and it
// formats files with internal/export. Sessions, CSRF, rendering and the
// security headers come from internal/web.
package staff
