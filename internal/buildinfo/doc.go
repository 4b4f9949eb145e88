// Package buildinfo (layer: support) owns the version string the binary reports.
package buildinfo
