#!/bin/sh
# Runs every fuzz target for FUZZTIME (default 10s), one after another,
# stopping at the first that fails and naming its failing input, which is
# left under the package's testdata/fuzz/ to be kept as a regression test.
# Plain `go test` already runs each target's seed corpus; this searches
# beyond it. Each package's instrumented test binary is built once for all
# its targets (what `go test -fuzz` would rebuild and relink per target).
#
#   tools/fuzz.sh                     every target, 10s each (make fuzz)
#   FUZZTIME=2s tools/fuzz.sh         briefly (make fuzz-short, part of make test)
#   FUZZTIME=1m tools/fuzz.sh         longer
#   tools/fuzz.sh FuzzListFilter      only the targets named
set -eu
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-10s}

# package target, one a line: every parser of outside input, and the
# decoders of what the store and key files hold.
targets='
./internal/casework FuzzListFilter
./internal/casework FuzzListOrderBy
./internal/casework FuzzByReference
./internal/server FuzzPageToken
./internal/server FuzzBearerHeader
./internal/cases FuzzNormaliseReference
./internal/cases FuzzNormaliseStatusCode
./internal/cases FuzzUpdateMask
./internal/cases FuzzRequesterName
./internal/users FuzzUpdateMask
./internal/web FuzzSessionCookie
./internal/web/public FuzzFormFields
./internal/web/staff FuzzOIDCCallback
./internal/notify FuzzParseSMTPURL
./internal/app FuzzParseStore
./internal/letters FuzzMarkup
./internal/deadline FuzzParseDate
./internal/deadline FuzzCalculate
./internal/deadline FuzzParseGOVUKBankHolidays
./cmd/rightsdesk FuzzReadProof
./internal/pack FuzzVerify
./internal/notice/importer FuzzParse
./internal/audit FuzzCanonical
./internal/store FuzzOpenCaseRecord
./internal/store FuzzDecodePlainCase
./internal/store FuzzSplitCase
./internal/store FuzzDecodeAuditRecords
./internal/keyring FuzzOpen
./internal/keyring FuzzUnwrap
./internal/keyring FuzzUnmarshalWrappedKey
./internal/keyring FuzzParse
./internal/keyring FuzzOpenStream
'

# A fuzz target left off the list above would never be fuzzed: refuse.
unlisted=$(grep -rE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]+\(' cmd internal |
	sed -E 's|^([^:]*)/[^/:]*:func (Fuzz[A-Za-z0-9_]+)\(.*|./\1 \2|' | sort -u |
	while read -r line; do echo "$targets" | grep -qxF "$line" || echo "$line"; done)
if [ -n "$unlisted" ]; then
	echo "tools/fuzz.sh: fuzz targets missing from its list:" >&2
	echo "$unlisted" >&2
	exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$(pwd)
# Where go test -fuzz keeps what each target found interesting, so runs
# from here and from go test build on each other.
cache="$(go env GOCACHE)/fuzz"

# named says whether target is to run: every one, or those named.
named() {
	[ $# -eq 1 ] && return 0
	t=$1
	shift
	case " $* " in *" $t "*) return 0 ;; esac
	return 1
}

started=$(date +%s)
ran=0
for pkg in $(echo "$targets" | awk 'NF == 2 && !seen[$1]++ { print $1 }'); do
	mine=$(echo "$targets" | awk -v p="$pkg" '$1 == p { print $2 }' | while read -r target; do
		if named "$target" "$@"; then echo "$target"; fi
	done)
	[ -n "$mine" ] || continue
	bin="$work/$(echo "$pkg" | tr -c 'A-Za-z0-9\n' '_').test"
	importpath=$(go list -f '{{.ImportPath}}' "$pkg")
	# -fuzz at build time instruments the package for coverage guidance;
	# make vet checks the code.
	if ! go test -c -vet=off -fuzz=. -o "$bin" "$pkg" >"$work/build.log" 2>&1; then
		cat "$work/build.log"
		echo "tools/fuzz.sh: building $pkg's fuzz targets failed" >&2
		exit 1
	fi
	for target in $mine; do
		echo "== $target ($pkg, $fuzztime)"
		corpus="$pkg/testdata/fuzz/$target"
		before=$(ls "$corpus" 2>/dev/null | wc -l)
		log="$work/$target.log"
		ran=$((ran + 1))
		if (cd "$pkg" && "$bin" -test.run='^$' -test.fuzz="^$target\$" -test.fuzztime="$fuzztime" \
			-test.fuzzcachedir="$cache/$importpath" -test.timeout=10m -test.paniconexit0) >"$log" 2>&1; then
			tail -n 2 "$log"
			continue
		fi
		after=$(ls "$corpus" 2>/dev/null | wc -l)
		# Go before 1.27 can fail a target at the end of -fuzztime with a bare
		# "context deadline exceeded" and no failing input, when loaded workers
		# miss the coordinator's stop (go.dev/issue/75804). Only that, with the
		# corpus replaying clean, is let through.
		if [ "$after" -eq "$before" ] && grep -q '^    context deadline exceeded$' "$log" && ! grep -q 'Failing input written' "$log" &&
			(cd "$pkg" && "$bin" -test.run="^$target\$") >/dev/null 2>&1; then
			echo "$target: stopped by the fuzzing coordinator's end-of-time race (go.dev/issue/75804), no failing input; the corpus replays clean"
			continue
		fi
		cat "$log"
		# A new failing input is written under testdata/fuzz; one already
		# kept there (or in the cache of generated inputs) is named.
		input=$(sed -n -e 's/.*Failing input written to \(testdata\/fuzz\/[^ ]*\).*/\1/p' \
			-e 's/^failure while testing seed corpus entry: \([^ ]*\)$/testdata\/fuzz\/\1/p' "$log" | head -n 1)
		if [ -n "$input" ] && [ ! -e "$pkg/$input" ] && [ -e "$cache/$importpath/${input#testdata/fuzz/}" ]; then
			input="$cache/$importpath/${input#testdata/fuzz/}"
		elif [ -n "$input" ]; then
			input="$root/${pkg#./}/$input"
		fi
		if [ -n "$input" ]; then
			echo "tools/fuzz.sh: $target failed; failing input: $input" >&2
			echo "  replay it with: go test -run='^$target/$(basename "$input")\$' $pkg (and keep it as a regression test)" >&2
		else
			echo "tools/fuzz.sh: $target failed with no failing input written (see its output above)" >&2
		fi
		exit 1
	done
done
echo "tools/fuzz.sh: $ran fuzz targets, $fuzztime each, passed in $(($(date +%s) - started))s"
