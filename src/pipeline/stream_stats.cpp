#include "pipeline/stream_stats.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "obs/pipeline_metrics.hpp"

namespace sluice {
namespace {

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Calls `add(table, n)` for each run of consecutive changes to one table, so the label
// lookup happens once per run rather than once per row.
template <typename Add>
void for_each_table_run(const ChangeBatch& batch, Add add) {
  const TableSchema* table = nullptr;
  uint64_t run = 0;
  for (const Change& change : batch.changes) {
    if (change.op == Op::kTruncate || !change.table) continue;
    if (change.table.get() != table) {
      if (run > 0) add(*table, run);
      table = change.table.get();
      run = 0;
    }
    ++run;
  }
  if (run > 0) add(*table, run);
}

}  // namespace

StreamStats::StreamStats() {
  obs::pipeline_status().set_state(obs::PipelineState::kStreaming);
}

void StreamStats::begin_apply() {
  apply_start_ = std::chrono::steady_clock::now();
}

void StreamStats::record(const ChangeBatch& read, const ChangeBatch& applied) {
  obs::PipelineMetrics& m = obs::pipeline_metrics();
  if (apply_start_ != std::chrono::steady_clock::time_point{})
    m.batch_seconds.observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - apply_start_).count());
  apply_start_ = {};
  m.batches.inc();
  changes_ += read.changes.size();
  ++batches_;
  count_rows(read, applied);
  int64_t now = now_us();
  observe_commits(read, applied.commit_position.has_value(), now);
  if (applied.commit_position) {
    applied_position_ = to_string(*applied.commit_position);
    obs::pipeline_status().set_applied_position(applied_position_);
  }
  if (read.last_commit_time_us != 0) {
    last_lag_seconds_ = static_cast<double>(now - read.last_commit_time_us) / 1e6;
    m.lag_seconds.set(last_lag_seconds_);
  }
  obs::pipeline_status().set_state(obs::PipelineState::kStreaming);
}

// Rows in by source table; rows out by destination table: a flow's name, or in mirror mode
// the source table's name in the sink's schema.
void StreamStats::count_rows(const ChangeBatch& read, const ChangeBatch& applied) {
  obs::PipelineMetrics& m = obs::pipeline_metrics();
  for_each_table_run(read, [&](const TableSchema& table, uint64_t rows) {
    m.rows_in.with(table.qualified_name()).inc(rows);
  });
  record_slice(applied);
}

void StreamStats::record_slice(const ChangeBatch& slice) {
  obs::PipelineMetrics& m = obs::pipeline_metrics();
  for_each_table_run(slice, [&](const TableSchema& table, uint64_t rows) {
    m.rows_out.with(table.name).inc(rows);
  });
}

void StreamStats::observe_commits(const ChangeBatch& read, bool committed, int64_t now) {
  for (const Change& change : read.changes) {
    if (change.xid == last_xid_ && change.commit_time_us == last_commit_time_us_) continue;
    last_xid_ = change.xid;
    last_commit_time_us_ = change.commit_time_us;
    if (change.commit_time_us != 0) pending_commit_times_.push_back(change.commit_time_us);
  }
  if (!committed) return;
  obs::Histogram& latency = obs::pipeline_metrics().commit_to_visible;
  for (int64_t commit_us : pending_commit_times_)
    // Clamped: the source's clock may run slightly ahead of this machine's.
    latency.observe(std::max(0.0, static_cast<double>(now - commit_us) / 1e6));
  pending_commit_times_.clear();
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
