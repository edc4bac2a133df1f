#include "sink/postgres/postgres_sink.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "copytext/copy_rows.hpp"
#include "core/error.hpp"
#include "sink/postgres/insert_batcher.hpp"
#include "sink/postgres/s3_snapshot.hpp"
#include "sink/postgres/sink_admin.hpp"

namespace sluice::warehouse {
namespace {

std::string column_list(const TableSchema& table) {
  std::string columns;
  for (const Column& c : table.columns)
    columns += (columns.empty() ? "" : ", ") + quote_identifier(c.name);
  return columns;
}

}  // namespace

void create_or_extend_table(PgConnection& conn, const SqlDialect& dialect,
                            const std::string& schema, const std::string& name,
                            const TableSchema& table) {
  std::string target = quote_identifier(schema) + "." + quote_identifier(name);
  conn.exec(dialect.create_table(target, table));
  PgResult existing = conn.query(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND "
      "table_name = $2",
      {schema, name});
  std::vector<std::string> present;
  for (int i = 0; i < PQntuples(existing.get()); ++i)
    present.emplace_back(PQgetvalue(existing.get(), i, 0));
  for (const Column& c : table.columns)
    if (std::ranges::find(present, c.name) == present.end())
      conn.exec(dialect.add_column(target, c));
}

PostgresSink::PostgresSink(const PipelineConfig& config)
    : config_(config),
      dialect_(SqlDialect::make(config.sink.type)),
      names_(config),
      conn_(config.sink.url, PgConnection::Mode::kNormal, "sink") {
  if (config_.sink.s3.enabled) s3_.emplace(config_.sink.s3, config_.name);
  // Sorting a batch by key for the merge should stay in memory.
  if (config_.sink.type == SinkType::kPostgres) conn_.exec("SET work_mem = '128MB'");
  checkpoint_table_ =
      quote_identifier(config_.sink.schema) + "." + quote_identifier("sluice_checkpoint");
  dead_letter_table_ =
      quote_identifier(config_.sink.schema) + "." + quote_identifier("sluice_dead_letter");
  conn_.exec("BEGIN");
  lock_setup();
  conn_.exec(fmt::format("CREATE SCHEMA IF NOT EXISTS {}", quote_identifier(config_.sink.schema)));
  conn_.exec(dialect_->create_checkpoint_table(checkpoint_table_));
  conn_.exec(dialect_->create_dead_letter_table(dead_letter_table_));
  conn_.exec("COMMIT");
}

// Several apply processes may start at once, and PostgreSQL's IF NOT EXISTS fails against
// a concurrent CREATE of the same name: one process at a time creates shared tables. The
// lock lasts until the current transaction ends.
void PostgresSink::lock_setup() {
  if (config_.sink.type == SinkType::kPostgres)
    conn_.exec("SELECT pg_advisory_xact_lock(hashtext('sluice sink setup'))");
}

Checkpoint PostgresSink::checkpoint(CheckpointKind kind) {
  if (kind == CheckpointKind::kStreamOffsets) return {.offsets = offset_table().read(conn_)};
  return {.position = stored_position()};
}

std::optional<Position> PostgresSink::stored_position() {
  std::optional<std::string> text =
      conn_.scalar(fmt::format("SELECT position FROM {} WHERE pipeline = $1 AND snapshot_complete",
                               checkpoint_table_),
                   {config_.name});
  if (!text) return std::nullopt;
  return parse_position(*text);
}

// Under the setup lock: apply processes starting together create the same tables.
void PostgresSink::prepare_table(const TableSchema& table) {
  bool own_transaction = !in_transaction_;
  if (own_transaction) conn_.exec("BEGIN");
  lock_setup();
  create_or_extend_table(conn_, *dialect_, config_.sink.schema, names_.of(table), table);
  if (own_transaction) conn_.exec("COMMIT");
}

void PostgresSink::load_snapshot(const TableSchema& table, CopyTextReader& rows) {
  // Each table loads on its own connection, so tables load in parallel.
  PgConnection conn(config_.sink.url, PgConnection::Mode::kNormal, "sink");
  create_or_extend_table(conn, *dialect_, config_.sink.schema, names_.of(table), table);
  if (!s3_) return replace_rows(conn, table, rows);
  SnapshotHead head(rows, s3_->min_rows(), SnapshotPartLimits{}.max_bytes);
  if (head.whole_table()) return replace_rows(conn, table, head);
  replace_rows_through_s3(conn, table, head);
}

std::string PostgresSink::target_of(const TableSchema& table) const {
  return quote_identifier(config_.sink.schema) + "." + quote_identifier(names_.of(table));
}

// One transaction: readers see the old rows until all the new ones are in.
void PostgresSink::replace_rows(PgConnection& conn, const TableSchema& table,
                                CopyTextReader& rows) {
  std::string target = target_of(table);
  std::string columns = column_list(table);
  conn.exec("BEGIN");
  conn.exec(dialect_->truncate(target));
  if (dialect_->copy_in()) {
    conn.copy_in_start(fmt::format("COPY {} ({}) FROM STDIN", target, columns));
    while (std::optional<std::string_view> chunk = rows.next_chunk()) conn.copy_in_send(*chunk);
    conn.copy_in_end();
  } else {
    load_by_insert(conn, fmt::format("INSERT INTO {} ({}) VALUES ", target, columns), table, rows);
  }
  conn.exec("COMMIT");
}

// The parts are uploaded before the transaction begins, which then lasts one COPY.
void PostgresSink::replace_rows_through_s3(PgConnection& conn, const TableSchema& table,
                                           CopyTextReader& rows) {
  // Its own S3Staging: tables load in parallel, each deleting only its own objects.
  S3Staging parts(config_.sink.s3, config_.name);
  std::string target = target_of(table);
  try {
    std::vector<std::string> urls = upload_snapshot_parts(parts, table, rows);
    conn.exec("BEGIN");
    conn.exec(dialect_->truncate(target));
    parts.load_manifest(conn, target, column_list(table), urls).value_or_raise();
    conn.exec("COMMIT");
  } catch (...) {
    // The open transaction rolls back when the connection closes.
    parts.delete_loaded();
    throw;
  }
  parts.delete_loaded();
}

void PostgresSink::load_by_insert(PgConnection& conn, const std::string& insert_prefix,
                                  const TableSchema& table, CopyTextReader& rows) {
  InsertBatcher batcher(conn, insert_prefix, table.columns.size());
  for_each_copy_row(rows, [&](const Row& row) { write_row_fields(row, batcher); });
  batcher.finish();
}

void PostgresSink::finish_snapshot(const Position& position) {
  conn_.exec("BEGIN");
  in_transaction_ = true;
  write_checkpoint(position, 0).value_or_raise();
  conn_.exec("COMMIT");
  in_transaction_ = false;
}

Result<StagingMerge*> PostgresSink::staging_for(const TableSchemaPtr& table) {
  auto it = staging_.find(table->qualified_name());
  if (it != staging_.end() && it->second->serves(*table)) return it->second.get();
  if (it != staging_.end()) {
    // The table changed: its queued changes land under the old columns first.
    if (Result<void> flushed = flush_staged(); !flushed) return flushed.error();
    if (Result<void> dropped = it->second->drop(); !dropped) return dropped.error();
    staging_.erase(it);
  }
  // DDL runs in the open transaction, so it commits (or rolls back) with the rows.
  prepare_table(*table);
  auto staging = std::make_unique<StagingMerge>(conn_, *dialect_, table, target_of(*table),
                                                next_staging_id_++, s3_ ? &*s3_ : nullptr);
  return staging_.emplace(table->qualified_name(), std::move(staging)).first->second.get();
}

Result<void> PostgresSink::flush_staged() {
  for (StagingMerge* staging : staged_)
    if (Result<void> flushed = staging->flush(); !flushed) return flushed;
  staged_.clear();
  return {};
}

// Changes before the truncate must land first; those after it land after.
Result<void> PostgresSink::truncate(const TableSchemaPtr& table) {
  if (Result<void> flushed = flush_staged(); !flushed) return flushed;
  // Creates the destination when the truncate is the first change it sees.
  if (Result<StagingMerge*> staging = staging_for(table); !staging) return staging.error();
  return conn_.try_exec(dialect_->truncate(target_of(*table)));
}

Result<void> PostgresSink::apply(const ChangeBatch& batch,
                                 const std::optional<Checkpoint>& commit) {
  Result<void> applied = apply_in_transaction(batch, commit);
  if (applied) return applied;
  // A failed statement aborts the transaction. Ending it, and forgetting the staging tables
  // that went with it (made again on demand), keeps the sink usable. A failed ROLLBACK
  // means the connection is gone, and the transaction with it.
  if (in_transaction_ && !conn_.is_broken()) static_cast<void>(end_transaction("ROLLBACK"));
  staging_.clear();
  return applied;
}

Result<void> PostgresSink::apply_in_transaction(const ChangeBatch& batch,
                                                const std::optional<Checkpoint>& commit) {
  if (Result<void> staged = stage(batch); !staged) return staged;
  if (!commit) return {};
  if (commit->position) {
    Result<void> written = write_checkpoint(*commit->position, batch.last_commit_time_us);
    if (!written) return written;
  }
  if (!commit->offsets.empty()) {
    Result<void> written = offset_table().write(conn_, commit->offsets);
    if (!written) return written;
  }
  return end_transaction("COMMIT");
}

// Staged S3 objects are no longer needed once the transaction has ended either way.
Result<void> PostgresSink::end_transaction(std::string_view statement) {
  Result<void> ended = conn_.try_exec(statement);
  in_transaction_ = false;
  staged_.clear();
  for (auto& [schema, staging] : staging_) staging->on_transaction_end();
  if (s3_) s3_->delete_loaded();
  return ended;
}

const StreamOffsetTable& PostgresSink::offset_table() {
  if (!offset_table_) {
    offset_table_.emplace(
        quote_identifier(config_.sink.schema) + "." + quote_identifier("sluice_kafka_offsets"),
        config_.name, config_.sink.type == SinkType::kPostgres);
    bool own_transaction = !in_transaction_;
    if (own_transaction) conn_.exec("BEGIN");
    lock_setup();
    offset_table_->create(conn_);
    if (own_transaction) conn_.exec("COMMIT");
  }
  return *offset_table_;
}

Result<void> PostgresSink::stage(const ChangeBatch& batch) {
  if (!in_transaction_) {
    conn_.exec("BEGIN");
    in_transaction_ = true;
  }
  for (const Change& change : batch.changes) {
    if (change.op == Op::kTruncate) {
      if (Result<void> truncated = truncate(change.table); !truncated) return truncated;
      continue;
    }
    Result<StagingMerge*> staging = staging_for(change.table);
    if (!staging) return staging.error();
    if (staging.value()->empty()) staged_.push_back(staging.value());
    staging.value()->add(change);
  }
  if (Result<void> flushed = flush_staged(); !flushed) return flushed;
  return write_dead_letters(batch.dead_letters);
}

Result<void> PostgresSink::write_checkpoint(const Position& position, int64_t commit_time_us) {
  std::string name = config_.name;
  std::string text = to_string(position);
  std::string seconds = fmt::format("{:.6f}", static_cast<double>(commit_time_us) / 1e6);
  for (const std::string& statement : dialect_->write_checkpoint(checkpoint_table_)) {
    std::vector<const char*> params = {name.c_str(), text.c_str(),
                                       commit_time_us == 0 ? nullptr : seconds.c_str()};
    // Each statement uses a prefix of the three parameters.
    size_t used = statement.find("$3") != std::string::npos   ? 3
                  : statement.find("$2") != std::string::npos ? 2
                                                              : 1;
    params.resize(used);
    if (Result<void> written = conn_.try_exec_params(statement, params); !written) return written;
  }
  return {};
}

Result<void> PostgresSink::write_dead_letters(const std::vector<DeadLetter>& dead_letters) {
  if (dead_letters.empty()) return {};
  InsertBatcher batcher(conn_,
                        fmt::format("INSERT INTO {} (pipeline, flow, error, source_position, "
                                    "row_data) VALUES ",
                                    dead_letter_table_),
                        5);
  for (const DeadLetter& letter : dead_letters) {
    batcher.begin_row();
    batcher.value(config_.name);
    batcher.value(letter.flow);
    batcher.value(letter.error);
    batcher.value(letter.source_position);
    batcher.value(letter.row_json);
    if (Result<void> sent = batcher.try_end_row(); !sent) return sent;
  }
  return batcher.try_finish();
}

void PostgresSink::reset() {
  conn_.query(fmt::format("DELETE FROM {} WHERE pipeline = $1", checkpoint_table_), {config_.name});
}

std::unique_ptr<Sink> make_sink(const PipelineConfig& config) {
  return std::make_unique<PostgresSink>(config);
}

}  // namespace sluice::warehouse
