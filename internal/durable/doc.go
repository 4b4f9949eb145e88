// Package durable (layer: support) owns the small steps that make a file
// survive a crash or a power cut once written: today, syncing the
// directory that holds a new file's name, which fsync on the file alone
// does not cover (see fsync(2)).
//
// It must not know what the files are.
package durable
