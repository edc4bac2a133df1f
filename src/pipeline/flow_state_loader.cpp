#include "pipeline/flow_state_loader.hpp"

#include <algorithm>

#include "copytext/copy_rows.hpp"

namespace sluice {
namespace {

// Rows parsed between two takes of the lock: few enough to keep memory flat, enough that
// the lock is not taken per row.
constexpr size_t kLoadBatchRows = 4096;

}  // namespace

void FlowStateLoader::expect_rows(const TableSchemaPtr& table, uint64_t /*estimated_rows*/) {
  std::lock_guard lock(mutex_);
  if (std::ranges::find(expected_, table) == expected_.end()) expected_.push_back(table);
}

void FlowStateLoader::load_table(const TableSchemaPtr& table, CopyTextReader& rows) {
  // Copying into a kept row reuses its buffers: no allocation per row once warm.
  std::vector<Row> batch(kLoadBatchRows);
  size_t filled = 0;
  for_each_copy_row(rows, [&](const Row& row) {
    batch[filled] = row;
    if (++filled < batch.size()) return;
    load_batch(table, batch);
    filled = 0;
  });
  load_batch(table, std::span<const Row>(batch).first(filled));
}

std::unique_ptr<FlowSet> FlowStateLoader::make_flows(
    const std::vector<TableSchemaPtr>& tables) const {
  auto flows = std::make_unique<FlowSet>(config_, tables, store_);
  flows->assume_empty(true);
  return flows;
}

void FlowStateLoader::load_batch(const TableSchemaPtr& table, std::span<const Row> rows) {
  std::lock_guard lock(mutex_);
  if (!flows_) flows_ = make_flows(expected_);
  flows_->load(table, rows);
}

std::unique_ptr<FlowSet> FlowStateLoader::take_flows(
    const std::vector<TableSchemaPtr>& source_tables) {
  std::lock_guard lock(mutex_);
  if (!flows_) flows_ = make_flows(source_tables);
  flows_->assume_empty(false);
  expected_.clear();
  return std::move(flows_);
}

}  // namespace sluice
