# kabinet — the README's two commands are `make run` (or `go run ./cmd/kabinet serve --demo`)
# and `make test`.
GO ?= go
PKGS ?= ./...

.PHONY: run test deps fmt-check vet unit bench bench-quick

run:
	$(GO) run ./cmd/kabinet serve --demo

# Everything CI runs: install test tools, format check, vet, all tests with -race on SQLite and
# PostgreSQL (the tests start their own PostgreSQL cluster) and the browser tests.
test: deps fmt-check vet unit

deps:
	bash scripts/install-test-deps.sh

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

unit:
	CI=true $(GO) test -race -p 2 -timeout 40m -count=1 $(PKGS)

bench:
	bash scripts/bench.sh

bench-quick:
	QUICK=1 bash scripts/bench.sh
