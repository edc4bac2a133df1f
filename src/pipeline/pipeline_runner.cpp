#include "pipeline/pipeline_runner.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>

#include "core/error.hpp"
#include "obs/http_endpoint.hpp"
#include "obs/pipeline_metrics.hpp"
#include "pipeline/batch_reader.hpp"
#include "pipeline/endpoints.hpp"
#include "pipeline/flow_set.hpp"
#include "pipeline/flow_state_loader.hpp"
#include "pipeline/session_loop.hpp"
#include "pipeline/snapshot_loader.hpp"
#include "pipeline/snapshot_meter.hpp"
#include "pipeline/stream_stats.hpp"

namespace sluice {

PipelineRunner::PipelineRunner(const PipelineConfig& config, RunOptions options)
    : config_(config), options_(options) {}

void PipelineRunner::run() {
  obs::HttpEndpoint observability(config_.observability, config_.name);
  SessionRetry retry{.what = "",
                     .resumes_from = "the warehouse checkpoint",
                     .on_retry = [](std::string_view reason) {
                       obs::pipeline_status().retrying("connection", std::string(reason));
                     }};
  run_sessions(config_, retry, [this] { return run_session(); });
}

bool PipelineRunner::run_session() {
  std::unique_ptr<Sink> sink = make_sink(config_);
  std::optional<Position> checkpoint = sink->checkpoint();
  std::unique_ptr<Source> source = make_source(config_, options_.until_caught_up);
  if (config_.flows.empty()) {
    start_mirror(*source, *sink, checkpoint);
    return stream(*source, *sink, nullptr);
  }
  std::unique_ptr<FlowSet> flows = start_flows(*source, *sink, checkpoint);
  return stream(*source, *sink, flows.get());
}

void PipelineRunner::start_mirror(Source& source, Sink& sink,
                                  const std::optional<Position>& checkpoint) {
  SnapshotLoader loader(sink);
  SnapshotMeter meter(loader, stop_requested);
  Position start = source.start(checkpoint, meter);
  if (!checkpoint) {
    sink.finish_snapshot(start);
    spdlog::info("snapshot complete: {} rows in {} tables; streaming from {}", meter.rows(),
                 meter.tables(), to_string(start));
  }
  for (const TableSchemaPtr& table : source.tables()) sink.prepare_table(*table);
}

// Flows keep the current rows of the tables they read. A first run fills them from the
// snapshot and rebuilds the destination tables in the transaction that records the
// snapshot's position. After a restart the current source rows fill them; replaying the
// changes since the checkpoint then brings every destination row to the same state.
std::unique_ptr<FlowSet> PipelineRunner::start_flows(Source& source, Sink& sink,
                                                     const std::optional<Position>& checkpoint) {
  FlowStateLoader loader(config_);
  SnapshotMeter meter(loader, stop_requested);
  Position start = source.start(checkpoint, meter);
  if (checkpoint) source.copy_current_rows(meter);
  std::unique_ptr<FlowSet> flows = loader.take_flows(source.tables());
  for (const TableSchemaPtr& output : flows->outputs()) sink.prepare_table(*output);
  if (!checkpoint) {
    // Applied batch by batch in one warehouse transaction, committed with the snapshot's
    // position by the last.
    uint64_t rows = 0;
    auto apply_part = [&](ChangeBatch& part) {
      rows += static_cast<uint64_t>(std::ranges::count_if(
          part.changes, [](const Change& c) { return c.op != Op::kTruncate; }));
      sink.apply(part);
      part.clear();
    };
    ChangeBatch rebuilt;
    flows->rebuild_all(rebuilt, config_.batch.max_rows, apply_part);
    rebuilt.commit_position = start;
    apply_part(rebuilt);
    spdlog::info("snapshot complete: {} destination rows from {} flows; streaming from {}", rows,
                 config_.flows.size(), to_string(start));
  } else {
    spdlog::info("flow state rebuilt from {} current source rows; resuming at {}", meter.rows(),
                 to_string(start));
  }
  return flows;
}

bool PipelineRunner::stream(Source& source, Sink& sink, FlowSet* flows) {
  StreamStats stats;
  BatchReader reader(source, config_.batch);
  ChangeBatch transformed;
  while (!stop_requested()) {
    ReadBatch read = reader.next();
    const ChangeBatch* batch = &read.batch;
    if (flows != nullptr) {
      transformed.clear();
      flows->apply(read.batch, transformed);
      batch = &transformed;
    }
    if (!batch->changes.empty() || !batch->dead_letters.empty() || batch->commit_position) {
      stats.begin_apply();
      sink.apply(*batch);
      if (batch->commit_position) reader.acknowledge(*batch->commit_position);
      stats.record(read.batch, *batch);
    }
    stats.maybe_log();
    if (read.status == ReadStatus::kCaughtUp && options_.until_caught_up) {
      reader.finish();
      spdlog::info("caught up: applied up to {}", stats.applied_position());
      return true;
    }
  }
  reader.finish();
  spdlog::info("stopped: applied up to {}", stats.applied_position());
  return true;
}

}  // namespace sluice
