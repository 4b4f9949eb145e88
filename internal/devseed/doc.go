// Package devseed (layer: tooling) fills a store with realistic, varied cases, for trying
// the staff workspace and measuring it at scale. Every case is opened and
// worked through internal/casework, the code the API and the web pages run,
// so its indexes and audit events are the real ones.
package devseed
