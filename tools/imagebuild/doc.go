// Command imagebuild (layer: tooling) assembles Rightsdesk's OCI image
// without a container daemon: a multi-platform index over one image per
// static binary, each from scratch with the few files a Go server needs
// (numeric non-root user, CA certificates, a data directory to mount a
// volume on), written as an OCI layout tarball that `podman load` and
// `docker load` both accept. `make dist` runs it; see docs/production.md.
//
// It lives in the tools module, beside buf and staticcheck, because it is
// a build tool: go-containerregistry, which it uses to assemble the image,
// is already in that module's graph (buf needs it) and stays out of the
// server's. Its tests are in the main module's internal/release, so that
// `make test` runs them: they run this command and read what it wrote
// with the standard library alone, so a mistake in how the library is
// driven cannot hide itself.
//
// Time-zone data is not copied in: the binary embeds time/tzdata (see
// internal/cases/env.go), so Europe/London, or any zone named by TZ,
// resolves without /usr/share/zoneinfo.
package main
