# reachgraph — run `make help` for the targets.
GO        ?= go
BIN       := bin/reachgraph
# Version and commit stamped into the binary (`reachgraph version`).
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
LDFLAGS   := -X github.com/reachgraph/reachgraph/cmd/cli.version=$(VERSION) -X github.com/reachgraph/reachgraph/cmd/cli.commit=$(COMMIT)
FUZZTIME  ?= 20s
# Minimising each new interesting input for the default 60 s is what made a
# fuzz run execute only a few inputs a minute; 1 s keeps the corpus useful.
FUZZMINTIME ?= 1s
BENCHTIME ?= 1x
# GraphQL requests per mode in `make bench` (the p99 needs a few hundred).
GQLBENCHTIME ?= 200x
COUNT     ?= 1
TIERS     ?= S M

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@awk 'BEGIN{FS=":.*## "} /^[a-zA-Z_-]+:.*## /{printf "  %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## build bin/reachgraph
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/reachgraph

.PHONY: demo
demo: build ## load the bundled finance sample (then the SAP sample and the multi-platform estate) into a fresh embedded store and print the headline answers
	./$(BIN) demo

.PHONY: test
test: ## unit, conformance and golden tests (server tests skip with a message when no server is given)
	$(GO) test -count=1 ./...

.PHONY: test-integration
test-integration: ## start a real Neo4j 5 (Java 17 + Maven) and PostgreSQL, run the server/browser tests with them REQUIRED
	scripts/neo4j-test-server start
	scripts/postgres-test-server start || { scripts/neo4j-test-server stop; exit 1; }
	REACHGRAPH_NEO4J_URI=$$(scripts/neo4j-test-server uri) REACHGRAPH_REQUIRE_SERVERS=1 \
	  REACHGRAPH_POSTGRES_URL=$$(scripts/postgres-test-server url) PGPASSWORD=$$(scripts/postgres-test-server password) \
	  $(GO) test -count=1 -p 1 ./graph/neo4jstore/... ./graph/stores/... ./schema/gqlserver/... ./cmd/cli/... ./ingest/postgres/...; \
	  rc=$$?; scripts/neo4j-test-server stop; scripts/postgres-test-server stop; exit $$rc

.PHONY: test-postgres
test-postgres: ## start a throwaway PostgreSQL (Debian postgresql package) and run the postgres ingester tests with it REQUIRED
	scripts/postgres-test-server start
	REACHGRAPH_POSTGRES_URL=$$(scripts/postgres-test-server url) PGPASSWORD=$$(scripts/postgres-test-server password) REACHGRAPH_REQUIRE_SERVERS=1 \
	  sh -c '$(GO) test -count=1 ./ingest/postgres/... && $(GO) test -count=1 -run Postgres ./cmd/cli/...'; \
	  rc=$$?; scripts/postgres-test-server stop; exit $$rc

.PHONY: bench-neo4j
bench-neo4j: ## ingest and projection benchmarks, embedded vs Neo4j (tier S)
	scripts/neo4j-test-server start
	REACHGRAPH_NEO4J_URI=$$(scripts/neo4j-test-server uri) $(GO) test -run '^$$' -bench . -benchtime 2x ./graph/neo4jstore; \
	  rc=$$?; scripts/neo4j-test-server stop; exit $$rc

.PHONY: soak-api
soak-api: ## the GraphQL alias attack on a real server over a tier-S estate (peak RSS, prompt answer, budget cut); CI runs it
	REACHGRAPH_SOAK=1 $(GO) test -count=1 -run 'TestSoak' -v -timeout 20m ./cmd/cli/

.PHONY: generate
generate: ## regenerate the gqlgen code from schema/*.graphqls
	$(GO) generate ./schema/gqlserver

.PHONY: check-generated
check-generated: generate ## fail when the generated code is not up to date
	git diff --exit-code -- schema/gqlserver

.PHONY: console
console: ## test and rebuild the embedded query console bundle from schema/gqlserver/console/_src (needs node 20 + npm; the output is committed)
	cd schema/gqlserver/console/_src && npm ci --no-audit --no-fund && node --test test/ && node build.mjs

.PHONY: test-race
test-race: ## the tests under the race detector
	$(GO) test -count=1 -race ./...

.PHONY: bench
bench: ## benchmarks on tiers $(TIERS) (ingest, projection, whocan, reach, ratio vs plain BFS, GraphQL), then the table of docs/performance.md per tier
	@for t in $(TIERS); do \
	  { REACHGRAPH_BENCH_TIER=$$t $(GO) test -run '^$$' -bench 'Tier' -benchmem -benchtime $(BENCHTIME) -count $(COUNT) -timeout 60m ./cmd/cli/ && \
	    REACHGRAPH_BENCH_TIER=$$t $(GO) test -run '^$$' -bench 'GraphQLWhoCan' -benchtime $(GQLBENCHTIME) -timeout 60m ./schema/gqlserver/; } > bench-$$t.txt 2>&1; \
	  rc=$$?; cat bench-$$t.txt; [ $$rc = 0 ] || exit 1; \
	done
	@for t in $(TIERS); do $(GO) run ./cmd/benchtable -tier $$t -commit $$(git rev-parse --short HEAD) < bench-$$t.txt; echo; done
	$(GO) test -run '^$$' -bench . -benchmem ./ingest/... ./graph/... ./analysis/...

.PHONY: bench-l
bench-l: ## the tier-L benchmarks and table (needs ~20 GiB of RAM and ~20 GB of disk for the bundle: see docs/performance.md)
	$(MAKE) bench TIERS=L

.PHONY: fuzz
fuzz: ## run every Fuzz* target for FUZZTIME each (CI: FUZZTIME=4s); prints the inputs each executed
	GO=$(GO) FUZZTIME=$(FUZZTIME) FUZZMINTIME=$(FUZZMINTIME) scripts/fuzz.sh

.PHONY: soak-inputs
soak-inputs: build ## 1 GiB hostile inputs of each format: outcome, time and peak RSS (not part of test; ~6 GiB of disk)
	scripts/soak $(BIN)

.PHONY: soak
soak: soak-api soak-inputs ## every load test: the API alias attack and the 1 GiB inputs; figures in docs/security.md

.PHONY: golden
golden: ## regenerate golden files of every package that has an -update flag (read the diff before committing)
	@pkgs=$$(grep -rl --include='*_test.go' 'flag.Bool("update"' . | xargs -n1 dirname | sort -u); \
	  echo "== $$pkgs"; $(GO) test -count=1 $$pkgs -update

.PHONY: lint
lint: ## gofmt and go vet
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...

.PHONY: clean
clean: ## remove build output
	rm -rf bin
