#pragma once
// Paces `sluice demo ingest` by the clock: the number of rows due after t seconds is
// 1 + floor(rate * t), so the first purchase lands at once and a slow batch is caught up
// by the next ones instead of lowering the rate.

#include <chrono>
#include <cstdint>
#include <string_view>

namespace sluice::demo {

class IngestPacer {
 public:
  using Clock = std::chrono::steady_clock;

  // rows_per_second > 0.
  IngestPacer(double rows_per_second, Clock::time_point start);

  // Rows that should have been inserted by `now`, in total.
  uint64_t due(Clock::time_point now) const;
  // When row number `count` + 1 falls due.
  Clock::time_point next_due(uint64_t count) const;

 private:
  double rate_;
  Clock::time_point start_;
};

// "30s", "5m", "1h", "500ms" or a bare number of seconds; throws ConfigError otherwise.
std::chrono::milliseconds parse_demo_duration(std::string_view text);

}  // namespace sluice::demo
