#pragma once
// Test hooks for the crash tests: `crash_point("after_warehouse_commit")` kills the process
// with SIGKILL, as `kill -9` would, when the environment variable SLUICE_CRASH_AT names that
// point. The points are the moments whose order makes delivery exact (docs/design-notes.md),
// so a test hits each on purpose instead of hoping a random kill lands there.

#include <string_view>

namespace sluice {

void crash_point(std::string_view name);

}  // namespace sluice
