// Package bench (layer: tooling) owns `make bench` (`rightsdesk dev bench`): a load driver that
// measures the DESIGN.md performance targets in one run, on loopback only,
// bounded in clients, cases and time. It writes every database under a
// temporary directory it removes afterwards.
//
// The write figures are ratios, because absolute rates say more about the
// disk than about the code: CreateCase over gRPC against a real server, and
// the same puts straight into bbolt (keys made as real creates make them,
// baseline.go) through a timer-less group commit, the honest ceiling, and
// through db.Batch, at the same concurrency, fsync on, in the same run;
// and CreateCase on a server whose store keeps personal data in clear
// (app.NewPlainForBench), for what encryption at rest costs. The read
// figures come from a store seeded through casework.Service.Create, so
// every index entry and audit event is the one production writes, then
// served by a real server: the top 50 open cases by due date, timed with
// the answers taken undecoded and again decoded (the driver shares the
// server's process and garbage collector, see queryTop50), and the first
// page of each staff queue view. The backup-stall phase (`make
// bench-backup`, backupstall.go) measures issue 18's stalled backup: the
// rate of creates and the latency of reads with and without an admin
// Backup stream that its client has stopped reading.
//
// It must not reach into the server or the store beyond their exported
// APIs: what it measures is what a client would see.
package bench
