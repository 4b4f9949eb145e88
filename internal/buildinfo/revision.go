package buildinfo

import "runtime/debug"

// revision is set at link time by the Makefile (-X …buildinfo.revision=);
// otherwise it falls back to the commit Go recorded, when it recorded one.
var revision = ""

// Revision returns the source commit the binary was built from, or ""
// when nothing recorded it.
func Revision() string {
	if revision != "" {
		return revision
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return ""
}
