// Package public (layer: doors) owns the public side of the web site: the request form a
// member of the public fills in one question per page (the notice they dealt
// with, the rights they want, the details, who they are and whom they act
// for, check answers, declaration), the submission that opens the case
// through internal/casework with channel WEB, the confirmation page and
// email, and the status page that shows a case's progress to whoever holds
// its reference and secret status code.
//
// Answers in progress live in the server-side session (package web), never
// in hidden fields. It must not decide anything about a case itself: the
// rights evaluation comes from internal/notice and the deadline from the
// case the domain creates.
package public
