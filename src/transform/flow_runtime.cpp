#include "transform/flow_runtime.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/error.hpp"

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

FlowRuntime::FlowRuntime(const FlowConfig& flow, const std::vector<TableSchemaPtr>& captured)
    : flow_(flow), plan_(plan_flow(flow, captured)), projector_(plan_) {
  for (const ScopeSlot& slot : plan_.slots) {
    int found = state_index(*slot.table);
    if (found < 0) {
      states_.push_back(std::make_unique<TableState>(slot.table));
      found = static_cast<int>(states_.size() - 1);
    }
    slot_state_.push_back(static_cast<size_t>(found));
  }
  references_.resize(plan_.joins.size());
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

// Compiled expressions address columns by position; a table whose columns changed since
// the flow was compiled would be read wrongly.
void FlowRuntime::check_columns(const TableSchema& change_table, size_t state) const {
  const TableSchema& known = states_[state]->schema();
  if (&known == &change_table) return;
  bool same = known.columns.size() == change_table.columns.size();
  for (size_t i = 0; same && i < known.columns.size(); ++i)
    same = known.columns[i].name == change_table.columns[i].name;
  if (!same)
    throw FatalError(
        fmt::format("flow {}: the columns of {} changed; restart sluice to recompile "
                    "the flow against the new table",
                    flow_.name, known.qualified_name()));
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

FlowRuntime::Stored FlowRuntime::store(size_t state, const Change& change) {
  TableState& table = *states_[state];
  Stored s;
  const Row& key_source = change.before.empty() ? change.after : change.before;
  if (!encode_key(key_source, table.key_columns(), s.old_key) &&
      !encode_key(change.after, table.key_columns(), s.old_key))
    throw FatalError(fmt::format("flow {}: a {} on {} carries no primary key", flow_.name,
                                 op_name(change.op), table.schema().qualified_name()));
  if (change.op == Op::kDelete) {
    s.old_row = table.take(s.old_key);
    if (!s.old_row.empty()) reindex(state, s.old_key, &s.old_row, s.old_key, nullptr);
    return s;
  }
  // Expressions read cells by position: a partial image (MySQL binlog_row_image=MINIMAL)
  // would be read out of bounds.
  if (change.after.size() != table.schema().columns.size())
    throw FatalError(
        fmt::format("flow {}: a {} on {} carries {} of its {} columns; flows need "
                    "full row images",
                    flow_.name, op_name(change.op), table.schema().qualified_name(),
                    change.after.size(), table.schema().columns.size()));
  if (!encode_key(change.after, table.key_columns(), s.new_key))
    throw FatalError(fmt::format("flow {}: a {} on {} has a null primary key", flow_.name,
                                 op_name(change.op), table.schema().qualified_name()));
  // An unchanged (TOAST) cell keeps the stored value.
  if (s.new_key == s.old_key) {
    PackedRow* stored = table.find_mutable(s.old_key);
    if (stored != nullptr) {
      s.old_row = std::exchange(*stored, PackedRow::pack(change.after, stored));
      s.new_row = stored;
      reindex(state, s.old_key, &s.old_row, s.new_key, s.new_row);
      return s;
    }
  }
  s.old_row = table.take(s.old_key);
  const PackedRow* previous = s.old_row.empty() ? nullptr : &s.old_row;
  s.new_row = &table.put(s.new_key, PackedRow::pack(change.after, previous));
  reindex(state, s.old_key, previous, s.new_key, s.new_row);
  return s;
}

void FlowRuntime::collect_parents(size_t slot, const std::vector<std::string>& keys,
                                  DrivingKeys& out) const {
  const JoinPlan& join = plan_.joins[slot - 1];
  std::vector<std::string> parents;
  if (key_link_[slot - 1]) {
    const TableState& parent = *states_[slot_state_[join.parent_slot]];
    for (const std::string& k : keys)
      if (parent.find(k) != nullptr) parents.push_back(k);
  } else {
    for (const std::string& k : keys) {
      if (const auto* refs = references_[slot - 1].find(k))
        parents.insert(parents.end(), refs->begin(), refs->end());
    }
  }
  if (parents.empty()) return;
  if (join.parent_slot == 0) {
    for (const std::string& p : parents) out.add(p);
  } else {
    collect_parents(join.parent_slot, parents, out);
  }
}

void FlowRuntime::collect_dependents(size_t state, const std::string& key, DrivingKeys& out) const {
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

void FlowRuntime::load_row(const TableSchema& table, const Row& row) {
  int state = state_index(table);
  if (state < 0) return;
  check_columns(table, static_cast<size_t>(state));
  Change insert;
  insert.op = Op::kInsert;
  insert.after = row;
  store(static_cast<size_t>(state), insert);
}

void FlowRuntime::emit_all(ChangeBatch& out, int64_t snapshot_time_us, size_t max_changes,
                           const BatchFull& full) {
  Change snapshot;
  snapshot.commit_time_us = snapshot_time_us;
  states_[slot_state_[0]]->for_each([&](const PackedRow& row) {
    emit_row(row, snapshot, Op::kInsert, true, false, out);
    if (full && out.changes.size() >= max_changes) full(out);
  });
}

void FlowRuntime::apply(const Change& change, ChangeBatch& out) {
  if (!change.table) return;
  int found = state_index(*change.table);
  if (found < 0) return;
  auto state = static_cast<size_t>(found);
  check_columns(*change.table, state);
  if (change.op == Op::kTruncate) {
    truncate(state, change, out);
    return;
  }
  DrivingKeys dependents;
  Stored stored = store(state, change);
  if (state == slot_state_[0]) apply_driving(change, stored, out);
  collect_dependents(state, stored.old_key, dependents);
  if (stored.new_key != stored.old_key) collect_dependents(state, stored.new_key, dependents);
  propagate(dependents, change, out);
}

// The old image of a row sluice never stored: a key-only image may carry fewer cells
// than the table has, so it is padded with nulls before expressions read it.
PackedRow FlowRuntime::pack_key_image(const Row& before) const {
  const size_t columns = plan_.slots[0].table->columns.size();
  if (before.size() >= columns) return PackedRow::pack(before);
  Row padded = before;
  while (padded.size() < columns) padded.append_null();
  return PackedRow::pack(padded);
}

void FlowRuntime::apply_driving(const Change& change, Stored& s, ChangeBatch& out) {
  const int64_t now = change.commit_time_us;
  const bool known = !s.old_row.empty();
  const bool was_visible = known && projector_.passes_where(s.old_row, now);
  if (change.op == Op::kDelete) {
    // A row never seen (no state) may still exist downstream: delete it to be sure.
    if (flow_.remove && (was_visible || !known)) {
      PackedRow key_row = known ? std::move(s.old_row) : pack_key_image(change.before);
      emit_delete(key_row, change, out);
    }
    return;
  }
  const bool moved = known && s.old_key != s.new_key;
  if (moved && was_visible && flow_.update) emit_delete(s.old_row, change, out);
  const bool enabled = change.op == Op::kInsert ? flow_.insert : flow_.update;
  emit_row(*s.new_row, change, change.op, enabled, was_visible && !moved, out);
}

void FlowRuntime::truncate(size_t state, const Change& change, ChangeBatch& out) {
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
  propagate(dependents, change, out);
}

std::vector<std::string> FlowRuntime::existing_keys(size_t state) const {
  std::vector<std::string> keys;
  const TableState& table = *states_[state];
  table.for_each([&](const PackedRow& row) {
    if (encode_key(row, table.key_columns(), keys.emplace_back())) return;
    keys.pop_back();
  });
  return keys;
}

// A dimension row changed: every destination row built from it is recomputed, whatever
// the operations filter says, so the destination keeps equal to the join.
void FlowRuntime::propagate(const DrivingKeys& keys, const Change& change, ChangeBatch& out) {
  const TableState& driving = *states_[slot_state_[0]];
  for (const std::string& key : keys.keys) {
    const PackedRow* row = driving.find(key);
    if (row == nullptr) continue;
    bool visible = projector_.passes_where(*row, change.commit_time_us);
    emit_row(*row, change, Op::kUpdate, true, visible, out);
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
