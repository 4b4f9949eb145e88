// Package noticework (layer: use cases) owns the notice use cases that touch storage, for every
// door (gRPC, REST through the gateway, the CLI, the staff pages): import a
// document as a notice's next version in one store transaction (or only
// preview it, and compare the draft with the current version without
// storing it), lint a stored version, and compare two versions. A document
// imported without an id is matched to the notice it is a version of
// (notice.Recognise) before one is derived for it. An import may ask to be
// refused when lint finds an error, or when another version was stored
// since its preview. Reading a document is package importer's job, judging
// it package lint's, and versioning rules (numbering, unchanged content,
// date order) package notice's; this package strings them together. It
// must not know about transports.
package noticework
