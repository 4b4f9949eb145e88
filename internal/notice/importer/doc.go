// Package importer (layer: domain) reads a privacy notice as published — plain text copied
// from a GOV.UK page, GOV.UK-style markdown (with or without YAML front
// matter), or saved HTML — and drafts a notice.Version from it: title,
// controller, DPO, dates, processing contexts with their lawful bases and
// Article 9 conditions, recipients, retention, transfers, complaint
// authority and the declared rights with their scope, qualifier and channel.
//
// It reads the structure such notices share (headings and numbered
// sections, bullet lists and the sentence that introduces them, tables,
// "In relation to X" scopes, lawful-basis and Article 6/9/10 wording,
// contact blocks ending in a postcode) rather than any one notice's text,
// and it never guesses: a basis only incidental words mention ("we will
// only disclose it … or with your consent") is no basis, and processing the
// notice pairs with no basis keeps none. A notice titled only "Privacy
// policy" takes its id from the service it covers or its controller. Every
// fact it extracts carries the lines it came from and a confidence; every
// sentence it could not place is listed, never dropped. Input of any size or
// shape yields a draft or an error, never a panic, in time and memory linear
// in its length. corpus_test.go scores it against real notices kept beside
// the repository (make corpus).
//
// It owns parsing only. It must not touch storage, judge the draft (package
// lint does) or read the clock: the caller passes in today's date.
package importer
