package web

import (
	"fmt"
	"io/fs"
)

// Include parses the templates matching pattern into every page of the
// renderer, after the page's own. A part of the site uses it for partials
// its pages share, or to give them a layout of its own: a template defined
// there under a shared name, such as "layout", replaces the shared one for
// this renderer's pages only.
func (r *Renderer) Include(files fs.FS, pattern string) error {
	for name, t := range r.pages {
		if _, err := t.ParseFS(files, pattern); err != nil {
			return fmt.Errorf("include %s in %s: %w", pattern, name, err)
		}
	}
	return nil
}
