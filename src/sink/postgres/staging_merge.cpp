#include "sink/postgres/staging_merge.hpp"

#include <fmt/format.h>

#include "sink/postgres/copy_text_encoder.hpp"

namespace sluice {

StagingMerge::StagingMerge(PgConnection& conn, TableSchemaPtr table, const std::string& sink_schema,
                           int id)
    : conn_(conn),
      table_(std::move(table)),
      target_(qualified(conn_, sink_schema, table_->name)),
      staging_name_(fmt::format("sluice_stage_{}", id)),
      key_indexes_(table_->key_indexes()) {
  std::string columns;
  std::string names;
  for (const Column& c : table_->columns) {
    columns += fmt::format(", {} {}", conn_.quote_identifier(c.name), c.warehouse_type);
    names += ", " + conn_.quote_identifier(c.name);
  }
  conn_.exec(fmt::format(
      "CREATE TEMP TABLE {} (sluice_seq bigint, sluice_op \"char\", sluice_unchanged text{}) "
      "ON COMMIT DELETE ROWS",
      staging_name_, columns));
  copy_sql_ = fmt::format("COPY {} (sluice_seq, sluice_op, sluice_unchanged{}) FROM STDIN",
                          staging_name_, names);
  merge_sql_ = build_merge_sql();
}

// The last change per key wins (DISTINCT ON ... ORDER BY seq DESC); a 'D' deletes, any
// other upserts. A cell marked 'u' in sluice_unchanged keeps the warehouse's value.
std::string StagingMerge::build_merge_sql() {
  std::string keys;
  std::string on;
  for (size_t k : key_indexes_) {
    std::string name = conn_.quote_identifier(table_->columns[k].name);
    keys += (keys.empty() ? "" : ", ") + name;
    on += fmt::format("{}t.{} = s.{}", on.empty() ? "" : " AND ", name, name);
  }
  std::string sets;
  std::string insert_columns;
  std::string insert_values;
  for (size_t i = 0; i < table_->columns.size(); ++i) {
    std::string name = conn_.quote_identifier(table_->columns[i].name);
    insert_columns += (insert_columns.empty() ? "" : ", ") + name;
    insert_values += (insert_values.empty() ? "s." : ", s.") + name;
    if (table_->columns[i].is_key) continue;
    sets += fmt::format(
        "{}{} = CASE WHEN substr(s.sluice_unchanged, {}, 1) = 'u' THEN t.{} ELSE s.{} END",
        sets.empty() ? "" : ", ", name, i + 1, name, name);
  }
  std::string matched = sets.empty() ? "DO NOTHING" : "UPDATE SET " + sets;
  return fmt::format(
      "MERGE INTO {} AS t USING (SELECT DISTINCT ON ({}) * FROM {} ORDER BY {}, sluice_seq DESC) "
      "AS s ON {} "
      "WHEN MATCHED AND s.sluice_op = 'D' THEN DELETE "
      "WHEN MATCHED THEN {} "
      "WHEN NOT MATCHED AND s.sluice_op <> 'D' THEN INSERT ({}) VALUES ({})",
      target_, keys, staging_name_, keys, on, matched, insert_columns, insert_values);
}

void StagingMerge::add(const Change& change) {
  pending_.push_back(&change);
  if (change.op == Op::kUpdate && change.after.has_unchanged()) has_unchanged_ = true;
}

bool StagingMerge::key_moved(const Change& change) const {
  if (change.before.empty()) return false;
  for (size_t k : key_indexes_)
    if (change.before.text(k) != change.after.text(k) ||
        change.before.is_null(k) != change.after.is_null(k))
      return true;
  return false;
}

std::string StagingMerge::key_of(const Row& row) const {
  std::string key;
  for (size_t k : key_indexes_) {
    key.append(row.text(k));
    key.push_back('\0');
  }
  return key;
}

const Row& StagingMerge::fill_unchanged(const Change& change) {
  std::string key = key_of(change.after);
  auto earlier = latest_images_.find(key);
  Row filled;
  for (size_t i = 0; i < change.after.size(); ++i) {
    if (change.after.is_unchanged(i) && earlier != latest_images_.end())
      filled.append_cell(earlier->second, i);
    else
      filled.append_cell(change.after, i);
  }
  Row& stored = latest_images_[key];
  stored = std::move(filled);
  return stored;
}

void StagingMerge::encode_change(const Change& change) {
  switch (change.op) {
    case Op::kInsert:
      if (has_unchanged_) latest_images_[key_of(change.after)] = change.after;
      encode('U', change.after, change.after);
      break;
    case Op::kUpdate: {
      if (key_moved(change)) {
        encode('D', change.before, change.before);
        if (has_unchanged_) latest_images_.erase(key_of(change.before));
      }
      const Row& after = has_unchanged_ ? fill_unchanged(change) : change.after;
      encode('U', after, after);
      break;
    }
    case Op::kDelete:
      if (has_unchanged_) latest_images_.erase(key_of(change.before));
      encode('D', change.before, change.before);
      break;
    case Op::kTruncate:
      break;  // handled by the sink between flushes
  }
}

// One staging row: seq, op, unchanged marks (or \N), then the columns. A delete carries
// only the key; its other columns are \N.
void StagingMerge::encode(char op, const Row& row, const Row& key_source) {
  fmt::format_to(std::back_inserter(buffer_), "{}\t{}\t", ++seq_, op);
  if (op == 'U' && row.has_unchanged()) {
    for (size_t i = 0; i < row.size(); ++i) buffer_.push_back(row.is_unchanged(i) ? 'u' : '-');
  } else {
    append_copy_null(buffer_);
  }
  for (size_t i = 0; i < table_->columns.size(); ++i) {
    buffer_.push_back('\t');
    bool wanted = op == 'U' || table_->columns[i].is_key;
    const Row& source = op == 'U' ? row : key_source;
    if (!wanted || i >= source.size() || source.state(i) != CellState::kValue)
      append_copy_null(buffer_);
    else
      append_copy_escaped(buffer_, source.text(i));
  }
  buffer_.push_back('\n');
}

void StagingMerge::flush() {
  if (pending_.empty()) return;
  for (const Change* change : pending_) encode_change(*change);
  if (staging_dirty_) conn_.exec("TRUNCATE " + staging_name_);
  conn_.copy_in_start(copy_sql_);
  conn_.copy_in_send(buffer_);
  conn_.copy_in_end();
  staging_dirty_ = true;
  conn_.exec(merge_sql_);
  buffer_.clear();
  pending_.clear();
  latest_images_.clear();
  has_unchanged_ = false;
}

void StagingMerge::on_transaction_end() {
  staging_dirty_ = false;
  pending_.clear();
  buffer_.clear();
  latest_images_.clear();
  has_unchanged_ = false;
}

}  // namespace sluice
