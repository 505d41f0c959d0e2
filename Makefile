# Common Ground: the commands a newcomer and CI use.
#   make run    build what is needed and serve http://127.0.0.1:8080 (embedded store in ./data)
#   make test   everything CI runs
#   make bench  the benchmarks, with figures to report
#   make lint   formatting, vet, staticcheck and the OpenAPI lint

GO            ?= go
STATICCHECK   := honnef.co/go/tools/cmd/staticcheck@v0.8.2
REDOCLY       := @redocly/cli@2.77.0
BENCH_COUNT   ?= 5

.PHONY: run test lint fmt-check vet staticcheck openapi-lint go-test bench bench-go bench-http web web-test web-e2e

run: web
	$(GO) run .

test: lint web-test web-e2e go-test

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

bench: bench-go bench-http bench-geo

bench-go:
	$(GO) test -run '^$$' -bench . -benchmem -count $(BENCH_COUNT) -timeout 60m ./...

# HTTP load on loopback with hey (apt-get install -y hey).
bench-http:
	bench/http.sh

# The web app (frontend/): installed from its lockfile, rebuilt only when its
# sources change, embedded into the Go binary by package frontend.
WEB       := frontend
WEB_DEPS  := $(WEB)/node_modules/.package-lock.json
WEB_BUILT := $(WEB)/dist/index.html
WEB_SRC   := $(shell find $(WEB)/src $(WEB)/public -type f 2>/dev/null) $(WEB)/index.html $(WEB)/vite.config.ts $(WEB)/tsconfig.json

$(WEB_DEPS): $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund

$(WEB_BUILT): $(WEB_DEPS) $(WEB_SRC)
	cd $(WEB) && npm run build

web: $(WEB_BUILT)

web-test: $(WEB_DEPS)
	cd $(WEB) && npm test

# Browser tests in Debian's Chromium (.ci/run installs it).
web-e2e: web
	cd $(WEB) && npm run e2e

# The synthetic Jackson County demo (parcels around Phoenix and Talent, the
# Almeda Fire perimeter and the Bear Creek floodway, campaigns with pledges
# and a FEMA grant, households)
# in its own data directory, seeded at start; starting it again adds nothing twice.
.PHONY: demo bench-pledges
demo: web
	COMMONGROUND_DEMO=true COMMONGROUND_DATA_DIR=./data/demo $(GO) run .

# 64 clients pledging for 20 s against a fresh server: plain, every request
# sent twice, and kill -9 mid-load followed by a restart. Prints pledges/s,
# latency percentiles and the ledger checks.
bench-pledges:
	./bench/pledges.sh

# Geo at the benchmark sizes (200,000 generated parcels, 50 hazard zones):
# start-up load from the embedded store, map viewports over HTTP with hey,
# and the same viewport and nearest queries in PostGIS (a throwaway
# PostgreSQL 15 with PostGIS 3 on loopback). Each prints its figures.
.PHONY: bench-geo bench-geo-load bench-geo-http bench-postgis
bench-geo: bench-geo-load bench-geo-http bench-postgis
bench-geo-load:
	bench/geo-load.sh
bench-geo-http:
	bench/geo-http.sh
bench-postgis:
	bench/postgis.sh

# Household registration over HTTP: 64 clients for 20 s against a fresh
# embedded store, then the stored count checked against the 201s; and the
# start-up load of 100,000 households. Each prints its figures.
.PHONY: bench-households
bench-households:
	$(GO) run ./bench/householdload -clients 64 -duration 20s
	$(GO) run ./bench/householdstartup -households 100000 -runs 3
