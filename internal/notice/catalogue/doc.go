// Package catalogue (layer: domain) holds the built-in privacy notices: the five Cabinet
// Office reference notices, recorded as structured facts in our own words
// (data/*.json, one file per notice, embedded in the binary), each fact with
// a pointer to the section and line of the published notice it came from.
//
// Each entry's source.digest is the importer's digest of the reference
// notice it was written from, so re-importing that text is recognised as
// unchanged rather than read as a second version.
//
// It owns that data and its strict decoding only. It must not evaluate
// rights (package notice does), touch storage, or copy a notice's prose:
// descriptions are paraphrases; names, addresses, numbers and dates are facts.
package catalogue
