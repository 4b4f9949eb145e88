// Package seeds (layer: test support) finds the five published privacy notices the built-in
// catalogue was written from. They live beside the repository
// (../shared/seeds from its root), never in it, so a fresh clone has none:
// tests that compare with them skip, saying why.
package seeds
