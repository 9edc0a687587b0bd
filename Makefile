# microplan: two commands on a fresh Debian 12 machine: `make run` and `make test`.
#   make build            install missing Debian packages, configure and build into build/
#   make run              build, generate the demo store build/demo.sqlite, validate it and serve it on
#                         http://127.0.0.1:8080 (PORT=n for another port; Ctrl-C stops)
#   make ecuador          build the real national store build/ecuador.sqlite from ../shared/data/ecuador
#                         (microplan build-ecuador: 9 zones, 140 districts, every circuit) and serve it
#   make test             build and run the whole test suite (ctest)
#   make test SANITIZE=1  the same with AddressSanitizer + UBSan, in build-asan/
#   make tsan             the server and parallel tests with ThreadSanitizer, in build-tsan/
#   make fuzz             libFuzzer targets (clang) in build-fuzz/, each run FUZZ_SECONDS (60) from the seed
#                         corpora in fuzz/corpus/ (FUZZING.md); FUZZ_RUNS=N for N executions each instead
#   make bench            install the peers (make bench-deps), build microplan and the bench programs, then
#                         import/validate, point-in-polygon and zonal benchmarks beside the peers, incremental
#                         coverage recompute, uncached tiles beside PostGIS ST_AsMVT, wrk on cached tiles and
#                         item pages, cost distance beside GRASS r.cost, straight-line accessibility beside
#                         GeoPandas + SciPy, designing every district and circuit of Ecuador, the store in
#                         PostgreSQL/PostGIS beside the file and replicas behind nginx (bench/RESULTS.md).
#                         A peer that is not installed is skipped with one line (BENCH_INSTALL=0: never
#                         apt-get); outputs under BENCH_DIR (/tmp/microplan-bench), nothing in ../shared

DEBIAN_PACKAGES := build-essential cmake pkg-config git \
  libgdal-dev gdal-bin libgeos-dev libproj-dev proj-bin \
  libsqlite3-dev sqlite3 libspatialite-dev libsqlite3-mod-spatialite \
  libpq-dev postgresql-15 postgresql-15-postgis-3 \
  libboost-dev libprotozero-dev zlib1g-dev nlohmann-json3-dev libcli11-dev coinor-libcbc-dev \
  googletest libgtest-dev libgmock-dev libbenchmark-dev \
  chromium poppler-utils grass-core nginx wrk curl \
  clang-format universal-ctags python3

# The viewer's packages (web/package-lock.json: MapLibre GL JS, the style validator,
# playwright-core) come from npm (Debian's nodejs + npm when missing); the browser test drives
# Debian's chromium, never a downloaded browser build.
ifeq ($(shell command -v npm 2>/dev/null),)
DEBIAN_PACKAGES += nodejs npm
endif

JOBS ?= $(shell nproc)
ifeq ($(SANITIZE),1)
BUILD_DIR ?= build-asan
CMAKE_FLAGS += -DMICROPLAN_ENABLE_SANITIZERS=ON -DCMAKE_BUILD_TYPE=Debug -DMICROPLAN_BUILD_BENCH=OFF
else
BUILD_DIR ?= build
endif

# The peers `make bench` runs beside microplan (bench/*, ../shared/peers/00_install.sh): PostgreSQL 15 +
# PostGIS 3, GeoPandas (+ rtree, SciPy's k-d tree), rasterio, GRASS, GDAL's ogr2ogr, wrk, nginx, QGIS Server
# (under spawn-fcgi); bc, curl and GNU time for the scripts.
BENCH_PACKAGES := python3 python3-numpy python3-pandas python3-scipy python3-geopandas python3-rtree \
  python3-rasterio python3-psycopg2 postgresql-15 postgresql-15-postgis-3 grass-core gdal-bin wrk nginx bc curl time \
  qgis-server spawn-fcgi
BENCH_TARGETS := microplan microplan_bench_pip_zonal microplan_bench_incremental microplan_bench_tiles \
  microplan_bench_incremental_travel microplan_bench_cost_bandwidth
BENCH_INSTALL ?= 1
BENCH_DIR ?= /tmp/microplan-bench

.PHONY: deps configure build web run ecuador test bench bench-deps bench-build clean tsan fuzz

deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing missing Debian packages:" $$missing; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	  else \
	    echo "microplan needs these Debian packages, which are missing:" $$missing; \
	    echo "run as root:  apt-get install -y $$missing   (or run 'sudo make deps')"; exit 1; \
	  fi; \
	fi

$(BUILD_DIR)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS)

configure: deps $(BUILD_DIR)/CMakeCache.txt

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

web/node_modules/.installed: web/package.json web/package-lock.json | deps
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

web: web/node_modules/.installed

PORT ?= 8080
run: build web
	$(BUILD_DIR)/microplan demo --out $(BUILD_DIR)/demo.sqlite
	$(BUILD_DIR)/microplan validate $(BUILD_DIR)/demo.sqlite
	$(BUILD_DIR)/microplan serve $(BUILD_DIR)/demo.sqlite --port $(PORT)

ECUADOR_DATA ?= ../shared/data/ecuador
ecuador: build web
	$(BUILD_DIR)/microplan build-ecuador --data $(ECUADOR_DATA) --out $(BUILD_DIR)/ecuador.sqlite
	$(BUILD_DIR)/microplan serve $(BUILD_DIR)/ecuador.sqlite --port $(PORT)

test: build web
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# The peers, installed when missing as root (never upgraded: upgrading postgresql-15 under a running
# cluster breaks it); otherwise, or with BENCH_INSTALL=0, the list to install and the benches skip them.
bench-deps:
	@missing=$$(for p in $(BENCH_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$(BENCH_INSTALL)" = 1 ] && [ "$$(id -u)" = 0 ]; then \
	    echo "Installing the benchmarks' peers:" $$missing; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends --no-upgrade $$missing >/dev/null || exit 1; \
	  else \
	    echo "make bench: not installed, so their benchmarks are skipped:" $$missing; \
	    echo "  (as root: apt-get install -y --no-upgrade" $$missing "  or 'sudo make bench-deps')"; \
	  fi; \
	fi

# Only what the benches run (not the test suite).
bench-build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target $(BENCH_TARGETS)

bench: bench-deps bench-build
	MICROPLAN_BENCH_DIR=$(BENCH_DIR) bench/run_all.sh $(BUILD_DIR) $(ECUADOR_DATA)

clean:
	rm -rf build build-asan web/node_modules

# ThreadSanitizer over the tests that run threads: the server, scenarios, tiles, parallel
# assignment, zonal sums and cost distance (not the real-data ones: the national surface takes
# beyond the tests' 10 minutes under TSan; the same code runs there on synthetic grids; nor the
# browser ones: their page waits of 60 s assume an uninstrumented server, and the required budget
# of the plan page, 6 s plain, takes longer than that under TSan; the routes they call run under
# TSan in the Serve*, Scenario* and IoThreads tests).
TSAN_TESTS ?= Serve|IoThreads|Scenario|StoreWriters|Hardening|Tiles|Assign|Zonal|CostDistance|Locate|Cells|Sites|Capacity
tsan: export TSAN_OPTIONS = suppressions=$(CURDIR)/tests/tsan.supp halt_on_error=1 second_deadlock_stack=1
tsan: deps web
	cmake -S . -B build-tsan -DMICROPLAN_ENABLE_TSAN=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMICROPLAN_BUILD_BENCH=OFF
	cmake --build build-tsan -j $(JOBS)
	cd build-tsan && ctest --output-on-failure -j $(JOBS) -R '$(TSAN_TESTS)' -LE 'real-data|browser'

# libFuzzer: clang and its runtime from Debian, installed when missing.
FUZZ_SECONDS ?= 60
# FUZZ_RUNS=N runs each target for N executions instead of FUZZ_SECONDS (the count FUZZING.md records).
FUZZ_RUNS ?=
FUZZ_LIMIT = $(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS),-max_total_time=$(FUZZ_SECONDS))
FUZZ_TARGETS ?= query http_request mvt import codification standards_population scenario_body
# One frame of allocation context: ASan finds the same errors, and a crash input replayed alone
# (FUZZING.md) gives the full stacks. Recording the default 30 frames took half of fuzz_import's
# time (FUZZING.md, 2026-12-04 third session).
FUZZ_ASAN_OPTIONS ?= malloc_context_size=1
fuzz: deps
	@for p in clang libclang-rt-14-dev; do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || \
	  { [ "$$(id -u)" = 0 ] && apt-get install -y -qq --no-install-recommends $$p >/dev/null; } || { echo "make fuzz needs $$p"; exit 1; }; done
	cmake -S . -B build-fuzz -DMICROPLAN_FUZZ=ON -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMICROPLAN_BUILD_TESTS=OFF -DMICROPLAN_BUILD_BENCH=OFF
	cmake --build build-fuzz -j $(JOBS)
	$(BUILD_DIR)/microplan demo --out build-fuzz/demo.sqlite >/dev/null 2>&1 || build-fuzz/microplan demo --out build-fuzz/demo.sqlite >/dev/null
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p build-fuzz/corpus/$$t build-fuzz/crashes/$$t; \
	  echo "fuzz_$$t: $(if $(FUZZ_RUNS),$(FUZZ_RUNS) executions,$(FUZZ_SECONDS) s)"; \
	  ASAN_OPTIONS="$(FUZZ_ASAN_OPTIONS)" MICROPLAN_FUZZ_STORE=build-fuzz/demo.sqlite build-fuzz/fuzz/fuzz_$$t build-fuzz/corpus/$$t fuzz/corpus/$$t \
	    $(FUZZ_LIMIT) -max_len=65536 -rss_limit_mb=4096 -timeout=60 -print_final_stats=1 \
	    -artifact_prefix=build-fuzz/crashes/$$t/ > build-fuzz/fuzz_$$t.log 2>&1; status=$$?; \
	  grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb)|DONE|ERROR|SUMMARY" build-fuzz/fuzz_$$t.log; \
	  [ $$status = 0 ] || { echo "fuzz_$$t found a crash: build-fuzz/crashes/$$t/ (log build-fuzz/fuzz_$$t.log)"; exit 1; }; \
	done
