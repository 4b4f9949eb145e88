// Package lint (layer: domain) checks a notice version against the UK GDPR rights-by-basis
// table and good practice — a consent basis with no way to withdraw,
// portability promised where the law gives none, objection missing under
// public task or legitimate interests, special category data without an
// Article 9 condition, no DPO contact or complaint route, retention with no
// period or one already past — and says, for each finding, its code,
// severity, a plain-English explanation and the part of the notice it
// points at.
//
// It is pure: it reads a version and today's date and returns findings. It
// must not touch storage, parse documents (package importer does) or read
// the clock. What the law gives is asked of package notice, never restated.
package lint
