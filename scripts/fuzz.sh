#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang-14, AddressSanitizer and
# UndefinedBehaviorSanitizer) in build-fuzz/ and runs each in turn for SECONDS (default
# 300), starting from its seed corpus in tests/fuzz/corpus/<target>/.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Inputs the fuzzers add go to build-fuzz/corpus/<target>/ (the committed seeds stay
# small). A crash, hang (-timeout), memory blow-up (-rss_limit_mb) or sanitizer report
# leaves its input in build-fuzz/artifacts/<target>/: fix the code, then copy the input
# to tests/data/fuzz/<target>/, where the unit tests (FuzzRegression) replay it.
set -euo pipefail

cd "$(dirname "$0")/.."
seconds=${1:-300}
shift || true

bash scripts/install-deps.sh
fuzz_packages=(clang-14 libfuzzer-14-dev)
missing=()
for package in "${fuzz_packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
if ((${#missing[@]} > 0)); then
  echo "== installing: ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++-14 -DSLUICE_FUZZ=ON >/dev/null
nice cmake --build build-fuzz

targets=("$@")
if ((${#targets[@]} == 0)); then
  for source in tests/fuzz/*_fuzz.cpp; do
    name=$(basename "$source" .cpp)
    targets+=("${name%_fuzz}")
  done
fi

passed=0
failed=0
summary=()
for target in "${targets[@]}"; do
  corpus=build-fuzz/corpus/$target
  artifacts=build-fuzz/artifacts/$target
  log=build-fuzz/fuzz-$target.log
  rm -rf "$artifacts"  # what it holds after this run is this run's finding
  mkdir -p "$corpus" "$artifacts"
  echo "== fuzzing $target for ${seconds}s (log: $log)"
  status=0
  # nice: the fuzzers take whatever CPU the machine has spare, never from other work.
  UBSAN_OPTIONS=print_stacktrace=1 nice -n 19 "build-fuzz/tests/fuzz/${target}_fuzz" -max_total_time="$seconds" \
    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "$corpus" "tests/fuzz/corpus/$target" >"$log" 2>&1 || status=$?
  executions=$(awk '/stat::number_of_executed_units/ {print $2}' "$log" | tail -1)
  if ((status == 0)); then
    passed=$((passed + 1))
    summary+=("$target: ${executions:-?} executions, nothing found")
  else
    failed=$((failed + 1))
    found=$(ls -t "$artifacts" 2>/dev/null | head -1)
    summary+=("$target: FOUND after ${executions:-?} executions: $artifacts/$found (see $log)")
    grep -m3 -E 'ERROR: |runtime error|SUMMARY' "$log" || true
  fi
done

echo "== fuzz summary"
printf '%s\n' "${summary[@]}"
echo "fuzz: $passed passed, $failed failed"
((failed == 0))
