# reachgraph — run `make help` for the targets.
GO        ?= go
BIN       := bin/reachgraph
FUZZTIME  ?= 20s
BENCHTIME ?= 1x
COUNT     ?= 1
TIERS     ?= S M

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@awk 'BEGIN{FS=":.*## "} /^[a-zA-Z_-]+:.*## /{printf "  %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## build bin/reachgraph
	$(GO) build -o $(BIN) ./cmd/reachgraph

.PHONY: demo
demo: build ## load the bundled finance sample (then the SAP sample and the multi-platform estate) into a fresh embedded store and print the headline answers
	./$(BIN) demo

.PHONY: test
test: ## unit, conformance and golden tests (server tests skip with a message when no server is given)
	$(GO) test -count=1 ./...

.PHONY: test-integration
test-integration: ## start a real Neo4j 5 (Java 17 + Maven) and run the server/browser tests with them REQUIRED
	scripts/neo4j-test-server start
	REACHGRAPH_NEO4J_URI=$$(scripts/neo4j-test-server uri) REACHGRAPH_REQUIRE_SERVERS=1 \
	  $(GO) test -count=1 ./graph/neo4jstore/... ./graph/stores/... ./schema/gqlserver/... ./cmd/cli/...; \
	  rc=$$?; scripts/neo4j-test-server stop; exit $$rc

.PHONY: bench-neo4j
bench-neo4j: ## ingest and projection benchmarks, embedded vs Neo4j (tier S)
	scripts/neo4j-test-server start
	REACHGRAPH_NEO4J_URI=$$(scripts/neo4j-test-server uri) $(GO) test -run '^$$' -bench . -benchtime 2x ./graph/neo4jstore; \
	  rc=$$?; scripts/neo4j-test-server stop; exit $$rc

.PHONY: generate
generate: ## regenerate the gqlgen code from schema/*.graphqls
	$(GO) generate ./schema/gqlserver

.PHONY: check-generated
check-generated: generate ## fail when the generated code is not up to date
	git diff --exit-code -- schema/gqlserver

.PHONY: test-race
test-race: ## the tests under the race detector
	$(GO) test -count=1 -race ./...

.PHONY: bench
bench: ## benchmarks on tiers $(TIERS) (ingest, projection, whocan, reach, ratio vs plain BFS); table in docs/performance.md
	@for t in $(TIERS); do \
	  REACHGRAPH_BENCH_TIER=$$t $(GO) test -run '^$$' -bench 'Tier' -benchmem -benchtime $(BENCHTIME) -count $(COUNT) -timeout 60m ./cmd/cli/ || exit 1; \
	done
	$(GO) test -run '^$$' -bench . -benchmem ./ingest/... ./graph/... ./analysis/...

.PHONY: fuzz
fuzz: ## run every Fuzz* target for FUZZTIME each
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

.PHONY: golden
golden: ## regenerate golden files (read the diff before committing)
	$(GO) test -count=1 ./... -update

.PHONY: lint
lint: ## gofmt and go vet
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...

.PHONY: clean
clean: ## remove build output
	rm -rf bin
