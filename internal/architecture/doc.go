// Package architecture (layer: checks) holds the layering of DESIGN.md as a
// test over the real import graph (`go list -deps`), so a change that makes
// a door reach the store, the domain reach a door or the store, or the
// deadline clock depend on anything of ours fails `make test` instead of
// waiting for a review to notice.
//
// The layers, top to bottom; each may import only what is below it:
//
//	composition  cmd/rightsdesk, internal/app: flags, wiring, start-up
//	doors        internal/server (gRPC, REST gateway), internal/web/... (pages)
//	contracts    internal/usecase (what the doors call), internal/policy (who may)
//	use cases    internal/casework, noticework, accounts, tokens, operations,
//	             websessions: read, decide through the domain, one transaction
//	domain       internal/cases, notice/..., deadline, audit, auth, users,
//	             report, fault, clock: pure rules, no I/O
//	storage      internal/store (typed records over a narrow Backend) and its
//	             engines (internal/store/bolt)
//
// Beside them: internal/export and internal/notify turn domain values into
// files and email for the doors; internal/devseed and internal/bench drive
// the use cases for measurement; internal/keyring (encryption keys)
// imports nothing of ours and the domain does not import it; *test
// packages are for tests only.
package architecture
