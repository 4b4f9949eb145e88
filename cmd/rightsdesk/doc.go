// Command rightsdesk (layer: composition) is the single Rightsdesk binary: `serve` runs the
// server; the other subcommands are tools for operators and caseworkers. Each
// subcommand lives in its own file, reads flags (or RIGHTSDESK_* environment
// variables) into a config, validates it and runs. It must not hold domain
// logic.
//
// main.go holds the command table and the dispatch: help at every level
// (--help, -h, `help [COMMAND]`, a group's list of subcommands) goes to
// stdout with exit status 0; a usage error goes to stderr with status 2.
//
// Offline commands that only read (audit verify, backup --data, users list,
// tokens list, check) open the database read-only (openStoreReadOnly): a
// mistyped --data creates nothing and fails with "no database at …", and
// the file's bytes are left as they were. Commands that write open it
// read-write and may create a new database, which is how the first admin
// is made; every open refuses an empty or truncated file. Personal data is
// encrypted at rest: serve needs the keyring (--keyring, or $RIGHTSDESK_KEK),
// and offline commands open the store with the one $RIGHTSDESK_KEYRING or
// $RIGHTSDESK_KEK holds, if any (offlineKeyring); the keys commands (keys*.go)
// make, show, rotate and migrate to it.
package main
