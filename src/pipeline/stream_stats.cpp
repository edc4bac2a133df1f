#include "pipeline/stream_stats.hpp"

#include <spdlog/spdlog.h>

namespace sluice {

void StreamStats::record(const ChangeBatch& batch) {
  changes_ += batch.changes.size();
  ++batches_;
  if (batch.commit_position) applied_position_ = to_string(*batch.commit_position);
  if (batch.last_commit_time_us != 0) {
    auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    last_lag_seconds_ = static_cast<double>(now_us - batch.last_commit_time_us) / 1e6;
  }
}

void StreamStats::maybe_log() {
  auto now = std::chrono::steady_clock::now();
  double seconds = std::chrono::duration<double>(now - window_start_).count();
  if (seconds < 10) return;
  if (changes_ > 0)
    spdlog::info(
        "streaming: {} changes in {} batches ({:.0f}/s), commit-to-apply lag {:.2f} s, "
        "applied up to {}",
        changes_, batches_, changes_ / seconds, last_lag_seconds_, applied_position_);
  changes_ = batches_ = 0;
  window_start_ = now;
}

}  // namespace sluice
