// Package app is the composition root (layer: composition): the one place
// that opens a store engine from configuration, builds the use cases over it
// and hands them, as the interfaces of internal/usecase, to the doors
// (internal/server, which serves gRPC, REST and the web pages). cmd/rightsdesk
// turns flags into a Config and calls New and Run; tests do the same through
// apptest.
//
// It holds wiring only: no rule, no transport and no storage code of its own.
package app
