// Command rightsdesk (layer: composition) is the single Rightsdesk binary: `serve` runs the
// server; the other subcommands are tools for operators and caseworkers. Each
// subcommand lives in its own file, reads flags (or RIGHTSDESK_* environment
// variables) into a config, validates it and runs. It must not hold domain
// logic.
package main
