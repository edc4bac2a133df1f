#!/usr/bin/env bash
# Installs what is missing, builds sluice, and runs every test: unit tests (also under
# AddressSanitizer + UndefinedBehaviorSanitizer) and integration tests against real
# PostgreSQL 15 and MariaDB 10.11 servers that the tests start on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)
scripts/install-deps.sh

echo "== build (release with debug info)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUICE_WERROR=ON >/dev/null
cmake --build build -j "$jobs"

echo "== build (ASan + UBSan)"
cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSLUICE_SANITIZE=ON -DSLUICE_WERROR=ON \
  -DSLUICE_BENCHMARKS=OFF >/dev/null
cmake --build build-sanitize -j "$jobs" --target unit_tests

echo "== unit tests (sanitizers)"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-sanitize -L unit --output-on-failure -j "$jobs"

echo "== unit and integration tests"
ctest --test-dir build --output-on-failure --timeout 900
