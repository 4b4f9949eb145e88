// Package release (layer: checks) tests what a release ships, as an
// operator receives it: the OCI image tools/imagebuild assembles, read
// back with the standard library alone and, where podman or docker
// answers, run until /healthz does; and the systemd unit in deploy/,
// checked with systemd-analyze where it is installed.
//
// Under `make dist` (RIGHTSDESK_DIST names the directory) the image
// checked is the release's, with its binaries and SHA256SUMS; otherwise
// the tests build a small image into a temporary directory. It holds no
// code and imports none of ours: it tests files, not Go APIs.
package release
