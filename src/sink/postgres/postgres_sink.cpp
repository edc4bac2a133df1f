#include "sink/postgres/postgres_sink.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/error.hpp"

namespace sluice {

void create_or_extend_table(PgConnection& conn, const std::string& schema,
                            const TableSchema& table) {
  std::string target = qualified(conn, schema, table.name);
  std::string columns;
  std::string keys;
  for (const Column& c : table.columns) {
    columns += fmt::format("{}{} {}", columns.empty() ? "" : ", ", conn.quote_identifier(c.name),
                           c.warehouse_type);
    if (c.is_key) keys += (keys.empty() ? "" : ", ") + conn.quote_identifier(c.name);
  }
  conn.exec(
      fmt::format("CREATE TABLE IF NOT EXISTS {} ({}, PRIMARY KEY ({}))", target, columns, keys));
  for (const Column& c : table.columns)
    conn.exec(fmt::format("ALTER TABLE {} ADD COLUMN IF NOT EXISTS {} {}", target,
                          conn.quote_identifier(c.name), c.warehouse_type));
}

PostgresSink::PostgresSink(const PipelineConfig& config)
    : config_(config), conn_(config.sink.url, PgConnection::Mode::kNormal, "sink") {
  // Sorting a batch by key for the MERGE should stay in memory.
  conn_.exec("SET work_mem = '128MB'");
  conn_.exec(
      fmt::format("CREATE SCHEMA IF NOT EXISTS {}", conn_.quote_identifier(config_.sink.schema)));
  checkpoint_table_ = qualified(conn_, config_.sink.schema, "sluice_checkpoint");
  ensure_checkpoint_table(conn_);
}

void PostgresSink::ensure_checkpoint_table(PgConnection& conn) {
  conn.exec(fmt::format(
      "CREATE TABLE IF NOT EXISTS {} (pipeline text PRIMARY KEY, position text NOT NULL, "
      "snapshot_complete boolean NOT NULL, source_committed_at timestamptz, "
      "updated_at timestamptz NOT NULL DEFAULT now())",
      checkpoint_table_));
}

std::optional<Position> PostgresSink::checkpoint() {
  std::optional<std::string> text =
      conn_.scalar(fmt::format("SELECT position FROM {} WHERE pipeline = $1 AND snapshot_complete",
                               checkpoint_table_),
                   {config_.name});
  if (!text) return std::nullopt;
  return parse_position(*text);
}

void PostgresSink::prepare_table(const TableSchema& table) {
  create_or_extend_table(conn_, config_.sink.schema, table);
}

void PostgresSink::load_snapshot(const TableSchema& table, CopyTextReader& rows) {
  // Each table loads on its own connection, so tables load in parallel.
  PgConnection conn(config_.sink.url, PgConnection::Mode::kNormal, "sink");
  create_or_extend_table(conn, config_.sink.schema, table);
  std::string target = qualified(conn, config_.sink.schema, table.name);
  std::string columns;
  for (const Column& c : table.columns)
    columns += (columns.empty() ? "" : ", ") + conn.quote_identifier(c.name);
  conn.exec("BEGIN");
  conn.exec("TRUNCATE " + target);
  conn.copy_in_start(fmt::format("COPY {} ({}) FROM STDIN", target, columns));
  while (std::optional<std::string_view> chunk = rows.next_chunk()) conn.copy_in_send(*chunk);
  conn.copy_in_end();
  conn.exec("COMMIT");
}

void PostgresSink::finish_snapshot(const Position& position) {
  conn_.exec("BEGIN");
  in_transaction_ = true;
  write_checkpoint(position, 0);
  conn_.exec("COMMIT");
  in_transaction_ = false;
}

StagingMerge& PostgresSink::staging_for(const TableSchemaPtr& table) {
  auto it = staging_.find(table.get());
  if (it != staging_.end()) return *it->second;
  // A new schema object: a new table or a changed one. DDL runs in the open
  // transaction, so it commits (or rolls back) with the rows.
  prepare_table(*table);
  auto staging =
      std::make_unique<StagingMerge>(conn_, table, config_.sink.schema, next_staging_id_++);
  return *staging_.emplace(table.get(), std::move(staging)).first->second;
}

void PostgresSink::flush_staged() {
  for (StagingMerge* staging : staged_) staging->flush();
  staged_.clear();
}

void PostgresSink::truncate(const TableSchema& table) {
  conn_.exec("TRUNCATE " + qualified(conn_, config_.sink.schema, table.name));
}

void PostgresSink::apply(const ChangeBatch& batch) {
  if (!in_transaction_) {
    conn_.exec("BEGIN");
    in_transaction_ = true;
  }
  for (const Change& change : batch.changes) {
    if (change.op == Op::kTruncate) {
      // Changes before the truncate must land first; those after it land after.
      flush_staged();
      staging_for(change.table);
      truncate(*change.table);
      continue;
    }
    StagingMerge& staging = staging_for(change.table);
    if (staging.empty()) staged_.push_back(&staging);
    staging.add(change);
  }
  flush_staged();
  if (batch.commit_position) {
    write_checkpoint(*batch.commit_position, batch.last_commit_time_us);
    conn_.exec("COMMIT");
    in_transaction_ = false;
    for (auto& [schema, staging] : staging_) staging->on_transaction_end();
  }
}

void PostgresSink::write_checkpoint(const Position& position, int64_t commit_time_us) {
  std::string committed_at =
      commit_time_us == 0 ? "NULL" : fmt::format("to_timestamp({:.6f})", commit_time_us / 1e6);
  conn_.query(
      fmt::format("INSERT INTO {} (pipeline, position, snapshot_complete, source_committed_at, "
                  "updated_at) VALUES ($1, $2, true, {}, now()) ON CONFLICT (pipeline) DO UPDATE "
                  "SET position = EXCLUDED.position, snapshot_complete = true, "
                  "source_committed_at = EXCLUDED.source_committed_at, updated_at = now()",
                  checkpoint_table_, committed_at),
      {config_.name, to_string(position)});
}

void PostgresSink::reset() {
  conn_.query(fmt::format("DELETE FROM {} WHERE pipeline = $1", checkpoint_table_), {config_.name});
}

}  // namespace sluice
