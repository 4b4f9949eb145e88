// Package fault (layer: domain) owns the small error types domain packages return when a
// caller is at fault (bad input, missing record, stale version, illegal
// transition). They carry what a client needs to fix the call; package
// server turns them into gRPC status codes at one boundary. It must not
// import transport packages.
package fault
