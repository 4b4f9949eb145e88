// Package web (layer: door assets) embeds Rightsdesk's front-end files so the binary carries
// them: html/template pages under templates/ (shared/ for pages every part
// of the site uses, public/ for the public request form), our own scripts and
// icons under static/, and under dist/ what `make assets` builds from the
// govuk-frontend npm package (compiled CSS and its script).
//
// It holds no Go logic beyond locating those files; rendering, sessions and
// handlers live in internal/web. Nothing here may be copied from a
// third-party package: govuk-frontend arrives through npm only.
package web
