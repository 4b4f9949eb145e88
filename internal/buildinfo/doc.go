// Package buildinfo owns the version string the binary reports.
package buildinfo
