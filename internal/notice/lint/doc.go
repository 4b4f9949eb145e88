// Package lint (layer: domain) checks a notice version against the UK GDPR rights-by-basis
// table as amended by the Data (Use and Access) Act 2025 and good practice
// — processing with no lawful basis, a consent basis with no way to
// withdraw, withdrawal, objection or portability promised where the law
// gives none, objection missing under public task or (recognised)
// legitimate interests, special category data without an Article 9
// condition or criminal offence data without an Article 10 one, transfers
// relying on a struck-down mechanism or naming no safeguard, no rights
// listed, no DPO contact or complaint route, retention with no period or one
// already past, no date — and says, for each finding, its code, severity, a
// plain-English explanation and the part and line of the notice it points
// at.
//
// It is pure: it reads a version and today's date and returns findings. It
// must not touch storage, parse documents (package importer does) or read
// the clock. What the law gives is asked of package notice, never restated.
package lint
