#pragma once
// Runs a pipeline: snapshot where needed, then batches from the source through the
// transforms into the sink, acknowledging the source only after each warehouse commit.
// A lost connection on either end is retried with backoff from the warehouse checkpoint.

#include <memory>
#include <optional>
#include <vector>

#include "config/pipeline_config.hpp"
#include "sink/sink.hpp"
#include "source/source.hpp"

namespace sluice {

class FlowSet;
class FlowStateStore;

struct RunOptions {
  bool until_caught_up = false;
};

class PipelineRunner {
 public:
  PipelineRunner(const PipelineConfig& config, RunOptions options);
  ~PipelineRunner();

  // Returns when caught up (with until_caught_up) or after stop() drained the pipeline.
  // Throws ConfigError / FatalError for what retrying cannot fix.
  void run();

 private:
  struct FlowStart {
    std::unique_ptr<FlowSet> flows;
    // The warehouse checkpoint, when the state is behind it: the log up to here goes into
    // the state only.
    std::optional<Position> replay_until;
  };

  // One connected session; returns true when the run is complete.
  bool run_session();
  void start_mirror(Source& source, Sink& sink, const std::optional<Position>& checkpoint);
  FlowStart start_flows(std::unique_ptr<Source>& source, Sink& sink,
                        const std::optional<Position>& checkpoint);
  std::unique_ptr<FlowSet> snapshot_flows(Source& source, Sink& sink);
  // Reads, transforms and applies batches until caught up or stopped.
  bool stream(Source& source, Sink& sink, FlowSet* flows, std::optional<Position> replay_until);
  void commit(Sink& sink, const ChangeBatch& batch, FlowSet* flows);
  bool apply_slice(Sink& sink, ChangeBatch& slice, const std::optional<Position>& end,
                   const std::optional<Position>& replay_until, std::vector<ChangeBatch>& held);

  const PipelineConfig& config_;
  RunOptions options_;
  std::unique_ptr<FlowStateStore> flow_state_;  // flows only: outlives the sessions
};

}  // namespace sluice
