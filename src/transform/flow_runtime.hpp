#pragma once
// One running flow: the compiled SELECT plus the current rows of every table it reads.
// Source changes go in (in commit order), destination changes come out, so the
// destination table always equals the flow's join over the current source rows.

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "config/pipeline_config.hpp"
#include "core/change.hpp"
#include "transform/flow_plan.hpp"
#include "transform/flow_projector.hpp"
#include "transform/output_slicer.hpp"
#include "transform/table_state.hpp"

namespace sluice::state {
class StateBatch;
class StateStore;
}  // namespace sluice::state

namespace sluice::transform {

// Where a flow keeps its table state: a store and the key prefix of this flow's entries.
// No store: in memory.
struct FlowStorage {
  state::StateStore* store = nullptr;
  std::string prefix;
};

class FlowRuntime {
 public:
  // Compiles the flow against the captured tables; throws ConfigError. The state holds
  // only the columns the flow reads, matched by name, so a table may gain or lose other
  // columns while the flow runs (and while sluice is stopped).
  FlowRuntime(const FlowConfig& flow, const std::vector<TableSchemaPtr>& captured,
              FlowStorage storage = {});
  // The projector refers to the plan it evaluates: keep a runtime where it was built
  // (hold it by std::unique_ptr to put it in a container).
  FlowRuntime(const FlowRuntime&) = delete;
  FlowRuntime& operator=(const FlowRuntime&) = delete;

  // Source tables this flow reads, as "schema.name" (driving table first).
  std::vector<std::string> tables() const;
  // The destination table: name = flow name, key = the flow's key columns.
  TableSchemaPtr output_schema() const { return plan_.output_schema; }

  // Bootstrap state from a snapshot row; emits nothing.
  void load_row(const TableSchemaPtr& table, const Row& row);
  // After the snapshot: one upsert per driving row that passes WHERE. now() is
  // `snapshot_time_us` for these rows. `slicer` hands `out` on as it fills, so the whole
  // destination is never in memory at once.
  void emit_all(ChangeBatch& out, int64_t snapshot_time_us = 0, const OutputSlicer& slicer = {});
  // One source change in commit order; appends destination changes and dead letters.
  // Changes of tables the flow does not read are ignored. What one change fans out to is
  // handed on by `slicer` as it fills. Throws FatalError under on_error: fail.
  void apply(const Change& change, ChangeBatch& out, const OutputSlicer& slicer = {});

  uint64_t skipped_rows() const { return skipped_rows_; }
  uint64_t dead_letter_rows() const { return dead_letter_rows_; }
  // Rows held per table, in tables() order.
  std::vector<size_t> state_rows() const;

  // What the stored state means: the flow's definition and the columns it keeps. State
  // stored under another fingerprint cannot be read by this flow.
  std::string fingerprint() const;

  // The batch's state changes into the store's write batch (after the warehouse commit),
  // or forgotten (the batch did not commit).
  void stage(state::StateBatch& batch);
  void discard();
  // The store holds nothing of this flow yet (a snapshot is filling it).
  void assume_empty(bool empty);
  // The state may know an older version of a driving row than the warehouse holds, or
  // none (a state rebuilt from compacted topics, which keep only the last version of a
  // key): a driving row the flow does not write now is deleted from the destination,
  // whatever its version in the state says. Deleting a row that is not there is harmless.
  void set_state_may_trail_warehouse(bool may) { state_may_trail_ = may; }

 private:
  struct DrivingKeys {
    std::vector<std::string> keys;
    std::unordered_set<std::string> seen;
    void add(const std::string& k) {
      if (seen.insert(k).second) keys.push_back(k);
    }
  };
  struct Stored {  // a row change as seen by the state
    std::string old_key;
    std::string new_key;
    PackedRow old_row;
    const PackedRow* new_row = nullptr;
    PackedRow key_image;  // a delete of a row never stored: the key the change carried
  };

  // Which cell of a source row fills each column of a state row, for one version of a
  // source table.
  struct Layout {
    TableSchemaPtr source;
    std::vector<int> cells;
    bool identity = false;
  };

  int state_index(const TableSchema& table) const;
  const Layout& layout_of(size_t state, const TableSchemaPtr& table);
  const Row& to_state_row(const Layout& layout, const Row& row, Row& out) const;
  void trim();
  Stored store(size_t state, const TableSchemaPtr& table, const Change& change);
  void reindex(size_t state, const std::string& old_key, const PackedRow* old_row,
               const std::string& new_key, const PackedRow* new_row);
  void collect_dependents(size_t state, const std::string& key, DrivingKeys& out);
  void collect_parents(size_t slot, const std::vector<std::string>& keys, DrivingKeys& out);
  void find_lookups(const PackedRow& driving);
  std::vector<std::string> existing_keys(size_t state);

  void apply_driving(const Change& change, Stored& stored, ChangeBatch& out);
  void truncate(size_t state, const Change& change, ChangeBatch& out, const OutputSlicer& slicer);
  void propagate(const DrivingKeys& keys, const Change& change, ChangeBatch& out,
                 const OutputSlicer& slicer);
  void emit_row(const PackedRow& driving, const Change& change, Op op, bool enabled,
                bool was_visible, ChangeBatch& out);
  void emit_delete(const PackedRow& driving, const Change& change, ChangeBatch& out);
  void handle_error(const PackedRow& driving, ChangeBatch& out);
  Change destination_change(Op op, const Change& source) const;

  FlowConfig flow_;
  FlowPlan plan_;
  FlowProjector projector_;
  std::vector<std::unique_ptr<TableState>> states_;  // one per distinct table
  std::vector<size_t> slot_state_;                   // slot -> states_ index
  std::vector<ReferenceIndex> references_;           // one per JOIN, like plan_.joins
  // A JOIN whose link columns are the parent's own primary key (ticket_activity.ticket_id
  // = ticket.ticket_id) needs no reference index: the parent row is found by that key.
  std::vector<bool> key_link_;
  std::vector<Layout> layouts_;      // the last source version seen, per state
  std::vector<bool> complete_seen_;  // a version with every stored column was seen
  std::vector<const PackedRow*> slot_rows_;
  std::string link_;
  std::string new_link_;
  Row out_row_;
  Row before_;
  Row after_;
  Change load_change_;
  uint64_t skipped_rows_ = 0;
  uint64_t dead_letter_rows_ = 0;
  bool state_may_trail_ = false;
};

}  // namespace sluice::transform
