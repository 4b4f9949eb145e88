// Package casework (layer: use cases) owns the application service every door calls (gRPC,
// REST through the gateway, and the web pages): it turns a domain command
// into exactly one store transaction that reads the case, checks its etag,
// applies the pure decision from package cases, writes the case with its
// indexes, and appends its audit event with the personal payload kept apart.
// It also runs queries over the indexes: lists filtered (filter.go states
// what each term means, e.g. needs_action and due_this_week) and paged
// both ways, a case by reference, and each assignee's count of open cases.
// It must not know about transports.
package casework
