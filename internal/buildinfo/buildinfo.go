package buildinfo

import "runtime/debug"

// Version is set at link time by the Makefile; otherwise it falls back to the
// module version Go recorded.
var Version = ""

// String returns the version, or "dev" when nothing recorded one.
func String() string {
	if Version != "" {
		return Version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}
