#include "source/copy_progress.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace sluice {

void CopyProgress::report(bool done) {
  constexpr auto kInterval = std::chrono::seconds(5);
  auto now = std::chrono::steady_clock::now();
  if (!done && now - last_report_ < kInterval) return;
  last_report_ = now;
  double seconds = std::chrono::duration<double>(now - started_).count();
  spdlog::info("snapshot: {} {} rows{} ({:.0f} rows/s)", table_name_, rows_, done ? ", done" : "",
               rows_ / std::max(seconds, 1e-3));
}

}  // namespace sluice
