#include "obs/progress_display.hpp"

#include <map>

namespace sluice::obs {
namespace {

constexpr auto kRedrawInterval = std::chrono::milliseconds(250);

std::vector<TableSnapshotProgress> snapshot_tables(const PipelineMetrics& metrics) {
  std::map<std::string, TableSnapshotProgress> tables;
  for (const auto& [name, estimate] : metrics.snapshot_rows_estimated.children())
    tables[name].estimated = static_cast<uint64_t>(estimate->value());
  for (const auto& [name, done] : metrics.snapshot_done.children())
    tables[name].done = done->value() == 1;
  for (const auto& [name, rows] : metrics.snapshot_rows.children())
    tables[name].copied = rows->value();
  std::vector<TableSnapshotProgress> out;
  for (const auto& [name, table] : tables) out.push_back(table);
  return out;
}

uint64_t total(const Family<Counter>& family) {
  uint64_t sum = 0;
  for (const auto& [label, counter] : family.children()) sum += counter->value();
  return sum;
}

}  // namespace

ProgressDisplay::ProgressDisplay(TerminalSink& terminal)
    : terminal_(terminal), thread_([this] { run(); }) {}

ProgressDisplay::~ProgressDisplay() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  terminal_.set_status("");
}

void ProgressDisplay::run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, kRedrawInterval, [this] { return stopping_; }))
    terminal_.set_status(current_line());
}

std::string ProgressDisplay::current_line() {
  PipelineMetrics& metrics = pipeline_metrics();
  PipelineStatus& status = pipeline_status();
  auto now = RateWindow::Clock::now();
  if (status.state() == PipelineState::kSnapshot) {
    SnapshotProgress snapshot = sum_snapshot_progress(snapshot_tables(metrics));
    snapshot_rate_.add(now, snapshot.copied);
    return snapshot_line(snapshot, snapshot_rate_.per_second(), terminal_.width());
  }
  StreamingProgress streaming;
  streaming.state = status.state();
  streaming.rows_in = total(metrics.rows_in);
  streaming.rows_out = total(metrics.rows_out);
  streaming_rate_.add(now, streaming.rows_in);
  streaming.rows_per_second = streaming_rate_.per_second();
  streaming.lag_seconds = metrics.lag_seconds.value();
  streaming.applied_position = status.applied_position();
  streaming.last_error = status.last_error();
  return streaming_line(streaming, terminal_.width());
}

}  // namespace sluice::obs
