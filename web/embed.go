package web

import (
	"embed"
	"io/fs"
)

// files holds our own templates and scripts (committed) and dist, which
// `make assets` fills with the CSS compiled from scss/ and the
// govuk-frontend script copied from node_modules. dist keeps a committed
// README.txt so a fresh clone builds, vets and tests without npm.
//
//go:embed templates static dist
var files embed.FS

// FS is the tree the web layer reads: templates/, static/ and dist/.
func FS() fs.FS { return files }

// AssetsBuilt reports whether `make assets` filled dist; without it the
// pages still work, unstyled and without scripts.
func AssetsBuilt() bool {
	_, err := fs.Stat(files, "dist/app.css")
	return err == nil
}
