#include "pipeline/pipeline_runner.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/error.hpp"
#include "pipeline/batch_reader.hpp"
#include "pipeline/endpoints.hpp"
#include "pipeline/snapshot_loader.hpp"
#include "pipeline/stream_stats.hpp"

namespace sluice {
namespace {

std::atomic<bool> stop_requested{false};

// Sleeps up to `duration`, waking early when a stop is requested.
void sleep_unless_stopped(std::chrono::milliseconds duration) {
  auto until = std::chrono::steady_clock::now() + duration;
  while (!stop_requested && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

}  // namespace

PipelineRunner::PipelineRunner(const PipelineConfig& config, RunOptions options)
    : config_(config), options_(options) {}

void PipelineRunner::stop() {
  stop_requested = true;
}

void PipelineRunner::run() {
  auto backoff = std::chrono::milliseconds(500);
  constexpr auto kMaxBackoff = std::chrono::milliseconds(30000);
  while (!stop_requested) {
    try {
      if (run_session()) return;
      backoff = std::chrono::milliseconds(500);
    } catch (const ConnectionError& e) {
      spdlog::warn("{}; reconnecting in {} ms and resuming from the warehouse checkpoint", e.what(),
                   backoff.count());
      sleep_unless_stopped(backoff);
      backoff = std::min(backoff * 2, kMaxBackoff);
    }
  }
}

bool PipelineRunner::run_session() {
  std::unique_ptr<Sink> sink = make_sink(config_);
  std::optional<Position> checkpoint = sink->checkpoint();
  std::unique_ptr<Source> source = make_source(config_, options_.until_caught_up);

  SnapshotLoader loader(*sink);
  Position start = source->start(checkpoint, loader);
  if (!checkpoint) {
    sink->finish_snapshot(start);
    spdlog::info("snapshot complete: {} rows in {} tables; streaming from {}", loader.rows(),
                 loader.tables(), to_string(start));
  }
  for (const TableSchemaPtr& table : source->tables()) sink->prepare_table(*table);

  StreamStats stats;
  BatchReader reader(*source, config_.batch);
  while (!stop_requested) {
    ReadBatch read = reader.next();
    const ChangeBatch& batch = read.batch;
    if (!batch.changes.empty() || batch.commit_position) {
      sink->apply(batch);
      if (batch.commit_position) reader.acknowledge(*batch.commit_position);
      stats.record(batch);
    }
    stats.maybe_log();
    if (read.status == ReadStatus::kCaughtUp && options_.until_caught_up) {
      spdlog::info("caught up: applied up to {}", stats.applied_position());
      return true;
    }
  }
  spdlog::info("stopped: applied up to {}", stats.applied_position());
  return true;
}

}  // namespace sluice
