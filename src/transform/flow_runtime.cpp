#include "transform/flow_runtime.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "state/state_store.hpp"

namespace sluice::transform {
namespace {

// The input row for a dead letter: column names kept, every letter and digit masked.
std::string masked_row_json(const TableSchema& table, const PackedRow& row) {
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  for (size_t i = 0; i < row.size() && i < table.columns.size(); ++i) {
    const std::string& name = table.columns[i].name;
    json[name] = row.is_null(i) ? nlohmann::ordered_json(nullptr)
                                : nlohmann::ordered_json(mask_for_dead_letter(row.text(i)));
  }
  return json.dump();
}

std::string describe_key(const TableSchema& table, const PackedRow& row) {
  std::string text;
  for (size_t c : table.key_indexes()) {
    if (!text.empty()) text += ", ";
    text += fmt::format("{}={}", table.columns[c].name, row.is_null(c) ? "null" : row.text(c));
  }
  return text;
}

}  // namespace

namespace {

void collect_columns(const Node& node, std::vector<std::vector<bool>>& used) {
  if (node.op == Opcode::kColumn) used[node.slot][node.column] = true;
  for (const auto& arg : node.args) collect_columns(*arg, used);
}

// The tables the flow reads, each narrowed to its key and the columns the flow uses, in
// the table's own order: what the state stores. Other columns may come and go.
std::vector<TableSchemaPtr> narrowed_tables(const FlowConfig& flow,
                                            const std::vector<TableSchemaPtr>& captured) {
  FlowPlan full = plan_flow(flow, captured);
  std::vector<std::vector<bool>> used;
  for (const ScopeSlot& slot : full.slots) used.emplace_back(slot.table->columns.size(), false);
  for (const OutputColumn& column : full.outputs) collect_columns(*column.expr, used);
  if (full.where) collect_columns(*full.where, used);
  for (const JoinPlan& join : full.joins)
    for (size_t c : join.parent_columns) used[join.parent_slot][c] = true;
  std::vector<TableSchemaPtr> tables;
  std::vector<std::vector<bool>> kept;
  for (size_t slot = 0; slot < full.slots.size(); ++slot) {
    const TableSchemaPtr& table = full.slots[slot].table;
    auto it = std::ranges::find(tables, table);
    if (it == tables.end()) {
      tables.push_back(table);
      kept.push_back(used[slot]);
      continue;
    }
    auto& merged = kept[static_cast<size_t>(it - tables.begin())];
    for (size_t c = 0; c < merged.size(); ++c) merged[c] = merged[c] || used[slot][c];
  }
  std::vector<TableSchemaPtr> narrowed;
  for (size_t t = 0; t < tables.size(); ++t) {
    auto table = std::make_shared<TableSchema>();
    table->schema = tables[t]->schema;
    table->name = tables[t]->name;
    for (size_t c = 0; c < tables[t]->columns.size(); ++c)
      if (kept[t][c] || tables[t]->columns[c].is_key)
        table->columns.push_back(tables[t]->columns[c]);
    narrowed.push_back(std::move(table));
  }
  return narrowed;
}

std::string state_prefix(const FlowStorage& storage, char kind, size_t index) {
  return storage.prefix + kind + static_cast<char>(index);
}

}  // namespace

FlowRuntime::FlowRuntime(const FlowConfig& flow, const std::vector<TableSchemaPtr>& captured,
                         FlowStorage storage)
    : flow_(flow), plan_(plan_flow(flow, narrowed_tables(flow, captured))), projector_(plan_) {
  for (const ScopeSlot& slot : plan_.slots) {
    int found = state_index(*slot.table);
    if (found < 0) {
      StateSpace space{storage.store, state_prefix(storage, 'T', states_.size())};
      states_.push_back(std::make_unique<TableState>(slot.table, std::move(space)));
      layouts_.push_back(Layout{slot.table, {}, true});
      found = static_cast<int>(states_.size() - 1);
    }
    slot_state_.push_back(static_cast<size_t>(found));
  }
  for (size_t j = 0; j < plan_.joins.size(); ++j)
    references_.emplace_back(StateSpace{storage.store, state_prefix(storage, 'R', j)});
  for (const JoinPlan& join : plan_.joins) {
    auto parent_key = states_[slot_state_[join.parent_slot]]->key_columns();
    key_link_.push_back(std::ranges::equal(join.parent_columns, parent_key));
  }
  slot_rows_.resize(plan_.slots.size(), nullptr);
}

std::vector<std::string> FlowRuntime::tables() const {
  std::vector<std::string> names;
  for (const auto& s : states_) names.push_back(s->schema().qualified_name());
  return names;
}

std::vector<size_t> FlowRuntime::state_rows() const {
  std::vector<size_t> rows;
  for (const auto& s : states_) rows.push_back(s->size());
  return rows;
}

int FlowRuntime::state_index(const TableSchema& table) const {
  for (size_t i = 0; i < states_.size(); ++i) {
    const TableSchema& s = states_[i]->schema();
    if (&s == &table || (s.name == table.name && s.schema == table.schema))
      return static_cast<int>(i);
  }
  return -1;
}

std::string FlowRuntime::fingerprint() const {
  std::string text =
      fmt::format("{}|{}|{}{}{}|{}|{}", flow_.name, fmt::join(flow_.key, ","), flow_.insert,
                  flow_.update, flow_.remove, static_cast<int>(flow_.on_error), flow_.sql);
  for (const auto& state : states_) {
    text += "|" + state->schema().qualified_name();
    for (const Column& c : state->schema().columns)
      text += fmt::format(",{}:{}:{}", c.name, static_cast<int>(c.type), c.is_key);
  }
  return text;
}

void FlowRuntime::stage(state::StateBatch& batch) {
  for (const auto& state : states_) state->stage(batch);
  for (ReferenceIndex& index : references_) index.stage(batch);
}

void FlowRuntime::discard() {
  for (const auto& state : states_) state->discard();
  for (ReferenceIndex& index : references_) index.discard();
}

void FlowRuntime::assume_empty(bool empty) {
  for (const auto& state : states_) state->assume_empty(empty);
}

void FlowRuntime::trim() {
  for (const auto& state : states_) state->trim();
}

// Source rows are matched to the stored columns by name. Every stored column is in the
// table since the snapshot the state was built from (a flow that starts using another
// column has another fingerprint, and its state is rebuilt), so a version of the table
// without one of them comes from dropping it.
const FlowRuntime::Layout& FlowRuntime::layout_of(size_t state, const TableSchemaPtr& table) {
  Layout& layout = layouts_[state];
  if (layout.source.get() == table.get()) return layout;
  const TableSchema& kept = states_[state]->schema();
  layout.cells.clear();
  layout.identity = kept.columns.size() == table->columns.size();
  for (size_t i = 0; i < kept.columns.size(); ++i) {
    const Column& column = kept.columns[i];
    int found = table->column_index(column.name);
    if (found < 0)
      throw FatalError(fmt::format(
          "flow {}: column {} of {} was dropped from the source table, and the flow uses it; "
          "remove it from the flow or restore the column, then run `sluice reset`",
          flow_.name, column.name, kept.qualified_name()));
    const Column& now = table->columns[static_cast<size_t>(found)];
    if (now.type != column.type)
      throw FatalError(fmt::format(
          "flow {}: column {} of {} changed type from {} to {}; the flow's state holds the old "
          "values: run `sluice reset` to rebuild it",
          flow_.name, column.name, kept.qualified_name(), logical_type_name(column.type),
          logical_type_name(now.type)));
    layout.identity = layout.identity && found == static_cast<int>(i);
    layout.cells.push_back(found);
  }
  layout.source = table;
  return layout;
}

const Row& FlowRuntime::to_state_row(const Layout& layout, const Row& row, Row& out) const {
  if (row.empty() || (layout.identity && row.size() == layout.cells.size())) return row;
  out.clear();
  for (int cell : layout.cells) {
    if (static_cast<size_t>(cell) >= row.size())  // a key-only old image
      out.append_null();
    else
      out.append_cell(row, static_cast<size_t>(cell));
  }
  return out;
}

// Moves the reference entries of a row from its old lookup links to its new ones; links
// that did not change are left alone, so an update that keeps its foreign keys costs
// no index work.
void FlowRuntime::reindex(size_t state, const std::string& old_key, const PackedRow* old_row,
                          const std::string& new_key, const PackedRow* new_row) {
  for (size_t j = 0; j < plan_.joins.size(); ++j) {
    const JoinPlan& join = plan_.joins[j];
    if (slot_state_[join.parent_slot] != state || key_link_[j]) continue;
    bool had = old_row != nullptr && encode_key(*old_row, join.parent_columns, link_);
    bool has = new_row != nullptr && encode_key(*new_row, join.parent_columns, new_link_);
    if (had && has && link_ == new_link_ && old_key == new_key) continue;
    if (had) references_[j].remove(link_, old_key);
    if (has) references_[j].add(new_link_, new_key);
  }
}

FlowRuntime::Stored FlowRuntime::store(size_t state, const TableSchemaPtr& table_schema,
                                       const Change& change) {
  TableState& table = *states_[state];
  // A partial image (MySQL binlog_row_image=MINIMAL) lacks cells the flow may read.
  if (change.op != Op::kDelete && change.after.size() != table_schema->columns.size())
    throw FatalError(
        fmt::format("flow {}: a {} on {} carries {} of its {} columns; flows need "
                    "full row images",
                    flow_.name, op_name(change.op), table.schema().qualified_name(),
                    change.after.size(), table_schema->columns.size()));
  const Layout& layout = layout_of(state, table_schema);
  const Row& before = to_state_row(layout, change.before, before_);
  const Row& after = to_state_row(layout, change.after, after_);
  Stored s;
  const Row& key_source = before.empty() ? after : before;
  if (!encode_key(key_source, table.key_columns(), s.old_key) &&
      !encode_key(after, table.key_columns(), s.old_key))
    throw FatalError(fmt::format("flow {}: a {} on {} carries no primary key", flow_.name,
                                 op_name(change.op), table.schema().qualified_name()));
  if (change.op == Op::kDelete) {
    s.old_row = table.take(s.old_key);
    if (!s.old_row.empty()) reindex(state, s.old_key, &s.old_row, s.old_key, nullptr);
    if (s.old_row.empty()) s.key_image = PackedRow::pack(before);
    return s;
  }
  if (!encode_key(after, table.key_columns(), s.new_key))
    throw FatalError(fmt::format("flow {}: a {} on {} has a null primary key", flow_.name,
                                 op_name(change.op), table.schema().qualified_name()));
  // An unchanged (TOAST) cell keeps the stored value.
  if (s.new_key == s.old_key) {
    PackedRow* stored = table.find_mutable(s.old_key);
    if (stored != nullptr) {
      s.old_row = std::exchange(*stored, PackedRow::pack(after, stored));
      s.new_row = stored;
      reindex(state, s.old_key, &s.old_row, s.new_key, s.new_row);
      return s;
    }
  }
  s.old_row = table.take(s.old_key);
  const PackedRow* previous = s.old_row.empty() ? nullptr : &s.old_row;
  s.new_row = &table.put(s.new_key, PackedRow::pack(after, previous));
  reindex(state, s.old_key, previous, s.new_key, s.new_row);
  return s;
}

void FlowRuntime::collect_parents(size_t slot, const std::vector<std::string>& keys,
                                  DrivingKeys& out) {
  const JoinPlan& join = plan_.joins[slot - 1];
  std::vector<std::string> parents;
  if (key_link_[slot - 1]) {
    TableState& parent = *states_[slot_state_[join.parent_slot]];
    for (const std::string& k : keys)
      if (parent.find(k) != nullptr) parents.push_back(k);
  } else {
    for (const std::string& k : keys) references_[slot - 1].find(k, parents);
  }
  if (parents.empty()) return;
  if (join.parent_slot == 0) {
    for (const std::string& p : parents) out.add(p);
  } else {
    collect_parents(join.parent_slot, parents, out);
  }
}

void FlowRuntime::collect_dependents(size_t state, const std::string& key, DrivingKeys& out) {
  if (key.empty()) return;
  for (size_t slot = 1; slot < plan_.slots.size(); ++slot)
    if (slot_state_[slot] == state) collect_parents(slot, {key}, out);
}

void FlowRuntime::find_lookups(const PackedRow& driving) {
  slot_rows_[0] = &driving;
  for (const JoinPlan& join : plan_.joins) {
    const PackedRow* parent = slot_rows_[join.parent_slot];
    slot_rows_[join.slot] = nullptr;
    if (parent != nullptr && encode_key(*parent, join.parent_columns, link_))
      slot_rows_[join.slot] = states_[slot_state_[join.slot]]->find(link_);
  }
}

void FlowRuntime::load_row(const TableSchemaPtr& table, const Row& row) {
  int state = state_index(*table);
  if (state < 0) return;
  load_change_.op = Op::kInsert;
  load_change_.after = row;
  store(static_cast<size_t>(state), table, load_change_);
  states_[static_cast<size_t>(state)]->trim();
}

void FlowRuntime::emit_all(ChangeBatch& out, int64_t snapshot_time_us, const OutputSlicer& slicer) {
  Change snapshot;
  snapshot.commit_time_us = snapshot_time_us;
  states_[slot_state_[0]]->for_each([&](const PackedRow& row) {
    trim();
    emit_row(row, snapshot, Op::kInsert, true, state_may_trail_, out);
    slicer.check(out);
  });
}

void FlowRuntime::apply(const Change& change, ChangeBatch& out, const OutputSlicer& slicer) {
  if (!change.table) return;
  int found = state_index(*change.table);
  if (found < 0) return;
  auto state = static_cast<size_t>(found);
  trim();
  if (change.op == Op::kTruncate) {
    truncate(state, change, out, slicer);
    return;
  }
  DrivingKeys dependents;
  Stored stored = store(state, change.table, change);
  if (state == slot_state_[0]) apply_driving(change, stored, out);
  collect_dependents(state, stored.old_key, dependents);
  if (stored.new_key != stored.old_key) collect_dependents(state, stored.new_key, dependents);
  propagate(dependents, change, out, slicer);
}

void FlowRuntime::apply_driving(const Change& change, Stored& s, ChangeBatch& out) {
  const int64_t now = change.commit_time_us;
  const bool known = !s.old_row.empty();
  const bool was_visible = state_may_trail_ || (known && projector_.passes_where(s.old_row, now));
  if (change.op == Op::kDelete) {
    // A row never seen (no state) may still exist downstream: delete it to be sure.
    if (flow_.remove && (was_visible || !known)) {
      PackedRow key_row = known ? std::move(s.old_row) : std::move(s.key_image);
      emit_delete(key_row, change, out);
    }
    return;
  }
  const bool moved = known && s.old_key != s.new_key;
  if (moved && was_visible && flow_.update) emit_delete(s.old_row, change, out);
  const bool enabled = change.op == Op::kInsert ? flow_.insert : flow_.update;
  emit_row(*s.new_row, change, change.op, enabled, was_visible && !moved, out);
}

void FlowRuntime::truncate(size_t state, const Change& change, ChangeBatch& out,
                           const OutputSlicer& slicer) {
  DrivingKeys dependents;
  for (size_t slot = 1; slot < plan_.slots.size(); ++slot) {
    if (slot_state_[slot] != state) continue;
    collect_parents(slot, existing_keys(state), dependents);
  }
  states_[state]->clear();
  for (size_t j = 0; j < plan_.joins.size(); ++j)
    if (slot_state_[plan_.joins[j].parent_slot] == state) references_[j].clear();
  if (state == slot_state_[0] && flow_.remove)
    out.changes.push_back(destination_change(Op::kTruncate, change));
  propagate(dependents, change, out, slicer);
}

std::vector<std::string> FlowRuntime::existing_keys(size_t state) {
  return states_[state]->keys();
}

// A dimension row changed: every destination row built from it is recomputed, whatever
// the operations filter says, so the destination keeps equal to the join.
void FlowRuntime::propagate(const DrivingKeys& keys, const Change& change, ChangeBatch& out,
                            const OutputSlicer& slicer) {
  TableState& driving = *states_[slot_state_[0]];
  for (const std::string& key : keys.keys) {
    trim();
    const PackedRow* row = driving.find(key);
    if (row == nullptr) continue;
    bool visible = projector_.passes_where(*row, change.commit_time_us);
    emit_row(*row, change, Op::kUpdate, true, visible, out);
    slicer.check(out);
  }
}

void FlowRuntime::emit_row(const PackedRow& driving, const Change& change, Op op, bool enabled,
                           bool was_visible, ChangeBatch& out) {
  find_lookups(driving);
  switch (projector_.project(slot_rows_.data(), change.commit_time_us, out_row_)) {
    case Projection::kRow:
      if (enabled) {
        Change& c = out.changes.emplace_back(destination_change(op, change));
        c.after = out_row_;
        out.row_bytes += c.after.text_bytes();
      }
      break;
    case Projection::kFiltered:
      if (was_visible && flow_.remove) emit_delete(driving, change, out);
      break;
    case Projection::kError:
      handle_error(driving, out);
      break;
  }
}

void FlowRuntime::emit_delete(const PackedRow& driving, const Change& change, ChangeBatch& out) {
  Row key;
  if (!projector_.project_key(driving, change.commit_time_us, key)) {
    handle_error(driving, out);
    return;
  }
  Change& c = out.changes.emplace_back(destination_change(Op::kDelete, change));
  c.before = std::move(key);
  out.row_bytes += c.before.text_bytes();
}

Change FlowRuntime::destination_change(Op op, const Change& source) const {
  Change c;
  c.op = op;
  c.table = plan_.output_schema;
  c.commit_time_us = source.commit_time_us;
  c.xid = source.xid;
  c.source_offset = source.source_offset;
  return c;
}

void FlowRuntime::handle_error(const PackedRow& driving, ChangeBatch& out) {
  const TableSchema& table = *plan_.slots[0].table;
  std::string where = fmt::format("flow {}: column {}: {}", flow_.name, projector_.error_column(),
                                  projector_.error());
  switch (flow_.on_error) {
    case OnError::kFail:
      throw FatalError(fmt::format("{} (source table {}, key {})", where, table.qualified_name(),
                                   describe_key(table, driving)));
    case OnError::kSkip:
      ++skipped_rows_;
      spdlog::debug("{}: row of {} skipped", where, table.qualified_name());
      return;
    case OnError::kDeadLetter:
      ++dead_letter_rows_;
      out.dead_letters.push_back(
          DeadLetter{flow_.name, fmt::format("{} (source table {})", where, table.qualified_name()),
                     "", masked_row_json(table, driving)});
      return;
  }
}

}  // namespace sluice::transform
