#include "obs/pipeline_metrics.hpp"

namespace sluice::obs {

PipelineMetrics::PipelineMetrics(MetricsRegistry& r)
    : registry(r),
      rows_in(r.counter_family("sluice_rows_in_total",
                               "Row changes read from the source, by source table.", "table")),
      rows_out(r.counter_family("sluice_rows_out_total",
                                "Row changes written to the warehouse, by destination table.",
                                "table")),
      batches(r.counter("sluice_batches_total", "Batches applied to the warehouse.")),
      batch_seconds(r.histogram("sluice_batch_seconds",
                                "Time to apply one batch to the warehouse, in seconds.",
                                latency_buckets())),
      commit_to_visible(r.histogram(
          "sluice_commit_to_visible_seconds",
          "Per source transaction: seconds from its commit on the source to the warehouse "
          "commit that made it visible.",
          latency_buckets())),
      lag_seconds(r.gauge("sluice_lag_seconds",
                          "Seconds between the source commit of the last applied transaction "
                          "and its warehouse commit.")),
      snapshot_rows(r.counter_family("sluice_snapshot_rows_total",
                                     "Rows copied by the initial snapshot, by source table.",
                                     "table")),
      snapshot_done(r.gauge_family("sluice_snapshot_done",
                                   "1 when the snapshot of the table is complete, 0 while it "
                                   "is being copied.",
                                   "table")),
      snapshot_rows_estimated(r.gauge_family(
          "sluice_snapshot_rows_estimated",
          "The source catalog's estimate of the table's rows when the snapshot started "
          "(0: unknown).",
          "table")),
      errors(r.counter_family("sluice_errors_total",
                              "Failures the pipeline recovered from by reconnecting, by kind.",
                              "kind")) {}

PipelineMetrics& pipeline_metrics() {
  static MetricsRegistry registry;
  static PipelineMetrics metrics(registry);
  return metrics;
}

std::string_view state_name(PipelineState state) {
  switch (state) {
    case PipelineState::kStarting:
      return "starting";
    case PipelineState::kSnapshot:
      return "snapshot";
    case PipelineState::kStreaming:
      return "streaming";
    case PipelineState::kRetrying:
      return "retrying";
  }
  return "unknown";
}

void PipelineStatus::set_name(std::string name) {
  std::lock_guard lock(mutex_);
  name_ = std::move(name);
}

std::string PipelineStatus::name() const {
  std::lock_guard lock(mutex_);
  return name_;
}

void PipelineStatus::set_applied_position(std::string position) {
  std::lock_guard lock(mutex_);
  applied_position_ = std::move(position);
}

std::string PipelineStatus::applied_position() const {
  std::lock_guard lock(mutex_);
  return applied_position_;
}

void PipelineStatus::retrying(std::string_view kind, std::string message) {
  pipeline_metrics().errors.with(kind).inc();
  {
    std::lock_guard lock(mutex_);
    last_error_ = std::move(message);
  }
  state_ = PipelineState::kRetrying;
}

std::string PipelineStatus::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

PipelineStatus& pipeline_status() {
  static PipelineStatus status;
  return status;
}

}  // namespace sluice::obs
