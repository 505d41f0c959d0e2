# Common Ground: the commands a newcomer and CI use.
#   make run    build what is needed and serve http://127.0.0.1:8080 (embedded store in ./data)
#   make test   everything CI runs
#   make bench  the benchmarks, with figures to report
#   make lint   formatting, vet, staticcheck and the OpenAPI lint

GO            ?= go
STATICCHECK   := honnef.co/go/tools/cmd/staticcheck@v0.8.2
REDOCLY       := @redocly/cli@2.77.0
BENCH_COUNT   ?= 5

.PHONY: run test lint fmt-check vet staticcheck openapi-lint go-test bench

run:
	$(GO) run .

test: lint go-test

lint: fmt-check vet staticcheck openapi-lint

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './frontend/node_modules/*')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) run $(STATICCHECK) ./...

openapi-lint:
	npx --yes $(REDOCLY) lint --format=stylish server/openapi.json

go-test:
	$(GO) test -race -timeout 30m ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count $(BENCH_COUNT) -timeout 60m ./...
