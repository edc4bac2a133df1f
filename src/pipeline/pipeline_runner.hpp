#pragma once
// Runs a pipeline: snapshot where needed, then batches from the source through the
// transforms into the sink, acknowledging the source only after each warehouse commit.
// A lost connection on either end is retried with backoff from the warehouse checkpoint.

#include <atomic>

#include "config/pipeline_config.hpp"

namespace sluice {

struct RunOptions {
  bool until_caught_up = false;
};

class PipelineRunner {
 public:
  PipelineRunner(const PipelineConfig& config, RunOptions options);

  // Returns when caught up (with until_caught_up) or after stop() drained the pipeline.
  // Throws ConfigError / FatalError for what retrying cannot fix.
  void run();

  // Async-signal-safe: asks run() to finish the batch in hand and return.
  static void stop();

 private:
  // One connected session; returns true when the run is complete.
  bool run_session();

  const PipelineConfig& config_;
  RunOptions options_;
};

}  // namespace sluice
