#!/usr/bin/env bash
# Runs every ```sh block of README.md, top to bottom, in one shell, in a
# fresh clone of this repository, against a real server: the README's
# examples must work as written. Run by `make readme-check` (part of make
# test). Personal data in the README is invented; the server listens on
# the README's 127.0.0.1 ports, so nothing else may use them meanwhile.
#
# A reader follows some lines by hand; this script does the same:
#   sudo apt-get install …           skipped (CI installs the packages first)
#   git clone <this repository> …    clones this checkout instead
#   make run                         starts the server in the background as make run does
#                                    (the development keyring, made if missing), with node,
#                                    npm and npx hidden (building needs only Go), and checks
#                                    that the start page is served with its stylesheet
#   make test                        skipped (this runs inside make test)
#   … # server stopped               stops the server, runs the line, starts it again
#   a password prompt                answered from standard input, as a person types it
# Every curl fails on an HTTP error (--fail-with-body), so a 4xx or 5xx in
# an example fails the check; `bash -x` output names the failing line.
set -euo pipefail
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
readme="$repo/README.md"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

script="$work/readme.sh"
{
  cat <<'PRELUDE'
set -euo pipefail
curl() { command curl --fail-with-body "$@"; }
# As make run does: a development keyring outside the data directory,
# made on the first start.
RD_KEYRING="${RIGHTSDESK_DEV_KEYRING:-$HOME/.config/rightsdesk/dev-keyring.json}"
rd_start_server() {
  test -f "$RD_KEYRING" || bin/rightsdesk keys init --out "$RD_KEYRING"
  bin/rightsdesk serve --keyring "$RD_KEYRING" > "$RD_WORK/serve.out" 2> "$RD_WORK/serve.err" &
  RD_SERVER=$!
  for _ in $(seq 1 200); do
    if grep -q '^Press Ctrl+C to stop' "$RD_WORK/serve.out" 2>/dev/null; then cat "$RD_WORK/serve.out"; return 0; fi
    if ! kill -0 "$RD_SERVER" 2>/dev/null; then cat "$RD_WORK/serve.err" >&2; return 1; fi
    sleep 0.1
  done
  echo "the server did not start within 20 s" >&2; return 1
}
rd_stop_server() {
  if [ -n "${RD_SERVER:-}" ]; then kill -INT "$RD_SERVER"; wait "$RD_SERVER" || true; RD_SERVER=; fi
}
trap rd_stop_server EXIT
# Building must need only Go: these stand in for Node.js's tools and fail.
mkdir -p "$RD_WORK/no-node"
for tool in node npm npx; do printf '#!/bin/sh\necho "%s is not installed" >&2; exit 127\n' "$tool" > "$RD_WORK/no-node/$tool"; chmod +x "$RD_WORK/no-node/$tool"; done
rd_styled() {
  command curl -sf 127.0.0.1:8080/ | grep -q '<link rel="stylesheet" href="/static/app.css">'
  command curl -sf 127.0.0.1:8080/static/app.css | grep -q 'govuk-frontend-version'
}
PRELUDE
  awk '
    /^```sh$/ { inblock = 1; block++; printf "\n# --- README.md block %d (line %d)\n", block, NR; next }
    /^```/    { inblock = 0; next }
    !inblock  { next }
    /^sudo apt-get install/            { print ": skipped: " $0; next }
    /^git clone <this repository>/     { print "git clone -q \"$RD_REPO\" rightsdesk && cd rightsdesk"; next }
    /^make run/                        { print "PATH=\"$RD_WORK/no-node:$PATH\" make build"; print "rd_start_server"; print "rd_styled"; next }
    /^make test/                       { print ": skipped: make test runs this check"; next }
    /# server stopped/                 { line = $0; sub(/[ \t]*#.*$/, "", line); print "rd_stop_server; " line "; rd_start_server"; next }
    { print }
  ' "$readme"
} > "$script"

cd "$work"
for _ in $(seq 100); do echo 'a long readme-check password'; done > "$work/answers"
RD_REPO="$repo" RD_WORK="$work" bash -x "$script" < "$work/answers"
echo "readme-check: every shell block of README.md ran as written"
