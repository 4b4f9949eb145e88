// Package public (layer: doors) owns the public side of the web site: the
// request form a member of the public fills in one question per page (what
// they want, which services it is about — several, or none for everything
// held — whom it is for, their details and, for a representative, the
// other person's and their authority, what helps find the data, check
// answers and declaration), the submission that opens the case through
// internal/casework with channel WEB, the confirmation page and email, and
// the status page that shows a case's progress to whoever posts its
// reference and secret status code. Confirmation and status say whom to
// contact (each named notice's data protection contact, else the
// configured one) and how to complain to the ICO. After a lookup the
// requester can reply in words, send documents (multipart, size-limited,
// their type judged by the use case from their content) or withdraw the
// request (reply.go); the request they looked up stays in their session,
// which moves to a new id at the lookup, never in an address. Once the
// response pack is released, the requester asks there for a one-time code
// by email and downloads the pack with it (delivery.go); every code that
// does not work gets one answer, and both steps are rate-limited.
//
// Answers in progress live in the server-side session (package web), never
// in hidden fields or addresses. It must not decide anything about a case
// itself: the rights evaluation comes from internal/notice, the region and
// deadline from the case the domain creates, whether a case is overdue from
// the use case's standings, and how a status code is typed from
// internal/cases.
package public
