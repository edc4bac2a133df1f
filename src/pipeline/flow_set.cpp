#include "pipeline/flow_set.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "core/error.hpp"
#include "state/state_store.hpp"
#include "transform/flow_runtime.hpp"

namespace sluice {

FlowSet::FlowSet(const PipelineConfig& config, const std::vector<TableSchemaPtr>& source_tables,
                 state::StateStore* store, const std::string& key_prefix)
    : store_(store) {
  for (const FlowConfig& flow : config.flows) {
    // Keys of flow i start with 'F' and i: flows are told apart by their order, which the
    // fingerprint covers.
    transform::FlowStorage storage{store, key_prefix + 'F' + static_cast<char>(flows_.size())};
    std::unique_ptr<transform::FlowRuntime> runtime;
    try {
      runtime = std::make_unique<transform::FlowRuntime>(flow, source_tables, storage);
    } catch (const ConfigError& e) {
      // SQL problems name a line of the file; say which file and flow too.
      std::string_view message = e.what();
      if (message.starts_with("flow ")) throw;
      throw ConfigError(fmt::format("{}: flow {}: {}", config.file, flow.name, message));
    }
    for (const std::string& table : runtime->tables()) readers_[table].push_back(runtime.get());
    fingerprint_ += runtime->fingerprint() + "\n";
    flows_.push_back(std::move(runtime));
  }
}

FlowSet::~FlowSet() = default;

std::vector<TableSchemaPtr> FlowSet::outputs() const {
  std::vector<TableSchemaPtr> out;
  for (const auto& flow : flows_) out.push_back(flow->output_schema());
  return out;
}

const FlowSet::Readers& FlowSet::readers_of(const TableSchemaPtr& table) {
  auto it = readers_by_schema_.find(table.get());
  if (it == readers_by_schema_.end())
    it = readers_by_schema_.emplace(table.get(), std::pair(table, &readers_of(*table))).first;
  return *it->second.second;
}

const FlowSet::Readers& FlowSet::readers_of(const TableSchema& table) const {
  static const std::vector<transform::FlowRuntime*> kNone;
  auto it = readers_.find(table.qualified_name());
  return it == readers_.end() ? kNone : it->second;
}

void FlowSet::load(const TableSchemaPtr& table, std::span<const Row> rows) {
  for (transform::FlowRuntime* flow : readers_of(*table))
    for (const Row& row : rows) flow->load_row(table, row);
  if (store_ == nullptr) return;
  state::StateBatch batch;
  stage(batch);
  store_->write_unlogged(batch).value_or_raise();
}

void FlowSet::stage(state::StateBatch& batch) {
  for (const auto& flow : flows_) flow->stage(batch);
}

void FlowSet::discard() {
  for (const auto& flow : flows_) flow->discard();
}

void FlowSet::assume_empty(bool empty) {
  for (const auto& flow : flows_) flow->assume_empty(empty);
}

void FlowSet::set_state_may_trail_warehouse(bool may) {
  for (const auto& flow : flows_) flow->set_state_may_trail_warehouse(may);
}

void FlowSet::rebuild_all(ChangeBatch& out, const transform::OutputSlicer& slicer) {
  // now() in a flow is the change's commit time; for snapshot rows, the snapshot's.
  int64_t snapshot_time_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
  for (const auto& flow : flows_) {
    Change& truncate = out.changes.emplace_back();
    truncate.op = Op::kTruncate;
    truncate.table = flow->output_schema();
    flow->emit_all(out, snapshot_time_us, slicer);
  }
}

std::vector<std::string> FlowSet::driving_tables() const {
  std::vector<std::string> out;
  for (const auto& flow : flows_)
    if (std::ranges::find(out, flow->tables().front()) == out.end())
      out.push_back(flow->tables().front());
  return out;
}

std::vector<std::string> FlowSet::lookup_tables() const {
  std::vector<std::string> driving = driving_tables();
  std::vector<std::string> out;
  for (const auto& [table, readers] : readers_)
    if (std::ranges::find(driving, table) == driving.end()) out.push_back(table);
  return out;
}

void FlowSet::emit_all(ChangeBatch& out, const transform::OutputSlicer& slicer) {
  for (const auto& flow : flows_) flow->emit_all(out, 0, slicer);
}

void FlowSet::apply(const ChangeBatch& in, ChangeBatch& out,
                    const transform::OutputSlicer& slicer) {
  size_t first_dead_letter = out.dead_letters.size();
  auto stamp_dead_letters = [&](ChangeBatch& part) {
    if (part.dead_letters.size() == first_dead_letter) return;
    std::string position = in.commit_position ? to_string(*in.commit_position) : "";
    for (size_t i = first_dead_letter; i < part.dead_letters.size(); ++i)
      part.dead_letters[i].source_position = position;
  };
  transform::OutputSlicer stamping = slicer;
  if (slicer.take)
    stamping.take = [&](ChangeBatch& part) {
      stamp_dead_letters(part);
      slicer.take(part);
      first_dead_letter = part.dead_letters.size();
    };
  for (const Change& change : in.changes)
    for (transform::FlowRuntime* flow : readers_of(change.table))
      flow->apply(change, out, stamping);
  stamp_dead_letters(out);
  out.commit_position = in.commit_position;
  out.last_commit_time_us = in.last_commit_time_us;
}

}  // namespace sluice
