package web

import (
	"embed"
	"io/fs"
)

// files holds our own templates and scripts and dist, the CSS compiled from
// scss/ and the govuk-frontend script that `make assets` builds from the
// pinned npm packages. All of it is committed, so a fresh clone builds and
// serves styled pages with Go alone.
//
//go:embed templates static dist
var files embed.FS

// FS is the tree the web layer reads: templates/, static/ and dist/.
func FS() fs.FS { return files }

// AssetsBuilt reports whether dist holds the compiled assets; without them
// (a checkout that deleted them) the pages still work, unstyled.
func AssetsBuilt() bool {
	_, err := fs.Stat(files, "dist/app.css")
	return err == nil
}
