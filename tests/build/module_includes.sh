#!/usr/bin/env bash
# The module check passes on the tree as it is, and fails, naming the file and the
# module, when a module includes a header of one it does not declare.
set -euo pipefail
source_dir=$1
deps_file=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
check() {  # check SOURCE_DIR
  cmake -DSOURCE_DIR="$1" -DDEPS_FILE="$deps_file" -DSTAMP="$work/stamp" \
    -P "$source_dir/cmake/check_module_includes.cmake" 2>&1
}
check "$source_dir" >/dev/null || { echo "the tree itself fails the check"; check "$source_dir"; exit 1; }

cp -r "$source_dir/src" "$work/src"
echo '#include "pipeline/flow_set.hpp"' >>"$work/src/core/types.cpp"
if output=$(check "$work"); then
  echo "core including pipeline/ passed the check"
  exit 1
fi
grep -q 'src/core/types.cpp: #include "pipeline/flow_set.hpp" (module core does not declare pipeline)' \
  <<<"$output" || { echo "unexpected message:"; echo "$output"; exit 1; }
echo "module includes: ok"
