#pragma once
// The pipeline's flows: routes each source change to the flows that read its table and
// collects what they produce for the warehouse.

#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/pipeline_config.hpp"
#include "core/change.hpp"
#include "transform/output_slicer.hpp"

namespace sluice {
namespace state {
class StateBatch;
class StateStore;
}  // namespace state
namespace transform {
class FlowRuntime;
}  // namespace transform

class FlowSet {
 public:
  // Compiles every flow against the captured tables; a flow that reads a table the
  // source does not capture is a ConfigError. With a store, the flows' state lives there,
  // under keys that start with `key_prefix` (several flow sets can share one store).
  FlowSet(const PipelineConfig& config, const std::vector<TableSchemaPtr>& source_tables,
          state::StateStore* store = nullptr, const std::string& key_prefix = {});
  ~FlowSet();

  std::vector<TableSchemaPtr> outputs() const;

  // Adds snapshot rows of `table` to the flows' table state. With a store, they are
  // written to it at once (unstamped: the snapshot's commit stamps them).
  void load(const TableSchemaPtr& table, std::span<const Row> rows);

  // Every destination table, emptied and rebuilt from the loaded state; `slicer` takes
  // the changes as they fill a slice (the rest stay in `out`).
  void rebuild_all(ChangeBatch& out, const transform::OutputSlicer& slicer);

  // The tables flows are driven by (the first table of each FROM), and the tables they
  // only look rows up in, as "schema.name".
  std::vector<std::string> driving_tables() const;
  std::vector<std::string> lookup_tables() const;

  // One upsert per destination row the loaded state produces, without emptying the
  // destination first (a partial state rewrites only its own rows); `slicer` as for apply().
  void emit_all(ChangeBatch& out, const transform::OutputSlicer& slicer = {});

  // Transforms `in` into `out` (the same transaction boundary); `slicer` takes the output
  // as it fills a slice, the rest stays in `out`. Dead letters are stamped with the batch's
  // source position.
  void apply(const ChangeBatch& in, ChangeBatch& out, const transform::OutputSlicer& slicer = {});

  // Identifies the flows' definitions and the columns their state keeps.
  const std::string& fingerprint() const { return fingerprint_; }
  // The state changes of the batches applied since the last stage(), into `batch`.
  void stage(state::StateBatch& batch);
  // Forgets them: their warehouse transaction did not commit.
  void discard();
  // The store holds nothing yet: a snapshot fills it.
  void assume_empty(bool empty);
  // See FlowRuntime::set_state_may_trail_warehouse.
  void set_state_may_trail_warehouse(bool may);

 private:
  using Readers = std::vector<transform::FlowRuntime*>;

  const Readers& readers_of(const TableSchema& table) const;
  // Per change: looked up by schema object, so the name is not rebuilt for every row.
  const Readers& readers_of(const TableSchemaPtr& table);

  state::StateStore* store_;
  std::vector<std::unique_ptr<transform::FlowRuntime>> flows_;
  std::string fingerprint_;  // stamped on every commit: computed once
  std::unordered_map<std::string, Readers> readers_;
  // Holding the schema keeps its address from being reused by another table.
  std::unordered_map<const TableSchema*, std::pair<TableSchemaPtr, const Readers*>>
      readers_by_schema_;
};

}  // namespace sluice
