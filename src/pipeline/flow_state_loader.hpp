#pragma once
// Flow-mode snapshot: compiles the flows once the source has named every table it will
// copy, then loads each table's rows into the flows' state as they arrive, so no table is
// held twice (as parsed rows and as flow state) while the copy runs.

#include <memory>
#include <mutex>
#include <vector>

#include "config/pipeline_config.hpp"
#include "pipeline/flow_set.hpp"
#include "source/source.hpp"

namespace sluice {

class FlowStateLoader : public SnapshotConsumer {
 public:
  // With a store, the rows go there (see FlowSet::load).
  FlowStateLoader(const PipelineConfig& config, state::StateStore* store)
      : config_(config), store_(store) {}

  void expect_rows(const TableSchemaPtr& table, uint64_t estimated_rows) override;
  // Tables load in parallel: rows are parsed on the caller's thread and handed to the
  // flows a batch at a time under one lock.
  void load_table(const TableSchemaPtr& table, CopyTextReader& rows) override;

  // The flows with the rows loaded so far; compiled against `source_tables` when no table
  // was copied. The loader is empty afterwards.
  std::unique_ptr<FlowSet> take_flows(const std::vector<TableSchemaPtr>& source_tables);

 private:
  void load_batch(const TableSchemaPtr& table, std::span<const Row> rows);
  std::unique_ptr<FlowSet> make_flows(const std::vector<TableSchemaPtr>& tables) const;

  const PipelineConfig& config_;
  state::StateStore* store_;
  std::mutex mutex_;
  std::vector<TableSchemaPtr> expected_;
  std::unique_ptr<FlowSet> flows_;
};

}  // namespace sluice
