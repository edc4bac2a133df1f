#include "sink/postgres/staging_merge.hpp"

#include <fmt/format.h>

#include "copytext/copy_text_encoder.hpp"
#include "sink/postgres/insert_batcher.hpp"
#include "sink/postgres/redshift_csv_writer.hpp"

namespace sluice::warehouse {
namespace {

// COPY text: sluice_seq, sluice_op, sluice_unchanged, sluice_fill_seq, then the columns.
class CopyWriter {
 public:
  void begin_row(uint64_t seq, char op) {
    fmt::format_to(std::back_inserter(buffer), "{}\t{}\t", seq, op);
  }
  void unchanged_marks(const Row* row) {
    if (row == nullptr) {
      append_copy_null(buffer);
      return;
    }
    for (size_t i = 0; i < row->size(); ++i) buffer.push_back(row->is_unchanged(i) ? 'u' : '-');
  }
  void fill_seq(uint64_t seq) {
    if (seq == 0)
      null();
    else
      fmt::format_to(std::back_inserter(buffer), "\t{}", seq);
  }
  void value(std::string_view text) {
    buffer.push_back('\t');
    append_copy_escaped(buffer, text);
  }
  void null() {
    buffer.push_back('\t');
    append_copy_null(buffer);
  }
  void end_row() { buffer.push_back('\n'); }

  std::string buffer;
};

// Parameters for multi-row INSERT: the same fields as CopyWriter, unescaped.
class ParamWriter {
 public:
  explicit ParamWriter(InsertBatcher& batcher) : batcher_(batcher) {}
  void begin_row(uint64_t seq, char op) {
    batcher_.begin_row();
    batcher_.value(std::to_string(seq));
    batcher_.value(std::string_view(&op, 1));
  }
  void unchanged_marks(const Row* row) {
    if (row == nullptr) {
      batcher_.null();
      return;
    }
    std::string marks;
    for (size_t i = 0; i < row->size(); ++i) marks.push_back(row->is_unchanged(i) ? 'u' : '-');
    batcher_.value(marks);
  }
  void fill_seq(uint64_t seq) {
    if (seq == 0)
      batcher_.null();
    else
      batcher_.value(std::to_string(seq));
  }
  void value(std::string_view text) { batcher_.value(text); }
  void null() { batcher_.null(); }
  void end_row() { batcher_.end_row(); }

 private:
  InsertBatcher& batcher_;
};

}  // namespace

StagingMerge::StagingMerge(PgConnection& conn, const SqlDialect& dialect, TableSchemaPtr table,
                           std::string target, int id, S3Staging* s3)
    : conn_(conn),
      dialect_(dialect),
      table_(std::move(table)),
      target_(std::move(target)),
      s3_(s3),
      staging_name_(fmt::format("sluice_stage_{}", id)),
      staging_columns_("sluice_seq, sluice_op, sluice_unchanged, sluice_fill_seq"),
      match_indexes_(table_->match_indexes()) {
  for (const Column& c : table_->columns) staging_columns_ += ", " + quote_identifier(c.name);
  copy_sql_ = fmt::format("COPY {} ({}) FROM STDIN", staging_name_, staging_columns_);
  insert_prefix_ = fmt::format("INSERT INTO {} ({}) VALUES ", staging_name_, staging_columns_);
  merge_sql_ = dialect_.merge(target_, staging_name_, *table_);
  fill_moved_sql_ = dialect_.fill_from_moved_rows(target_, staging_name_, *table_);
}

void StagingMerge::add(const Change& change) {
  pending_.push_back(&change);
  if (change.op == Op::kUpdate && change.after.has_unchanged()) has_unchanged_ = true;
}

bool StagingMerge::key_moved(const Change& change) const {
  if (change.before.empty()) return false;
  for (size_t k : match_indexes_)
    if (change.before.text(k) != change.after.text(k) ||
        change.before.is_null(k) != change.after.is_null(k))
      return true;
  return false;
}

std::string StagingMerge::key_of(const Row& row) const {
  std::string key;
  for (size_t k : match_indexes_) {
    key.append(row.text(k));
    key.push_back('\0');
  }
  return key;
}

// `origin` is the key the row had before this change, `moved_from` the seq of the staged
// delete of that key when the change moved the row (0 otherwise).
const StagingMerge::Image& StagingMerge::fill_unchanged(const Change& change,
                                                        const std::string& origin,
                                                        uint64_t moved_from) {
  auto earlier = latest_images_.find(origin);
  Image image;
  for (size_t i = 0; i < change.after.size(); ++i) {
    if (change.after.is_unchanged(i) && earlier != latest_images_.end())
      image.row.append_cell(earlier->second.row, i);
    else
      image.row.append_cell(change.after, i);
  }
  // Cells still unchanged come from the warehouse row the value last sat in: the one
  // an earlier change of this flush names, or the old key's row when the key moved.
  if (earlier != latest_images_.end() && earlier->second.fill_seq != 0)
    image.fill_seq = earlier->second.fill_seq;
  else
    image.fill_seq = moved_from;
  if (!image.row.has_unchanged()) image.fill_seq = 0;
  if (moved_from != 0) latest_images_.erase(origin);
  Image& stored = latest_images_[key_of(change.after)];
  stored = std::move(image);
  return stored;
}

template <typename Writer>
void StagingMerge::encode_pending(Writer& writer) {
  for (const Change* change : pending_) encode_change(*change, writer);
}

template <typename Writer>
void StagingMerge::encode_change(const Change& change, Writer& writer) {
  switch (change.op) {
    case Op::kInsert:
      if (has_unchanged_) latest_images_[key_of(change.after)] = Image{change.after, 0};
      encode('U', change.after, writer);
      break;
    case Op::kUpdate: {
      uint64_t moved_from = 0;
      if (key_moved(change)) moved_from = encode('D', change.before, writer);
      if (!has_unchanged_) {
        encode('U', change.after, writer);
        break;
      }
      const Image& image = fill_unchanged(
          change, key_of(moved_from != 0 ? change.before : change.after), moved_from);
      if (image.fill_seq != 0) has_moved_unchanged_ = true;
      encode('U', image.row, writer, image.fill_seq);
      break;
    }
    case Op::kDelete:
      if (has_unchanged_) latest_images_.erase(key_of(change.before));
      encode('D', change.before, writer);
      break;
    case Op::kTruncate:
      break;  // the sink handles it between flushes
  }
}

// A delete carries only the key or replica identity; its other columns are null.
template <typename Writer>
uint64_t StagingMerge::encode(char op, const Row& row, Writer& writer, uint64_t fill_seq) {
  writer.begin_row(++seq_, op);
  writer.unchanged_marks(op == 'U' && row.has_unchanged() ? &row : nullptr);
  writer.fill_seq(fill_seq);
  for (size_t i = 0; i < table_->columns.size(); ++i) {
    bool wanted = op == 'U' || table_->columns[i].is_key || table_->columns[i].is_identity;
    if (wanted && i < row.size() && row.state(i) == CellState::kValue)
      writer.value(row.text(i));
    else
      writer.null();
  }
  writer.end_row();
  return seq_;
}

void StagingMerge::load_by_copy() {
  CopyWriter writer;
  encode_pending(writer);
  conn_.copy_in_start(copy_sql_);
  conn_.copy_in_send(writer.buffer);
  conn_.copy_in_end();
}

void StagingMerge::load_by_insert() {
  InsertBatcher batcher(conn_, insert_prefix_, table_->columns.size() + 4);
  ParamWriter writer(batcher);
  encode_pending(writer);
  batcher.finish();
}

Result<void> StagingMerge::load_by_s3() {
  RedshiftCsvWriter writer(*table_);
  encode_pending(writer);
  return s3_->load(conn_, staging_name_, staging_columns_, writer.buffer);
}

// An empty staging table: created on first use, emptied when earlier rows remain.
Result<void> StagingMerge::prepare_staging() {
  if (!staging_created_) {
    Result<void> created = conn_.try_exec(dialect_.create_staging(staging_name_, *table_));
    if (created) staging_created_ = true;
    return created;
  }
  if (!staging_dirty_) return {};
  return conn_.try_exec(dialect_.clear_staging(staging_name_));
}

Result<void> StagingMerge::flush() {
  if (pending_.empty()) return {};
  if (Result<void> prepared = prepare_staging(); !prepared) return prepared;
  if (s3_ != nullptr && pending_.size() >= s3_->min_rows()) {
    if (Result<void> loaded = load_by_s3(); !loaded) return loaded;
  } else if (dialect_.copy_in()) {
    load_by_copy();
  } else {
    load_by_insert();
  }
  staging_dirty_ = true;
  // Before the merge folds staging: it needs the staged deletes of the old keys.
  if (has_moved_unchanged_) {
    if (Result<void> filled = conn_.try_exec(fill_moved_sql_); !filled) return filled;
  }
  for (const std::string& statement : merge_sql_)
    if (Result<void> merged = conn_.try_exec(statement); !merged) return merged;
  forget_pending();
  return {};
}

void StagingMerge::forget_pending() {
  pending_.clear();
  latest_images_.clear();
  has_unchanged_ = false;
  has_moved_unchanged_ = false;
}

Result<void> StagingMerge::drop() {
  if (!staging_created_) return {};
  for (const std::string& statement : dialect_.drop_staging(staging_name_))
    if (Result<void> dropped = conn_.try_exec(statement); !dropped) return dropped;
  return {};
}

void StagingMerge::on_transaction_end() {
  staging_dirty_ = !dialect_.copy_in();  // only PostgreSQL's ON COMMIT DELETE ROWS empties it
  forget_pending();
}

}  // namespace sluice::warehouse
