#pragma once
// The text of the terminal's live status line: a progress bar with rate and ETA while the
// snapshot copies, a one-line summary while streaming. Pure functions of the figures, so
// the layout is testable without a terminal.

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "obs/pipeline_metrics.hpp"

namespace sluice::obs {

struct TableSnapshotProgress {
  uint64_t copied = 0;
  uint64_t estimated = 0;  // 0: the catalog did not know
  bool done = false;
};

struct SnapshotProgress {
  uint64_t copied = 0;
  // Rows expected in all: copied rows for finished tables, the estimate (or what has been
  // copied, when more) for the rest.
  uint64_t expected = 0;
  bool expected_known = true;  // false when an unfinished table has no estimate
  size_t tables_done = 0;
  size_t tables = 0;
};

SnapshotProgress sum_snapshot_progress(const std::vector<TableSnapshotProgress>& tables);

// "snapshot [######------]  52%  1.20M/2.31M rows  310k rows/s  ETA 3s  2/4 tables", cut to
// `width` columns.
std::string snapshot_line(const SnapshotProgress& progress, double rows_per_second, size_t width);

struct StreamingProgress {
  PipelineState state = PipelineState::kStreaming;
  double rows_per_second = 0;
  uint64_t rows_in = 0;
  uint64_t rows_out = 0;
  double lag_seconds = 0;
  std::string applied_position;
  std::string last_error;
};

// "streaming  1.02k rows/s  in 61.2k  out 61.2k  lag 0.21 s  at 0/1A2B3C8", cut to `width`.
std::string streaming_line(const StreamingProgress& progress, size_t width);

// 3 significant digits with a k/M/G suffix: 999, 1.23k, 12.3k, 123k, 1.23M.
std::string human_count(double count);
// 12s, 4m05s, 1h02m.
std::string human_duration(double seconds);

// The rate of a growing total over the last few seconds.
class RateWindow {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RateWindow(Clock::duration span = std::chrono::seconds(5)) : span_(span) {}

  void add(Clock::time_point at, uint64_t total);
  // Per second over the samples in the window; 0 until they span a fifth of a second.
  double per_second() const;

 private:
  Clock::duration span_;
  std::deque<std::pair<Clock::time_point, uint64_t>> samples_;
};

}  // namespace sluice::obs
