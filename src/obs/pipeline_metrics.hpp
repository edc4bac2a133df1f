#pragma once
// The metrics and state of the running pipeline, shared by the pipeline (which updates
// them) and the HTTP endpoint (which reads them). One pipeline runs per process, so they are
// process-wide, like a Prometheus client's default registry.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "obs/metrics_registry.hpp"

namespace sluice::obs {

struct PipelineMetrics {
  explicit PipelineMetrics(MetricsRegistry& registry);

  MetricsRegistry& registry;
  Family<Counter>& rows_in;   // by source table, "public.orders"
  Family<Counter>& rows_out;  // by destination table or flow
  Counter& batches;
  Histogram& batch_seconds;      // applying one batch in the warehouse
  Histogram& commit_to_visible;  // source commit to warehouse commit, per transaction
  Gauge& lag_seconds;
  Family<Counter>& snapshot_rows;          // by source table
  Family<Gauge>& snapshot_done;            // by source table: 0 while copying, 1 when complete
  Family<Gauge>& snapshot_rows_estimated;  // by source table, from the source's catalog
  Family<Counter>& errors;                 // by kind
};

PipelineMetrics& pipeline_metrics();

enum class PipelineState : uint8_t { kStarting, kSnapshot, kStreaming, kRetrying };

std::string_view state_name(PipelineState state);

// What /status and /healthz report besides the metrics.
class PipelineStatus {
 public:
  void set_name(std::string name);
  std::string name() const;

  void set_state(PipelineState state) { state_ = state; }
  PipelineState state() const { return state_; }

  void set_applied_position(std::string position);
  std::string applied_position() const;

  // A batch or connection failed and the pipeline is reconnecting: state retrying, and
  // sluice_errors_total{kind} counts it.
  void retrying(std::string_view kind, std::string message);
  std::string last_error() const;

 private:
  std::atomic<PipelineState> state_{PipelineState::kStarting};
  mutable std::mutex mutex_;
  std::string name_;
  std::string applied_position_;
  std::string last_error_;
};

PipelineStatus& pipeline_status();

}  // namespace sluice::obs
