// Package notice (layer: domain) owns the privacy-notice domain: notices and their versions,
// processing contexts with their lawful bases, the rights each notice
// declares (with scope, qualifier, channel and provenance), and the pure
// rights evaluation that says, for a version, context and right, whether the
// right is declared, declared conditionally, given by law though the notice is
// silent, or not applicable — with a plain-English reason citing the
// Article, under the law in force on the version's date or the request's
// (law.go: Articles 22A–22D and Article 6(1)(ea) from 5 February 2026). It
// also says how much two versions resemble each other (recognise.go), so a
// notice read again is recognised as the one it is.
//
// It must not touch storage, transport or the clock.
package notice
