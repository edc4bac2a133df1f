#pragma once
// Streaming progress for the log: changes applied, rate, and commit-to-apply lag.

#include <chrono>
#include <cstdint>
#include <string>

#include "core/change.hpp"

namespace sluice {

class StreamStats {
 public:
  void record(const ChangeBatch& batch);
  // Logs a one-line summary every 10 seconds while there is traffic.
  void maybe_log();
  const std::string& applied_position() const { return applied_position_; }

 private:
  uint64_t changes_ = 0;
  uint64_t batches_ = 0;
  double last_lag_seconds_ = 0;
  std::string applied_position_ = "the snapshot";
  std::chrono::steady_clock::time_point window_start_ = std::chrono::steady_clock::now();
};

}  // namespace sluice
