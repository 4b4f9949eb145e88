# Rightsdesk: `make run` builds and starts the server; `make test` runs everything CI checks.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
# Every go command runs on this Go release, which the go command fetches
# from the module proxy on first use (about 76 MB): go.mod's modules need
# at least 1.26.11, and govulncheck finds the standard library of earlier
# 1.26 releases vulnerable. A shell that runs go itself needs the same
# export (see the README).
export GOTOOLCHAIN := go1.27.3

PROTOVALIDATE_MOD := github.com/bufbuild/protovalidate@v1.2.2
GOOGLEAPIS_MOD    := github.com/grpc-ecosystem/grpc-gateway@v1.16.0
MODCACHE          := $(shell go env GOMODCACHE)
BUF               := go tool -modfile=tools/go.mod buf
STATICCHECK       := go tool -modfile=tools/go.mod staticcheck
GOTESTSUM         := go tool -modfile=tools/go.mod gotestsum
GOVULNCHECK       := go tool -modfile=tools/go.mod govulncheck
# make vulncheck's database when GOVULNDB names none: the OSV files of this
# snapshot of the Go vulnerability database, fetched as a Go module.
VULNDB_MOD        := golang.org/x/vulndb@v0.0.0-20261105234957-e22db6528018
# buf breaking compares with the latest release tag, or main until the first.
AGAINST           ?= $(shell git describe --tags --abbrev=0 2>/dev/null || echo main)
BIN               := bin/rightsdesk
VERSION           ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
REVISION          ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
LDFLAGS           := -X github.com/rightsdesk/rightsdesk/internal/buildinfo.Version=$(VERSION) \
                     -X github.com/rightsdesk/rightsdesk/internal/buildinfo.revision=$(REVISION)
GOVUK             := web/node_modules/govuk-frontend/dist/govuk
DIST              := web/dist
# npm ci writes this file: it stands for "node_modules matches the lock file".
NPM_STAMP         := web/node_modules/.package-lock.json
SCREENSHOTS       := build/screenshots
# The browser tests make browser-test runs (node --test runs the files in parallel).
BROWSER_TESTS     := $(sort $(wildcard web/test/*.test.mjs))
# What the checks skipped, one line each, for make test's last line.
SKIPPED           := build/skipped.txt
# make dist: where the release goes, what it is built for and what its
# image's labels say. Every timestamp in it is the last commit's, so a
# commit gives the same bytes wherever it is built with the same Go.
RELEASE_DIR       := dist
RELEASE_PLATFORMS := linux/amd64 linux/arm64
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
IMAGE_SOURCE      ?= https://github.com/rightsdesk/rightsdesk
# An SPDX expression for the image's licences label; none is claimed until
# the repository states its licence.
IMAGE_LICENSES    ?=
# The image's CA certificates and their copyright file (Debian's
# ca-certificates package); CA_COPYRIGHT= leaves the notice out.
CA_CERTS          ?= /etc/ssl/certs/ca-certificates.crt
CA_COPYRIGHT      ?= /usr/share/doc/ca-certificates/copyright

.PHONY: all build run test unit race vet staticcheck vulncheck lint generate check-generated protodeps breaking bench bench-web bench-backup crashtest soak scaletest fuzz fuzz-short clean fmt-check \
        assets check-assets browser-test api-check docs-screenshots skip-report readme-check corpus dist

all: build

# Needs only Go: the compiled front-end assets are committed in web/dist
# (check-assets proves they match the pinned npm packages).
build:
	go build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/rightsdesk

# A development keyring, made on the first run, outside the data directory.
run: build
	@test -f "$${RIGHTSDESK_DEV_KEYRING:-$$HOME/.config/rightsdesk/dev-keyring.json}" || $(BIN) keys init --out "$${RIGHTSDESK_DEV_KEYRING:-$$HOME/.config/rightsdesk/dev-keyring.json}"
	$(BIN) serve --keyring "$${RIGHTSDESK_DEV_KEYRING:-$$HOME/.config/rightsdesk/dev-keyring.json}"

# The last line says what passed and names anything skipped.
test: skip-report check-generated check-assets lint breaking fmt-check vet staticcheck vulncheck unit race fuzz-short browser-test api-check readme-check
	@if [ -s $(SKIPPED) ]; then \
	  echo "make test: every check that ran passed; skipped: $$(paste -sd ';' $(SKIPPED) | sed 's/;/; /g')"; \
	else echo "make test: all checks passed, none skipped"; fi

skip-report:
	@mkdir -p build && : > $(SKIPPED)

# Every package's tests; the Go tests that skipped (e.g. without ../shared)
# are listed with their reason in $(SKIPPED).
unit:
	@mkdir -p build
	$(GOTESTSUM) --format pkgname --jsonfile build/unit.json -- -count=1 ./...
	@awk -f tools/go-skips.awk build/unit.json >> $(SKIPPED)

# Packages with concurrency run again under the race detector.
race:
	go test -count=1 -race ./internal/server/... ./internal/store/... ./internal/casework/... ./internal/audit/... ./internal/accounts/... ./internal/tokens/... ./internal/app/... ./internal/noticework/... ./internal/web/... ./internal/leader/... ./internal/blob/... ./cmd/...

# Load on a real server on 127.0.0.1, compared with raw bbolt in the same run
# (see internal/bench). BENCH_FLAGS='--cases 1000000' for the read targets at
# full scale; BENCH_FLAGS='--store etcd' adds an etcd cluster of three local
# members beside bbolt in the same run (about 14 minutes on 2 cores at the
# default 100,000 cases); 'rightsdesk dev bench -h' lists the flags.
bench: build bench-web
	$(BIN) dev bench $(BENCH_FLAGS)

# Issue 18's stalled backup: CreateCase from 16 clients and a reader for 60s
# without a backup, then 60s beside an admin Backup whose client stopped
# reading, over 20,000 seeded cases (about 3 minutes); met needs creates
# at ≥ 80% of their rate without it and reads p99 < 50 ms.
bench-backup: build
	$(BIN) dev bench --clients '' --cases 0 --backup-stall 60s $(BENCH_FLAGS)

# The staff queue's first page over 10,000 cases seeded through the domain
# code, timed in process (target: under 100 ms a page).
bench-web:
	go test -count=1 -run '^$$' -bench '^BenchmarkQueueFirstPage$$' -benchtime 50x ./internal/web/staff/

# The web pages' CSS and scripts, built from the govuk-frontend npm package
# pinned in web/package-lock.json into web/dist, which the binary embeds.
# They are committed, like gen/, so building needs only Go; run `make
# assets` after changing web/scss or the pinned packages, and commit.
$(NPM_STAMP): web/package.json web/package-lock.json
	npm ci --prefix web --omit=optional --no-audit --no-fund

assets: $(NPM_STAMP)
	cd web && npx --no-install sass --pkg-importer=node --style=compressed --no-source-map scss/app.scss dist/app.css
	cp $(GOVUK)/govuk-frontend.min.js $(DIST)/govuk-frontend.min.js

# Rebuilds the assets and fails if anything under web/dist changed.
check-assets: assets
	@if [ -n "$$(git status --porcelain -- $(DIST))" ]; then \
	  echo "web/dist is out of date with web/scss and web/package-lock.json: run 'make assets' and commit the result"; \
	  git status --porcelain -- $(DIST); exit 1; fi

# The public form in headless Chromium, with JavaScript on and off, axe on
# every page; screenshots land in $(SCREENSHOTS). .ci/run installs Chromium.
browser-test: build $(NPM_STAMP)
	@mkdir -p build
	SCREENSHOT_DIR=$(CURDIR)/$(SCREENSHOTS) node --test $(BROWSER_TESTS) | tee build/browser.tap
	@grep -m1 -o 'browser tests skipped: [^#]*' build/browser.tap | sed 's/ skipped:/:/' >> $(SKIPPED) || true

# The REST API's contract, against a real server on 127.0.0.1 (see
# web/test/apiclient): redocly lint on the OpenAPI document it serves, and a
# TypeScript client generated from that document (openapi-typescript),
# type-checked (tsc) and run with openapi-fetch to page, work a case and
# read a refusal. All three are pinned in web/package-lock.json.
api-check: build $(NPM_STAMP)
	node --test $(wildcard web/test/apiclient/*.test.mjs)

# Refreshes the README's screenshots from the last browser-test run, at
# 1280 and 375 px: each pair is where browser-test wrote it and its name
# in docs/screenshots.
DOC_SCREENSHOTS := public-js-on/01-start:public-start public-js-on/02-rights:public-rights \
  public-js-on/04-services:public-services public-js-on/09-details-error:public-details-error \
  public-js-on/12-check:public-check public-js-on/14-confirmation:public-confirmation public-js-on/16-status:public-status \
  staff-queue-js/queue:staff-queue staff-queue-js/dashboard:staff-dashboard staff-queue-js/find:staff-find \
  staff-case-js/02-acknowledgement:staff-acknowledgement staff-case-js/03-case-new:staff-case-new \
  staff-case-js/04-edit-notices:staff-edit-notices staff-case-js/07-case-awaiting:staff-case-awaiting \
  admin-js/users:admin-users admin-js/tokens:admin-tokens admin-js/import-preview:admin-import-preview \
  public-reply-js/01-status:public-reply-status public-reply-js/02-reply:public-reply \
  public-reply-js/03-reply-error:public-reply-error public-reply-js/04-reply-sent:public-reply-sent \
  public-reply-js/05-withdraw:public-reply-withdraw public-reply-js/06-withdrawn:public-reply-withdrawn \
  staff-letters-js/staff-letter-draft:staff-letter-draft staff-letters-js/staff-letter-preview:staff-letter-preview \
  staff-documents-js/01-add:staff-document-add staff-documents-js/04-decide-errors:staff-document-decide \
  public-search-request-js/04-task:public-search-request staff-review-js/casey-03-approve-own-refused:staff-review-own-refused \
  staff-pack-js/02-printable:staff-pack-printable public-delivery-js/03-code:public-response-code
docs-screenshots:
	@mkdir -p docs/screenshots
	for pair in $(DOC_SCREENSHOTS); do for width in 1280 375; do \
	  cp $(SCREENSHOTS)/$${pair%%:*}-$$width.png docs/screenshots/$${pair#*:}-$$width.png || exit 1; done; done

# Imports every notice of the development corpus (../shared/corpus beside the
# repository, or CORPUS=dir) and prints the importer's score per notice and
# overall: lawful bases per context, declared rights, special category and
# criminal offence data with their conditions, DPO, complaint route,
# transfers, retention periods and dates. The thresholds are a test too, so
# make test enforces them (and skips them where the corpus is absent).
corpus:
	RIGHTSDESK_CORPUS=$(if $(CORPUS),$(abspath $(CORPUS))) go test -count=1 -run '^TestCorpusScore$$' -v ./internal/notice/importer/

# Runs every shell block of README.md, top to bottom, in a fresh clone of
# the committed tree against a real server (see tools/readme-check.sh).
readme-check:
	tools/readme-check.sh

# SIGKILLs a writer of creates and updates CRASH_ROUNDS times (200 by
# default) and checks it died of the kill, no acknowledged write is lost or
# half-applied, no index entry is stale and the audit chain verifies; then
# the outbox's sender 50 times and checks every letter reached the relay
# and none twice outside the documented window; then the daily retention
# run PURGE_CRASH_ROUNDS times (20), each over fresh closed cases past
# retention, and checks every case is untouched or fully purged (make test
# runs the first two with 5 rounds, the purge with 3).
CRASH_ROUNDS ?= 200
PURGE_CRASH_ROUNDS ?= 20
crashtest:
	RIGHTSDESK_CRASH_ROUNDS=$(CRASH_ROUNDS) go test -count=1 -v -timeout 30m -run '^TestCrashLosesNoAcknowledgedWrite$$' ./internal/casework/
	RIGHTSDESK_CRASH_ROUNDS=50 go test -count=1 -v -timeout 30m -run '^TestCrashOutboxLosesNoLetterAndSendsNoneTwice$$' ./internal/casework/
	RIGHTSDESK_PURGE_CRASH_ROUNDS=$(PURGE_CRASH_ROUNDS) go test -count=1 -v -timeout 30m -run '^TestCrashInAPurgeLeavesEachCaseWholeOrPurged$$' ./internal/casework/

# SOAK_DURATION (10 minutes by default) of mixed load on a server on
# loopback: API creates, updates, reads and queue views, the public form
# and the status page; prints resident memory, goroutines and open file
# descriptors at the start, every minute, at the end and once settled, and
# fails on any error but a refusal for rate.
SOAK_DURATION ?= 10m
soak: build
	$(BIN) dev soak --duration $(SOAK_DURATION)

# Runs every fuzz target for FUZZTIME (10s by default) each, building each
# package's instrumented test binary once; a failure names its failing
# input, left in the package's testdata/fuzz. The unit tests replay the
# stored inputs, and make test also searches briefly (fuzz-short:
# FUZZ_SHORT each).
fuzz:
	tools/fuzz.sh

FUZZ_SHORT ?= 2s
fuzz-short:
	FUZZTIME=$(FUZZ_SHORT) tools/fuzz.sh

# The scale-out failure tests at length (make test runs each briefly): four
# etcd leaders stopped under a minute of CreateCase load from 64 clients
# through two replicas, four leading replicas SIGKILLed with messages
# queued, and store copy of 10,000 seeded cases to etcd and back (about
# 7 minutes on 2 cores).
scaletest:
	RIGHTSDESK_SCALE=long RIGHTSDESK_COPY_CASES=10000 go test -count=1 -v -timeout 30m \
	  -run '^(TestEtcdLeaderStoppedUnderLoad|TestReplicaKilledWhileLeading|TestTwoReplicasOnEtcd|TestStoreCopyToEtcdAndBack)$$' ./internal/app/ ./cmd/rightsdesk/

# A release in dist/: static binaries for each platform with the version
# stamped in, one OCI image of them all assembled by tools/imagebuild
# without a container daemon (docs/production.md), the systemd unit, and
# SHA256SUMS; then internal/release's tests check what was written and,
# where podman or docker answers, run the image until /healthz does.
dist:
	rm -rf $(RELEASE_DIR) && mkdir -p $(RELEASE_DIR)
	for p in $(RELEASE_PLATFORMS); do \
	  CGO_ENABLED=0 GOOS=$${p%/*} GOARCH=$${p#*/} go build -trimpath -ldflags '-s -w $(LDFLAGS)' \
	    -o $(RELEASE_DIR)/rightsdesk-$${p%/*}-$${p#*/} ./cmd/rightsdesk; done
	cp deploy/rightsdesk.service $(RELEASE_DIR)/
	go -C tools run ./imagebuild --out $(CURDIR)/$(RELEASE_DIR)/rightsdesk-image.tar \
	  $(foreach p,$(RELEASE_PLATFORMS),--binary $(p)=$(CURDIR)/$(RELEASE_DIR)/rightsdesk-$(subst /,-,$(p))) \
	  --ca-certs $(CA_CERTS) --ca-copyright '$(CA_COPYRIGHT)' --version $(VERSION) --revision $(REVISION) --source $(IMAGE_SOURCE) \
	  --licenses '$(IMAGE_LICENSES)' --created $(SOURCE_DATE_EPOCH)
	cd $(RELEASE_DIR) && sha256sum rightsdesk-linux-* rightsdesk-image.tar rightsdesk.service > SHA256SUMS
	RIGHTSDESK_DIST=$(CURDIR)/$(RELEASE_DIR) SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) \
	  go test -count=1 -v ./internal/release/

# Fails listing any Go file gofmt would change (gen/ is checked by check-generated).
fmt-check:
	@files=$$(gofmt -l cmd internal web); if [ -n "$$files" ]; then \
	  echo "gofmt would change these files; run gofmt -w on them:"; echo "$$files"; exit 1; fi

vet:
	go vet ./...

staticcheck:
	$(STATICCHECK) ./...

# govulncheck: the code's calls into known-vulnerable dependencies and
# standard library, which needs the Go vulnerability database. GOVULNDB
# names it: https://vuln.go.dev or a mirror (https://… or file:///DIR of
# the v1 layout or of OSV files). Unset, the snapshot VULNDB_MOD is used,
# for machines that cannot reach vuln.go.dev; bump it for newer findings.
# Part of make test, against the pinned snapshot, so a commit's result does
# not change with findings published after it; bump VULNDB_MOD (or set
# GOVULNDB=https://vuln.go.dev) to check against newer ones.
vulncheck:
	@db="$${GOVULNDB:-}"; \
	if [ -z "$$db" ]; then \
	  dir=$$(cd / && go mod download -json $(VULNDB_MOD) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p'); \
	  [ -d "$$dir/data/osv" ] || { echo "vulncheck: no GOVULNDB and $(VULNDB_MOD) could not be fetched" >&2; exit 1; }; \
	  db="file://$$dir/data/osv"; \
	fi; \
	echo "govulncheck against $$db"; \
	$(GOVULNCHECK) -db "$$db" ./...

# The protos' imports from outside: protovalidate's and google/api's from Go
# modules (field_behavior.proto and resource.proto, which no module ships
# as source, printed by tools/protodeps from the descriptors genproto compiles in).
protodeps:
	@go mod download $(PROTOVALIDATE_MOD) $(GOOGLEAPIS_MOD)
	@chmod -R u+w .protodeps 2>/dev/null || true
	@rm -rf .protodeps && mkdir -p .protodeps/google/api
	@cp -R $(MODCACHE)/$(PROTOVALIDATE_MOD)/proto/protovalidate/buf .protodeps/
	@cp $(MODCACHE)/$(GOOGLEAPIS_MOD)/third_party/googleapis/google/api/annotations.proto \
	    $(MODCACHE)/$(GOOGLEAPIS_MOD)/third_party/googleapis/google/api/http.proto .protodeps/google/api/
	@go -C tools run ./protodeps --out $(CURDIR)/.protodeps google/api/field_behavior.proto google/api/resource.proto
	@chmod -R u+w .protodeps

generate: protodeps
	$(BUF) generate

lint: protodeps
	$(BUF) lint
	$(BUF) format --diff --exit-code proto

# Regenerates into the work tree and fails if anything under gen/ changed.
check-generated: generate
	@if [ -n "$$(git status --porcelain -- gen)" ]; then \
	  echo "gen/ is out of date with proto/: run 'make generate' and commit the result"; \
	  git status --porcelain -- gen; exit 1; fi

breaking: protodeps
	@tmp=$$(mktemp -d) && trap 'rm -rf $$tmp' EXIT && \
	git archive $(AGAINST) | tar -x -C $$tmp && cp -R .protodeps $$tmp/ && \
	$(BUF) breaking --against $$tmp

clean:
	rm -rf bin .protodeps build web/node_modules
