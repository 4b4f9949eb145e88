# Rightsdesk: `make run` builds and starts the server; `make test` runs everything CI checks.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

PROTOVALIDATE_MOD := github.com/bufbuild/protovalidate@v1.2.2
GOOGLEAPIS_MOD    := github.com/grpc-ecosystem/grpc-gateway@v1.16.0
MODCACHE          := $(shell go env GOMODCACHE)
BUF               := go tool -modfile=tools/go.mod buf
STATICCHECK       := go tool -modfile=tools/go.mod staticcheck
AGAINST           ?= main
BIN               := bin/rightsdesk
VERSION           ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS           := -X github.com/rightsdesk/rightsdesk/internal/buildinfo.Version=$(VERSION)

.PHONY: all build run test unit race vet staticcheck lint generate check-generated protodeps breaking bench crashtest clean

all: build

build:
	go build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/rightsdesk

run: build
	$(BIN) serve

test: check-generated lint vet staticcheck unit race
	@echo "make test: all checks passed"

unit:
	go test -count=1 ./...

# Packages with concurrency run again under the race detector.
race:
	go test -count=1 -race ./internal/server/... ./internal/store/... ./internal/casework/... ./internal/audit/... ./cmd/...

# SIGKILLs a writer 50 times and checks no acknowledged case is lost
# (make test runs the same test with 5 rounds).
crashtest:
	RIGHTSDESK_CRASH_ROUNDS=50 go test -count=1 -v -run '^TestCrashLosesNoAcknowledgedCase$$' ./internal/casework/

vet:
	go vet ./...

staticcheck:
	$(STATICCHECK) ./...

protodeps:
	@go mod download $(PROTOVALIDATE_MOD) $(GOOGLEAPIS_MOD)
	@chmod -R u+w .protodeps 2>/dev/null || true
	@rm -rf .protodeps && mkdir -p .protodeps/google/api
	@cp -R $(MODCACHE)/$(PROTOVALIDATE_MOD)/proto/protovalidate/buf .protodeps/
	@cp $(MODCACHE)/$(GOOGLEAPIS_MOD)/third_party/googleapis/google/api/annotations.proto \
	    $(MODCACHE)/$(GOOGLEAPIS_MOD)/third_party/googleapis/google/api/http.proto .protodeps/google/api/
	@chmod -R u+w .protodeps

generate: protodeps
	$(BUF) generate

lint: protodeps
	$(BUF) lint

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
	rm -rf bin .protodeps
