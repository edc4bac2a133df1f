#!/usr/bin/env bash
# A user's or a packager's build must never fail on a warning: a plain Release configure
# compiles nothing with -Werror (only SLUICE_WERROR=ON, which scripts/test.sh sets, does).
set -euo pipefail
source_dir=$1
build_dir=$(mktemp -d)
trap 'rm -rf "$build_dir"' EXIT
cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
commands="$build_dir/compile_commands.json"
if [[ ! -s $commands ]]; then
  echo "no compile_commands.json in $build_dir"
  exit 1
fi
if grep -q -- '-Werror' "$commands"; then
  echo "a plain Release build compiles with -Werror:"
  grep -m1 -o '"command": "[^"]*-Werror[^"]*' "$commands"
  exit 1
fi
echo "Release build without -Werror: ok"
