// Package notice (layer: domain) owns the privacy-notice domain: notices and their versions,
// processing contexts with their lawful bases, the rights each notice
// declares (with scope, qualifier, channel and provenance), and the pure
// rights evaluation that says, for a version, context and right, whether the
// right is declared, declared conditionally, given by law though the notice is
// silent, or not applicable — with a plain-English reason.
//
// It must not touch storage, transport or the clock.
package notice
