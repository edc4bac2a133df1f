#include "pipeline/snapshot_meter.hpp"

#include <algorithm>

#include "obs/pipeline_metrics.hpp"

namespace sluice {
namespace {

// Counts rows chunk by chunk as they pass, so progress moves while a table is copied.
class CountingReader : public CopyTextReader {
 public:
  CountingReader(CopyTextReader& inner, obs::Counter& progress,
                 const std::function<bool()>& stop_requested)
      : inner_(inner), progress_(progress), stop_requested_(stop_requested) {}
  std::optional<std::string_view> next_chunk() override {
    if (stop_requested_()) throw SnapshotStopped();
    std::optional<std::string_view> chunk = inner_.next_chunk();
    if (chunk) {
      auto lines = static_cast<uint64_t>(std::count(chunk->begin(), chunk->end(), '\n'));
      rows_ += lines;
      progress_.inc(lines);
    }
    return chunk;
  }
  uint64_t rows() const { return rows_; }

 private:
  CopyTextReader& inner_;
  obs::Counter& progress_;
  const std::function<bool()>& stop_requested_;
  uint64_t rows_ = 0;
};

}  // namespace

void SnapshotMeter::expect_rows(const TableSchemaPtr& table, uint64_t estimated_rows) {
  obs::pipeline_status().set_state(obs::PipelineState::kSnapshot);
  obs::PipelineMetrics& metrics = obs::pipeline_metrics();
  std::string name = table->qualified_name();
  metrics.snapshot_rows_estimated.with(name).set(static_cast<double>(estimated_rows));
  metrics.snapshot_done.with(name).set(0);
  inner_.expect_rows(table, estimated_rows);
}

void SnapshotMeter::load_table(const TableSchemaPtr& table, CopyTextReader& rows) {
  obs::pipeline_status().set_state(obs::PipelineState::kSnapshot);
  obs::PipelineMetrics& metrics = obs::pipeline_metrics();
  std::string name = table->qualified_name();
  obs::Gauge& done = metrics.snapshot_done.with(name);
  done.set(0);
  CountingReader counting(rows, metrics.snapshot_rows.with(name), stop_requested_);
  inner_.load_table(table, counting);
  rows_ += counting.rows();
  ++tables_;
  done.set(1);
}

}  // namespace sluice
