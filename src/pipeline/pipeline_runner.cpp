#include "pipeline/pipeline_runner.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>

#include "core/crash_point.hpp"
#include "core/error.hpp"
#include "obs/http_endpoint.hpp"
#include "obs/pipeline_metrics.hpp"
#include "pipeline/batch_reader.hpp"
#include "pipeline/endpoints.hpp"
#include "pipeline/flow_set.hpp"
#include "pipeline/flow_state_loader.hpp"
#include "pipeline/flow_state_store.hpp"
#include "pipeline/session_loop.hpp"
#include "pipeline/snapshot_loader.hpp"
#include "pipeline/snapshot_meter.hpp"
#include "pipeline/stream_stats.hpp"

namespace sluice {
namespace {

// A batch that ends a source transaction commits with the position after it; any other
// leaves the warehouse transaction open.
void apply_batch(Sink& sink, const ChangeBatch& batch) {
  std::optional<Checkpoint> commit;
  if (batch.commit_position) commit = Checkpoint{.position = batch.commit_position};
  sink.apply(batch, commit).value_or_raise();
}

}  // namespace

PipelineRunner::PipelineRunner(const PipelineConfig& config, RunOptions options)
    : config_(config), options_(options) {}

PipelineRunner::~PipelineRunner() = default;

void PipelineRunner::run() {
  obs::HttpEndpoint observability(config_.observability, config_.name);
  SessionRetry retry{.what = "",
                     .resumes_from = "the warehouse checkpoint",
                     .on_retry = [](std::string_view reason) {
                       obs::pipeline_status().retrying("connection", std::string(reason));
                     }};
  if (!config_.flows.empty()) flow_state_ = std::make_unique<FlowStateStore>(config_);
  run_sessions(config_, retry, [this] { return run_session(); });
}

bool PipelineRunner::run_session() {
  std::unique_ptr<Sink> sink = make_sink(config_);
  std::optional<Position> checkpoint = sink->checkpoint(CheckpointKind::kSourcePosition).position;
  std::unique_ptr<Source> source = make_source(config_, options_.until_caught_up);
  if (config_.flows.empty()) {
    start_mirror(*source, *sink, checkpoint);
    return stream(*source, *sink, nullptr, std::nullopt);
  }
  FlowStart start = start_flows(source, *sink, checkpoint);
  return stream(*source, *sink, start.flows.get(), start.replay_until);
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

// Flows keep the current rows of the tables they read in the state store. A restart
// resumes the source at the state's position; a state that cannot serve the warehouse
// checkpoint (none, another pipeline's, ahead of it, other flow definitions) is rebuilt
// from a fresh snapshot that replaces the destination tables, as on the first run.
PipelineRunner::FlowStart PipelineRunner::start_flows(std::unique_ptr<Source>& source, Sink& sink,
                                                      const std::optional<Position>& checkpoint) {
  std::variant<Position, std::string> resume = flow_state_->resume_point(checkpoint);
  if (const Position* from = std::get_if<Position>(&resume)) {
    FlowStateLoader unused(config_, nullptr);
    source->start(*from, unused);
    auto flows = std::make_unique<FlowSet>(config_, source->tables(), &flow_state_->store());
    if (flow_state_->serves(*flows)) {
      for (const TableSchemaPtr& output : flows->outputs()) sink.prepare_table(*output);
      if (at_or_before(*checkpoint, *from)) {
        spdlog::info("flow state at the warehouse checkpoint {}: resuming", to_string(*from));
        return {std::move(flows), std::nullopt};
      }
      spdlog::info(
          "flow state at {}, warehouse at {}: replaying the changes between into the "
          "state only",
          to_string(*from), to_string(*checkpoint));
      return {std::move(flows), checkpoint};
    }
    spdlog::warn(
        "the flow state was built for other flow definitions or table columns: "
        "rebuilding the flows from a fresh snapshot");
    flows.reset();
    source = make_source(config_, options_.until_caught_up);
  } else if (checkpoint) {
    spdlog::warn("{}: rebuilding the flows from a fresh snapshot", std::get<std::string>(resume));
  }
  flow_state_->start_over();
  return {snapshot_flows(*source, sink), std::nullopt};
}

// The snapshot fills the state store; the destination tables are rebuilt from it batch by
// batch in one warehouse transaction, committed with the snapshot's position by the last.
std::unique_ptr<FlowSet> PipelineRunner::snapshot_flows(Source& source, Sink& sink) {
  FlowStateLoader loader(config_, &flow_state_->store());
  SnapshotMeter meter(loader, stop_requested);
  Position start = source.start(std::nullopt, meter);
  std::unique_ptr<FlowSet> flows = loader.take_flows(source.tables());
  for (const TableSchemaPtr& output : flows->outputs()) sink.prepare_table(*output);
  uint64_t rows = 0;
  auto apply_part = [&](ChangeBatch& part) {
    rows += static_cast<uint64_t>(
        std::ranges::count_if(part.changes, [](const Change& c) { return c.op != Op::kTruncate; }));
    apply_batch(sink, part);
    part.clear();
  };
  ChangeBatch rebuilt;
  flows->rebuild_all(rebuilt, {config_.batch.max_rows, config_.batch.max_bytes, apply_part});
  rebuilt.commit_position = start;
  apply_part(rebuilt);
  crash_point("after_snapshot_warehouse_commit");
  flow_state_->commit(*flows, start);
  spdlog::info("snapshot complete: {} destination rows from {} flows; streaming from {}", rows,
               config_.flows.size(), to_string(start));
  return flows;
}

// A batch that ends a source transaction commits in the warehouse, then in the state store,
// and only then is the source told: never acknowledged past the smaller of the two.
void PipelineRunner::commit(Sink& sink, const ChangeBatch& batch, FlowSet* flows) {
  if (batch.commit_position) crash_point("before_warehouse_commit");
  apply_batch(sink, batch);
  if (!batch.commit_position || flows == nullptr) return;
  crash_point("after_warehouse_commit");
  flow_state_->commit(*flows, *batch.commit_position);
  crash_point("after_state_commit");
}

// Part of a batch's flow output, taken before the batch ends: written in the open warehouse
// transaction (true), or while replaying, held or dropped as the rest of its batch will be.
bool PipelineRunner::apply_slice(Sink& sink, ChangeBatch& slice, const std::optional<Position>& end,
                                 const std::optional<Position>& replay_until,
                                 std::vector<ChangeBatch>& held) {
  if (replay_until && !end) {
    held.push_back(std::move(slice));
    return false;
  }
  if (replay_until && at_or_before(*end, *replay_until)) return false;
  for (const ChangeBatch& part : held) apply_batch(sink, part);
  held.clear();
  apply_batch(sink, slice);
  crash_point("after_slice");
  return true;
}

bool PipelineRunner::stream(Source& source, Sink& sink, FlowSet* flows,
                            std::optional<Position> replay_until) {
  StreamStats stats;
  BatchReader reader(source, config_.batch, replay_until.has_value());
  ChangeBatch transformed;
  // While replaying: the output of a source transaction whose end has not arrived, applied
  // only if the transaction turns out to be past the warehouse checkpoint.
  std::vector<ChangeBatch> held;
  while (!stop_requested()) {
    ReadBatch read = reader.next();
    const ChangeBatch* batch = &read.batch;
    if (flows != nullptr) {
      transformed.clear();
      auto take_slice = [&](ChangeBatch& slice) {
        if (apply_slice(sink, slice, read.batch.commit_position, replay_until, held))
          stats.record_slice(slice);
        slice.clear();
      };
      flows->apply(read.batch, transformed,
                   {config_.batch.max_rows, config_.batch.max_bytes, take_slice});
      batch = &transformed;
    }
    bool apply = true;
    if (replay_until) {
      const std::optional<Position>& end = read.batch.commit_position;
      if (!end) {
        held.push_back(std::move(transformed));
        apply = false;
      } else if (at_or_before(*end, *replay_until)) {
        // The warehouse holds this transaction already: only the state catches up.
        held.clear();
        flow_state_->commit(*flows, *end);
        reader.acknowledge(*end);
        apply = false;
      } else {
        // No transaction ended exactly at the checkpoint: this one is past it.
        for (const ChangeBatch& part : held) apply_batch(sink, part);
        held.clear();
      }
      if (end && at_or_before(*replay_until, *end)) {
        spdlog::info("flow state caught up with the warehouse at {}", to_string(*replay_until));
        replay_until.reset();
        reader.set_one_transaction(false);
      }
    }
    if (apply &&
        (!batch->changes.empty() || !batch->dead_letters.empty() || batch->commit_position)) {
      stats.begin_apply();
      commit(sink, *batch, flows);
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
