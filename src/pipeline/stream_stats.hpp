#pragma once
// Streaming progress: a log line every 10 seconds, and the pipeline's metrics (rows per
// table, batches, apply time, commit-to-visible latency, lag, applied position).

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/change.hpp"

namespace sluice {

class StreamStats {
 public:
  // Created when a session starts streaming: the pipeline state becomes "streaming".
  StreamStats();

  // The sink starts applying the next batch (for sluice_batch_seconds).
  void begin_apply();
  // The sink has applied `applied`, made by the flows from the source's `read` (the same
  // batch in mirror mode), and committed it when it has a commit position.
  void record(const ChangeBatch& read, const ChangeBatch& applied);
  void record(const ChangeBatch& mirrored) { record(mirrored, mirrored); }
  // The sink has applied part of a batch's flow output ahead of the rest.
  void record_slice(const ChangeBatch& slice);
  // Logs a one-line summary every 10 seconds while there is traffic.
  void maybe_log();
  const std::string& applied_position() const { return applied_position_; }

 private:
  void count_rows(const ChangeBatch& read, const ChangeBatch& applied);
  void observe_commits(const ChangeBatch& read, bool committed, int64_t now_us);

  uint64_t changes_ = 0;
  uint64_t batches_ = 0;
  double last_lag_seconds_ = 0;
  std::string applied_position_ = "the snapshot";
  std::chrono::steady_clock::time_point window_start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point apply_start_{};
  // Commit times of source transactions applied but not yet committed in the warehouse
  // (a large transaction arrives in several batches).
  std::vector<int64_t> pending_commit_times_;
  uint64_t last_xid_ = 0;
  int64_t last_commit_time_us_ = 0;
};

}  // namespace sluice
